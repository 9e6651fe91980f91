from mmca.utils.optional_import import library_imports
from .attention import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403

if library_imports('mmdet.models'):
    from .dense_heads import *  # noqa: F401,F403
if library_imports('mmpretrain.models'):
    from .cls_heads import *  # noqa: F401,F403
