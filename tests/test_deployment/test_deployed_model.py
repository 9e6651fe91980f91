"""A deployed fp32 model file in mmengine's test step predicts what the
PyTorch model predicts: the same boxes, masks and scores, decoded by the
task's own heads."""
import pytest
import torch
from trained_scale import calibrate_batch_norms

from mmca.apis import build_inference_model, load_test_image
from mmca.cli import load_config
from mmca.deployment import BACKENDS, DeployedModel, TensorOutputs, deploy

pytestmark = pytest.mark.slow  # exports to a runtime
CONFIGS = {'det': 'configs/demo/ssdlite_mbv2_ca_shapes.py',
           'seg': 'configs/demo/deeplabv3_mbv2_ca_shapes.py',
           'cls': 'configs/demo/mbv2_ca_shapes_cls.py'}


def assert_same_detections(want, got):
    """The same scored boxes, in any order among equal scores (random
    weights give many near-ties, which float rounding reorders)."""
    assert len(want) == len(got) > 0
    torch.testing.assert_close(got.scores.sort().values,
                               want.scores.sort().values, atol=1e-4,
                               rtol=1e-4)
    for box, label, score in zip(got.bboxes, got.labels, got.scores):
        same = (want.labels == label) & ((want.scores - score).abs() < 1e-4)
        assert same.any()
        assert (want.bboxes[same] - box).abs().amax(1).min() < 1e-2


def predictions(task, sample):
    """The tensors a task's evaluator reads from a data sample."""
    if task == 'seg':
        return [sample.pred_sem_seg.data.float(), sample.seg_logits.data]
    return [sample.pred_score, sample.pred_label.float()]


# ncnn: its CA blocks as mmca's fused layer
@pytest.mark.parametrize('backend_name', ['onnxruntime', 'ncnn'])
@pytest.mark.parametrize('task', sorted(CONFIGS))
def test_deployed_file_predicts_as_the_model(task, backend_name, repo_root,
                                             shapes_image, tmp_path):
    cfg = load_config(f'{repo_root}/{CONFIGS[task]}')
    torch.manual_seed(0)
    model = build_inference_model(cfg)
    batch, _ = load_test_image(cfg, model, shapes_image)
    calibrate_batch_norms(TensorOutputs(model), batch['inputs'].shape[2:])
    backend = BACKENDS[backend_name]
    path = str(tmp_path / f'model{backend.suffix}')
    deploy(TensorOutputs(model), backend, path,
           tuple(batch['inputs'].shape))
    deployed = DeployedModel(model, backend.load(path), path)
    # each step decodes into the samples it is given: one batch each
    got, = deployed.test_step(load_test_image(cfg, model, shapes_image)[0])
    with torch.no_grad():
        want, = model.test_step(batch)
    if task == 'det':
        assert_same_detections(want.pred_instances, got.pred_instances)
        return
    for w, g in zip(predictions(task, want), predictions(task, got)):
        assert w.shape == g.shape
        torch.testing.assert_close(g, w, atol=1e-4, rtol=1e-4)
