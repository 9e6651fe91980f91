"""Training's update step made cheaper on CPUs, the math unchanged: the
optimizer's parameter groups merged (:mod:`.grouped_constructor`) and the
EMA of the weights updated in one batched call (:mod:`.foreach_ema`)."""
from .foreach_ema import ForeachExpMomentumEMA
from .grouped_constructor import GroupedOptimWrapperConstructor

__all__ = ['ForeachExpMomentumEMA', 'GroupedOptimWrapperConstructor']
