from .mobilenet_v2_ca import MobileNetV2CA
from .mobilenext_ca import MobileNeXtCA

__all__ = ['MobileNetV2CA', 'MobileNeXtCA']
