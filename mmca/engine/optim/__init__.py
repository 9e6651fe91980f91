"""Training's update step made cheaper on CPUs, the math unchanged: the
optimizer's parameter groups merged (:mod:`.grouped_constructor`) and, where
mmdet imports, its EMA of the weights updated in one batched call
(:mod:`.foreach_ema`)."""
from mmca.utils.optional_import import library_imports
from .grouped_constructor import GroupedOptimWrapperConstructor

__all__ = ['GroupedOptimWrapperConstructor']

if library_imports('mmdet.models'):  # the EMA it batches is mmdet's
    from .foreach_ema import ForeachExpMomentumEMA  # noqa: F401
    __all__ += ['ForeachExpMomentumEMA']
