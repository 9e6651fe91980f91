"""mmdet's SSD head, able to predict under mmdet 3.3.0."""
from mmdet.models.dense_heads import SSDHead
from mmengine.registry import MODELS


@MODELS.register_module()
class SSDLiteHead(SSDHead):
    """:class:`mmdet.models.dense_heads.SSDHead`, with predict working.

    mmdet 3.3.0's ``BaseDenseHead._predict_by_feat_single`` reads
    ``self.loss_cls`` to ask whether the loss brings its own activation, but
    SSDHead computes its loss inline and has no ``loss_cls``, so every
    ``predict`` (validation, test, inference) raises ``AttributeError``.
    No loss module here means the default softmax, which is what SSD uses.
    Everything else is SSDHead's; ``use_depthwise=True`` makes it SSDLite.
    """

    loss_cls = None
