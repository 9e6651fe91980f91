r"""Export a config's model (or its backbone) to ONNX and check it in ONNX
Runtime: ``tools/deployment/export.py --backend onnxruntime``.

  python tools/deployment/pytorch2onnx.py configs/ssdlite_mbv2_ca_coco.py \
      [CKPT] --out work_dirs/onnx/ssdlite_mbv2_ca.onnx [--shape H W]
      [--static-shape] [--backbone-only]

By default the graph has dynamic batch, height and width; --static-shape
fixes it to --shape in the form ONNX Runtime keeps in its NCHWc layout
(docs/deployment.md says when to take which).
"""
from export import main

from mmca.cli import run_tool

if __name__ == '__main__':
    run_tool(lambda: main(default_backend='onnxruntime'))
