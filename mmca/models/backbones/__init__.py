from .efficientnet_ca import EFFICIENTNET_SE, EfficientNetB0CA
from .mobilenet_v2_ca import MobileNetV2CA
from .mobilenet_v3_ca import (MOBILENETV3_SE, MobileNetV3CA,
                              MobileNetV3LargeCA, MobileNetV3SmallCA)
from .mobilenext_ca import MobileNeXtCA

__all__ = [
    'EFFICIENTNET_SE', 'EfficientNetB0CA', 'MobileNetV2CA', 'MOBILENETV3_SE',
    'MobileNetV3CA', 'MobileNetV3LargeCA', 'MobileNetV3SmallCA',
    'MobileNeXtCA'
]
