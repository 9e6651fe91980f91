r"""Convert timm's or mmpretrain's MobileNetV3 or EfficientNet-B0 weights to
mmca.

  python tools/model_converters/se_networks_to_mmca.py timm \
      mobilenetv3_large_100.safetensors mbv3_large.pth \
      --backbone MobileNetV3LargeCA
  python tools/model_converters/se_networks_to_mmca.py mmpretrain \
      efficientnet-b0.pth effnet_b0.pth --backbone EfficientNetB0CA

timm's ``mobilenetv3_large_100``, ``mobilenetv3_small_100`` and
``efficientnet_b0``, and mmpretrain's ``MobileNetV3`` (arch large, small)
and ``EfficientNet`` (arch b0), are the mmca backbones with their own SE
(``attention=MOBILENETV3_SE`` or ``EFFICIENTNET_SE``). The result holds the
weights of the timm classifier around the backbone (``backbone.*`` and
``head.*``; ``backbone.*`` alone for a bare mmpretrain backbone), so it
loads into ``timm.create_model('mobilenetv3_large_ca_100',
attention=MOBILENETV3_SE, pretrained=True,
pretrained_cfg_overlay=dict(file=DST))`` and, through
``init_cfg=dict(type='Pretrained', checkpoint=DST, prefix='backbone.')``,
into the backbone of a detector or segmentor. mmpretrain's EfficientNet
pads as TensorFlow does: build ours with
``conv_cfg=dict(type='Conv2dAdaptivePadding')`` to compute the same.
"""
import argparse

from mmca.cli import run_tool
from mmca.models.converters import SE_NETWORKS, SOURCES, convert_checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('source', choices=list(SOURCES),
                        help='the library whose weights SRC holds')
    parser.add_argument('src', help='the weights (.pth, .bin, .safetensors)')
    parser.add_argument('dst', help='where to write the mmca checkpoint')
    parser.add_argument('--backbone', required=True, choices=SE_NETWORKS,
                        help='the mmca backbone of that network')
    args = parser.parse_args()
    count = convert_checkpoint(args.src, args.dst, args.source, args.backbone)
    print(f'wrote {count} tensors to {args.dst} ({args.backbone} with its '
          'own SE)')


if __name__ == '__main__':
    run_tool(main)
