"""Runner checkpoints load with weights_only on; other pickles are refused."""
import pickle

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmca.utils import (BrokenCheckpointError, UnsafeCheckpointError,
                        load_checkpoint_safely)


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(inputs)                # default_collate batches both
        if mode == 'loss':
            return dict(loss=((out.squeeze(1) - labels) ** 2).mean())
        return out


class ToyDataset(torch.utils.data.Dataset):
    metainfo = dict(classes=('a', 'b'))

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.tensor([i / 8, 1.0]),
                    labels=torch.tensor(i / 8))


def train_toy(work_dir, max_epochs, resume=False):
    runner = Runner(
        model=ToyModel(), work_dir=str(work_dir),
        train_dataloader=dict(dataset=ToyDataset(), batch_size=4,
                              sampler=dict(type='DefaultSampler',
                                           shuffle=False),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        resume=resume, experiment_name='toy', default_scope='mmengine')
    runner.train()
    return runner


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('toy')
    train_toy(work_dir, max_epochs=1)
    return work_dir, work_dir / 'epoch_1.pth'


def test_plain_torch_load_refuses_runner_checkpoints(runner_checkpoint):
    """The defect being fixed: torch >= 2.6 cannot load what mmengine wrote."""
    _, path = runner_checkpoint
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_runner_checkpoint_loads_with_history_and_numpy(runner_checkpoint):
    _, path = runner_checkpoint
    checkpoint = load_checkpoint_safely(str(path), map_location='cpu')
    history = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(history, HistoryBuffer)
    assert (isinstance(history.data[0], np.ndarray)
            and len(history.data[0]) == 2)
    assert checkpoint['meta']['epoch'] == 1
    # mmengine's own loading path (test.py, load_from, Pretrained) uses it too
    assert _load_checkpoint(str(path))['meta']['epoch'] == 1


def test_resume_continues_from_the_checkpoint(runner_checkpoint):
    work_dir, _ = runner_checkpoint
    runner = train_toy(work_dir, max_epochs=2, resume=True)
    assert runner.train_loop.epoch == 2
    assert (work_dir / 'epoch_2.pth').exists()


class Payload:
    """Stands for any pickled object: unpickling it could run code."""

    def __reduce__(self):
        return (print, ('unpickled!', ))


def test_any_other_pickled_global_is_refused(tmp_path, capsys):
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(1)), payload=Payload()), path)
    with pytest.raises(UnsafeCheckpointError,
                       match=r'GLOBAL (builtins\.)?print was not '
                             r'an allowed'):
        load_checkpoint_safely(str(path))
    with pytest.raises(UnsafeCheckpointError, match='weights_only=True'):
        _load_checkpoint(str(path))
    assert 'unpickled!' not in capsys.readouterr().out


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_checkpoint_safely(str(tmp_path / 'nope.pth'))


class GetattrPayload:
    """Reaches past the HistoryBuffer statistics through getattr."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_answers_only_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save(dict(payload=GetattrPayload()), path)
    with pytest.raises(UnsafeCheckpointError, match='__init__'):
        load_checkpoint_safely(str(path))


@pytest.mark.parametrize('cut,reason', [
    (lambda data: b'', 'it is empty (0 bytes)'),
    (lambda data: data[:len(data) // 2], 'it is truncated ('),
    (lambda data: data[:-1], 'it is truncated ('),
    (lambda data: b'not a checkpoint\n' * 8,
     'torch cannot read it (136 bytes; '),
])
def test_a_cut_short_checkpoint_is_one_message_naming_the_file(
        runner_checkpoint, tmp_path, cut, reason):
    _, path = runner_checkpoint
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(cut(path.read_bytes()))
    with pytest.raises(BrokenCheckpointError) as info:
        load_checkpoint_safely(str(broken))
    assert info.value.reason.startswith(reason)
    assert str(info.value).startswith(
        f'checkpoint {broken} is broken: {reason}')
    assert '\n' not in str(info.value)
    # every mmengine path reaches the same loader: load_from, --resume, test
    # checkpoints and Pretrained init (below)
    with pytest.raises(BrokenCheckpointError):
        _load_checkpoint(str(broken))


def test_a_broken_pretrained_checkpoint_fails_the_init_naming_the_file(
        tmp_path):
    from mmengine.model.weight_init import PretrainedInit
    broken = tmp_path / 'backbone.pth'
    broken.write_bytes(b'')
    with pytest.raises(BrokenCheckpointError, match=str(broken)):
        PretrainedInit(checkpoint=str(broken))(nn.Linear(2, 1))


def flip_a_byte_of_record(path, record_name: str, out) -> None:
    """Write ``path`` to ``out`` with one byte of a zip record's data
    inverted: the length and the zip index stay as they were."""
    import zipfile
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        record = next(r for r in archive.infolist()
                      if r.filename.endswith(record_name))
        # the local header: 30 bytes, then the name and the extra field
        name_length, extra_length = np.frombuffer(
            data[record.header_offset + 26:record.header_offset + 30],
            '<u2')
        start = record.header_offset + 30 + name_length + extra_length
    data[start + record.file_size // 2] ^= 0xFF
    out.write_bytes(bytes(data))


@pytest.mark.parametrize('record', ['data/0', 'data.pkl'])
def test_a_checkpoint_damaged_in_place_is_refused_naming_the_record(
        runner_checkpoint, tmp_path, record):
    _, path = runner_checkpoint
    damaged = tmp_path / 'damaged.pth'
    flip_a_byte_of_record(path, record, damaged)
    assert damaged.stat().st_size == path.stat().st_size
    with pytest.raises(BrokenCheckpointError) as info:
        _load_checkpoint(str(damaged))
    assert info.value.reason.startswith('its record ')
    assert info.value.reason.split()[2].endswith(record)
    assert 'fails its CRC-32 check' in str(info.value)


def test_a_checkpoint_written_without_crcs_still_loads(tmp_path):
    path = tmp_path / 'no_crc.pth'
    torch.serialization.set_crc32_options(False)
    try:
        torch.save({'w': torch.arange(1000.0)}, path)
    finally:
        torch.serialization.set_crc32_options(True)
    assert torch.equal(load_checkpoint_safely(str(path))['w'],
                       torch.arange(1000.0))
