"""mmdet 3.3.0's SSDHead cannot predict; SSDLiteHead can, with softmax."""
import pytest
import torch
from mmdet.models.dense_heads import SSDHead
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from mmca.models import SSDLiteHead

HEAD = dict(
    num_classes=3, in_channels=(8, 16), use_depthwise=True,
    anchor_generator=dict(
        type='SSDAnchorGenerator', scale_major=False, strides=[16, 32],
        ratios=[[2], [2]], min_sizes=[16, 32], max_sizes=[32, 64]),
    bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0] * 4,
                    target_stds=[0.1, 0.1, 0.2, 0.2]),
    test_cfg=ConfigDict(nms_pre=100, nms=dict(type='nms', iou_threshold=0.45),
                        min_bbox_size=0, score_thr=0.0, max_per_img=10))
FEATS = (torch.randn(1, 8, 4, 4), torch.randn(1, 16, 2, 2))
META = [dict(img_shape=(64, 64), scale_factor=(1., 1.))]


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')      # the anchor generator is an mmdet util


def test_mmdet_ssd_head_crashes_in_predict():
    head = SSDHead(**HEAD).eval()
    with pytest.raises(AttributeError, match='loss_cls'):
        head.predict_by_feat(*head(FEATS), batch_img_metas=META)


def test_ssdlite_head_predicts_softmax_scores():
    torch.manual_seed(0)
    head = SSDLiteHead(**HEAD).eval()
    cls_scores, bbox_preds = head(FEATS)
    result, = head.predict_by_feat(cls_scores, bbox_preds,
                                   batch_img_metas=META)
    assert isinstance(result, InstanceData)
    assert 0 < len(result.scores) <= 10
    # the best score is the softmax over 3 classes + background of one prior
    probs = torch.cat([s.permute(0, 2, 3, 1).reshape(-1, 4)
                       for s in cls_scores]).softmax(-1)
    torch.testing.assert_close(result.scores.max(), probs[:, :3].max())
    assert result.labels.max() < 3
