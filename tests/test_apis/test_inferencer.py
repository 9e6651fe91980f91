"""mmca.inference_model: on a photo, each task's data sample is the one its
library's inferencer gives for the same config and checkpoint."""
import cv2
import pytest
import torch
from matplotlib import cbook

import mmca
from mmca.apis import model_entry
from mmca.cli import load_config
from mmca.utils import InputError

#: A real photo (matplotlib's sample data), 600 high and 512 wide
PHOTO = cbook.get_sample_data('grace_hopper.jpg', asfileobj=False)
#: The demo config of each library, as metafile names
DEMOS = {'mmdet': 'ssdlite_mbv2_ca_shapes',
         'mmseg': 'deeplabv3_mbv2_ca_shapes',
         'mmpretrain': 'mbv2_ca_shapes_cls'}


def demo_config(name: str):
    return load_config(model_entry(name).config)


@pytest.fixture
def checkpoint(tmp_path, random_weights):
    """``save(name)``: a checkpoint of the demo model ``name``."""
    def save(name: str) -> str:
        path = str(tmp_path / f'{name}.pth')
        random_weights(f'configs/demo/{name}.py', path)
        return path
    return save


def test_detection_is_the_det_inferencers(checkpoint):
    from mmdet.apis import DetInferencer
    from mmdet.structures import DetDataSample
    path = checkpoint(DEMOS['mmdet'])
    model = mmca.get_model(DEMOS['mmdet'], pretrained=path)
    sample = mmca.inference_model(model, PHOTO)
    inferencer = DetInferencer(demo_config(DEMOS['mmdet']), path,
                               device='cpu')
    reference, = inferencer(PHOTO, return_datasamples=True)['predictions']
    assert isinstance(sample, DetDataSample)
    assert sample.ori_shape == (600, 512)
    found, expected = sample.pred_instances, reference.pred_instances
    assert len(found) == len(expected) > 0
    for key in ('bboxes', 'scores', 'labels'):
        assert torch.allclose(found[key].float(), expected[key].float(),
                              atol=1e-4), key


def test_segmentation_is_the_mmseg_inferencers(checkpoint):
    from mmseg.apis import MMSegInferencer
    from mmseg.structures import SegDataSample
    path = checkpoint(DEMOS['mmseg'])
    model = mmca.get_model(DEMOS['mmseg'], pretrained=path)
    sample = mmca.inference_model(model, PHOTO)
    # of one image, the sample itself
    reference = MMSegInferencer(demo_config(DEMOS['mmseg']), path,
                                device='cpu')(PHOTO, return_datasamples=True)
    assert isinstance(sample, SegDataSample)
    mask = sample.pred_sem_seg.data
    assert mask.shape == (1, 600, 512)
    assert len(mask.unique()) > 1
    assert torch.equal(mask, reference.pred_sem_seg.data)
    assert torch.allclose(sample.seg_logits.data, reference.seg_logits.data,
                          atol=1e-4)


def test_classification_is_the_mmpretrain_inferencers(checkpoint):
    from mmpretrain.apis import ImageClassificationInferencer
    from mmpretrain.structures import DataSample
    path = checkpoint(DEMOS['mmpretrain'])
    model = mmca.get_model(DEMOS['mmpretrain'], pretrained=path)
    sample = mmca.inference_model(model, PHOTO)
    reference, = ImageClassificationInferencer(
        demo_config(DEMOS['mmpretrain']), pretrained=path,
        device='cpu')(PHOTO, return_datasamples=True)
    assert isinstance(sample, DataSample)
    assert torch.allclose(sample.pred_score, reference.pred_score, atol=1e-5)
    assert sample.pred_label == reference.pred_label
    assert abs(float(sample.pred_score.sum()) - 1) < 1e-5


def test_a_list_of_images_gives_a_list_and_an_array_is_an_image(checkpoint):
    path = checkpoint(DEMOS['mmpretrain'])
    model = mmca.get_model(DEMOS['mmpretrain'], pretrained=path)
    image = cv2.imread(PHOTO)
    samples = mmca.inference_model(model, [PHOTO, image[:, ::-1].copy()])
    assert isinstance(samples, list) and len(samples) == 2
    one = mmca.inference_model(model, image)
    assert torch.allclose(one.pred_score, samples[0].pred_score, atol=1e-5)


def test_a_name_is_built_for_the_call():
    sample = mmca.inference_model(DEMOS['mmpretrain'], PHOTO)
    model = mmca.get_model(DEMOS['mmpretrain'])
    assert sample.pred_score.shape == (model.head.fc.out_features, )


def test_a_model_without_its_config_is_one_line():
    with pytest.raises(InputError, match='needs a model of mmca.get_model'):
        mmca.inference_model(torch.nn.Conv2d(3, 3, 1), PHOTO)
