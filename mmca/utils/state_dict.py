"""Compare a checkpoint's weights with the weights a model expects."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping

import torch

from .safe_checkpoint import load_checkpoint_safely

WRAPPER_PREFIX = 'module.'


def unwrap_state_dict(checkpoint: Mapping[str, Any]) -> Dict[str, Any]:
    """The weights of a checkpoint, as a model of its own would name them.

    Takes a runner checkpoint (weights under ``state_dict``) or bare
    weights, and drops the ``module.`` prefix that (Distributed)DataParallel
    adds to every key.
    """
    weights = checkpoint.get('state_dict', checkpoint)
    return {
        key[len(WRAPPER_PREFIX):] if key.startswith(WRAPPER_PREFIX) else key:
        value
        for key, value in weights.items()
    }


def load_weights(path: str) -> Dict[str, Any]:
    """The weights of a checkpoint file, loaded safely on the CPU and
    unwrapped (see :func:`unwrap_state_dict`).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        UnsafeCheckpointError: the file holds a pickled object outside the
            allow-list of :func:`load_checkpoint_safely`.
        BrokenCheckpointError: the file is empty, truncated or not a
            checkpoint.
    """
    return unwrap_state_dict(load_checkpoint_safely(path, map_location='cpu'))


def select_prefix(weights: Mapping[str, Any], prefix: str) -> Dict[str, Any]:
    """The weights under ``prefix`` (e.g. ``'backbone.'``), prefix removed."""
    return {key[len(prefix):]: value for key, value in weights.items()
            if key.startswith(prefix)}


@dataclass
class StateDictMismatch:
    """How a set of weights differs from the weights a model expects.

    Attributes:
        missing: Keys the model has and the weights lack.
        unexpected: Keys the weights have and the model lacks.
        wrong_shape: Keys both have, with other shapes, as
            ``'key: (weights shape) vs (model shape)'``.
    """
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    wrong_shape: List[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.wrong_shape)

    def describe(self, most: int = 3) -> str:
        """One line: the counts of each kind and the first few keys."""
        parts = []
        for name, keys in (('missing', self.missing),
                           ('unexpected', self.unexpected),
                           ('of another shape', self.wrong_shape)):
            if keys:
                more = (f', +{len(keys) - most} more' if len(keys) > most
                        else '')
                parts.append(f'{len(keys)} {name} ({", ".join(keys[:most])}'
                             f'{more})')
        return '; '.join(parts) or 'none'


def compare_state_dicts(weights: Mapping[str, torch.Tensor],
                        expected: Mapping[str, torch.Tensor]
                        ) -> StateDictMismatch:
    """Compare ``weights`` with a model's ``expected`` state dict."""
    shared = sorted(set(weights) & set(expected))
    return StateDictMismatch(
        missing=sorted(set(expected) - set(weights)),
        unexpected=sorted(set(weights) - set(expected)),
        wrong_shape=[
            f'{key}: {tuple(weights[key].shape)} vs '
            f'{tuple(expected[key].shape)}' for key in shared
            if weights[key].shape != expected[key].shape
        ])
