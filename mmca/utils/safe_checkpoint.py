"""Load mmengine checkpoints with ``torch.load(weights_only=True)``.

Since torch 2.6, ``torch.load`` refuses every pickled global it does not
know, and mmengine 0.10.7 loads its own runner checkpoints (message hub
history, numpy scalars and arrays) through it, so ``test.py``, ``--resume``
and ``load_from`` fail. Rather than turning the check off, mmca replaces
mmengine's loader for local files with one that allows exactly the types a
runner checkpoint holds and still refuses any other pickled global
(:mod:`mmca.engine.mmengine_patches` registers it with mmengine).
"""
import os.path as osp
import pickle
import zipfile
from typing import Any, List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def _numpy_globals() -> List[Any]:
    """Globals numpy arrays and scalars of numeric dtypes pickle through."""
    if np.lib.NumpyVersion(np.__version__) >= '2.0.0':
        multiarray = np._core.multiarray
    else:
        multiarray = np.core.multiarray
    numeric_dtypes = [
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
        np.uint16, np.uint32, np.uint64, np.float16, np.float32, np.float64,
        np.complex64, np.complex128
    ]
    # numpy >= 2 pickles these under their numpy 1 names, numpy.core.*,
    # so that numpy 1 can read the file; allow them under both
    aliases = [(function, f'numpy.core.multiarray.{function.__name__}')
               for function in (multiarray._reconstruct, multiarray.scalar)]
    return [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype
            ] + aliases + [type(np.dtype(t)) for t in numeric_dtypes]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a pickled object outside the allow-list."""


class BrokenCheckpointError(ValueError):
    """A checkpoint file torch cannot read: empty, cut short or not one.

    Attributes:
        filename: The file.
        reason: What is wrong with it, as a phrase (``it is empty``).
    """

    def __init__(self, filename: str, reason: str,
                 cause: str = 'A crash or a full disk while it was written'
                 ) -> None:
        self.filename, self.reason = filename, reason
        super().__init__(
            f'checkpoint {filename} is broken: {reason}. {cause} leaves such '
            'a file; use another checkpoint, or copy or download this one '
            'again.')


def _history_buffer_statistic(owner: Any, name: str) -> Any:
    """Stands in for ``getattr`` while unpickling a runner checkpoint.

    A HistoryBuffer pickles its table of statistics as
    ``getattr(HistoryBuffer, 'mean')`` and so on. A general ``getattr``
    would reach anything, so only these lookups are answered.
    """
    if owner is HistoryBuffer and name in ('min', 'max', 'mean', 'current'):
        return getattr(HistoryBuffer, name)
    raise UnsafeCheckpointError(
        f'getattr({owner!r}, {name!r}) is not a HistoryBuffer statistic')


#: Every global a checkpoint written by mmengine's runner may hold.
RUNNER_CHECKPOINT_GLOBALS = [
    HistoryBuffer, (_history_buffer_statistic, 'builtins.getattr')
] + _numpy_globals()


#: What torch's weights-only unpickler says of bytes that are no pickle at
#: all (garbage, a cut stream), as against a pickle of a refused global.
_CORRUPT_PICKLE = ('Unsupported operand', 'String is too long',
                   'unsupported persistent id')


def load_checkpoint_safely(filename: str,
                           map_location: Optional[str] = None,
                           extra_globals: Sequence[Any] = ()) -> Any:
    """``torch.load`` with ``weights_only=True`` and the runner's types.

    Args:
        filename (str): The checkpoint file.
        map_location (str, optional): As for ``torch.load``.
        extra_globals (Sequence): Classes or functions to allow besides the
            runner's, for a caller that reads checkpoints of another trainer
            (timm's hold an ``argparse.Namespace``). Defaults to none.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        UnsafeCheckpointError: the file holds any other pickled global.
        BrokenCheckpointError: the file is empty, truncated or not a
            checkpoint at all.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    damaged = _record_failing_its_crc(filename)
    if damaged:
        raise BrokenCheckpointError(
            filename, f'its record {damaged} fails its CRC-32 check (its '
            'bytes changed after torch wrote them)',
            cause='Damage on the disk or in a copy')
    with torch.serialization.safe_globals(
            RUNNER_CHECKPOINT_GLOBALS + list(extra_globals)):
        try:
            return torch.load(
                filename, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            if any(marker in str(err) for marker in _CORRUPT_PICKLE):
                raise BrokenCheckpointError(
                    filename, _broken_reason(filename, err)) from None
            raise UnsafeCheckpointError(
                f'Refusing to load {filename}: {_reason(err)}. mmca loads '
                'checkpoints with weights_only=True and allows tensors, numpy '
                'arrays and scalars and mmengine HistoryBuffers'
                f'{_also_allowed(extra_globals)}, so that a '
                'checkpoint cannot run code. If you trust this file, re-save '
                'its weights alone: torch.save({"state_dict": torch.load('
                'path, weights_only=False)["state_dict"]}, '
                'new_path)') from None
        except (MemoryError, PermissionError):
            raise
        except Exception as err:    # torch reports a bad file many ways
            raise BrokenCheckpointError(
                filename, _broken_reason(filename, err)) from None


def _also_allowed(extra_globals: Sequence[Any]) -> str:
    """`` (and here argparse.Namespace)``, or nothing without extras."""
    names = ', '.join(f'{g.__module__}.{g.__qualname__}'
                      for g in extra_globals)
    return f' (and here {names})' if names else ''


def _record_failing_its_crc(filename: str) -> Optional[str]:
    """The first record of a zip checkpoint whose bytes fail the CRC-32
    torch stored for it, or None.

    torch writes a CRC-32 of every record but never checks one on load, so
    a checkpoint damaged in place (its length unchanged) would load with
    wrong weights. The second read comes from the page cache, so it costs
    little beside the load (docs/reliability.md has the time).
    """
    if not zipfile.is_zipfile(filename):   # legacy format, or cut short
        return None
    with zipfile.ZipFile(filename) as archive:
        for record in archive.infolist():
            # torch.serialization.set_crc32_options(False) stores 0
            if record.CRC == 0:
                continue
            try:
                with archive.open(record) as data:
                    while data.read(2**20):   # zipfile checks at the end
                        pass
            except zipfile.BadZipFile:
                return record.filename
    return None


def _broken_reason(filename: str, err: Exception) -> str:
    size = osp.getsize(filename)
    if size == 0:
        return 'it is empty (0 bytes)'
    with open(filename, 'rb') as file:
        zip_start = file.read(4) == b'PK\x03\x04'
    if zip_start and not zipfile.is_zipfile(filename):
        return f'it is truncated ({size} bytes, no zip index at its end)'
    if isinstance(err, pickle.UnpicklingError):
        err = pickle.UnpicklingError(_reason(err))
    lines = str(err).strip().splitlines()
    detail = f': {lines[0][:120]}' if lines else ''
    return f'torch cannot read it ({size} bytes; {type(err).__name__}{detail})'


def _reason(err: Exception) -> str:
    """The part of torch's weights-only error that names the culprit."""
    message = str(err)
    if 'WeightsUnpickler error:' in message:
        message = message.split('WeightsUnpickler error:', 1)[1]
        message = message.split('Check the documentation', 1)[0]
        message = message.split('. Please use', 1)[0]
    return ' '.join(message.split()).rstrip('.')
