"""A run stopped by a signal saves where it is, and the resumed run ends
with the weights of a run that never stopped."""
import os
import random
import signal
import uuid

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.registry import DATASETS, HOOKS, MODELS
from mmengine.runner import Runner

from mmca.engine import (TrainingStopped, stop_on_signals,
                         use_reliability_hooks, use_resumable_loops,
                         use_resumed_seed)
from mmca.utils import load_checkpoint_safely


@MODELS.register_module(force=True)
class NoisyToyModel(BaseModel):
    """A linear fit through dropout: the model draws random numbers."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 1)
        self.dropout = nn.Dropout(0.5)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(self.dropout(inputs)).squeeze(1)
        if mode == 'loss':
            return dict(loss=((out - labels) ** 2).mean())
        return out


@DATASETS.register_module(force=True)
class NoisyToyDataset(torch.utils.data.Dataset):
    """10 samples, each augmented with noise from all three generators."""
    metainfo = dict(classes=('a', ))
    loads = 0

    def __len__(self):
        return 10

    def __getitem__(self, i):
        type(self).loads += 1
        noise = torch.tensor([random.random(), np.random.rand(),
                              torch.rand(()).item(), 0.0])
        return dict(inputs=torch.tensor([i / 10, 1.0, -i / 10, 0.5]) + noise,
                    labels=torch.tensor(i / 10))


@HOOKS.register_module(force=True)
class SignalAtIteration(Hook):
    """Sends ``signals`` to this process at the end of iteration ``at``."""
    priority = 'VERY_HIGH'

    def __init__(self, at, signals=('SIGTERM', )):
        self.at, self.signals = at, signals

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.at:
            for name in self.signals:
                os.kill(os.getpid(), getattr(signal, name))


def make_cfg(work_dir, num_workers=0, max_epochs=3, signal_at=None,
             signals=('SIGTERM', ), resume_from=None):
    """The config tools/train.py would build (its rewrites applied);
    4 batches an epoch, the last one short. A new run has seed 5; a resumed
    one none of its own, as a config without ``randomness`` has."""
    cfg = Config(dict(
        model=dict(type='NoisyToyModel'), work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=dict(type='NoisyToyDataset'), batch_size=3,
            num_workers=num_workers, persistent_workers=num_workers > 0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1,
                                          momentum=0.9)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=1)),
        custom_hooks=([dict(type='SignalAtIteration', at=signal_at,
                            signals=signals)] if signal_at else []),
        experiment_name=f'toy_{uuid.uuid4().hex}', default_scope='mmengine'))
    if resume_from:
        cfg.resume, cfg.load_from = True, str(resume_from)
    else:
        cfg.randomness = dict(seed=5)
    use_resumed_seed(cfg)
    use_reliability_hooks(cfg)
    use_resumable_loops(cfg)
    return cfg


def final_weights(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


@pytest.mark.parametrize('num_workers', [0, 2])
def test_a_run_stopped_mid_epoch_resumes_to_the_same_weights(tmp_path,
                                                             num_workers):
    whole = Runner.from_cfg(make_cfg(tmp_path / 'whole', num_workers))
    whole.train()
    expected = final_weights(whole)

    # iteration 6 is batch 2 of epoch 2
    stopped = Runner.from_cfg(make_cfg(tmp_path / 'parts', num_workers,
                                       signal_at=6))
    with stop_on_signals(), pytest.raises(TrainingStopped) as info:
        stopped.train()
    saved = tmp_path / 'parts' / 'iter_6.pth'
    assert str(info.value).startswith(
        f'SIGTERM: stopped after iteration 6 (epoch 2, batch 2 of 4), saved '
        f'as {saved}.')
    assert (tmp_path / 'parts' / 'last_checkpoint').read_text().endswith(
        'iter_6.pth')
    meta = load_checkpoint_safely(str(saved), 'cpu')['meta']
    assert (meta['epoch'], meta['iter']) == (1, 6)
    # the resumed config has no seed: the run takes the checkpoint's
    seed = meta['seed']

    NoisyToyDataset.loads = 0
    resumed = Runner.from_cfg(make_cfg(tmp_path / 'parts', num_workers,
                                       resume_from=saved))
    assert resumed.seed == seed
    resumed.train()
    assert resumed.iter == whole.iter == 12
    if num_workers == 0:    # loaded here: batches 3 and 4, then epoch 3
        assert NoisyToyDataset.loads == 3 + 1 + 10
    for name, value in final_weights(resumed).items():
        torch.testing.assert_close(value, expected[name], rtol=0, atol=1e-6)


def test_a_run_resumed_at_an_epoch_boundary_ends_the_same(tmp_path):
    whole = Runner.from_cfg(make_cfg(tmp_path / 'whole', max_epochs=2))
    whole.train()
    first = Runner.from_cfg(make_cfg(tmp_path / 'parts', max_epochs=1))
    first.train()
    resumed = Runner.from_cfg(make_cfg(
        tmp_path / 'parts', max_epochs=2,
        resume_from=tmp_path / 'parts' / 'epoch_1.pth'))
    resumed.train()
    for name, value in final_weights(resumed).items():
        torch.testing.assert_close(value, final_weights(whole)[name],
                                   rtol=0, atol=1e-6)


def test_a_second_signal_during_the_stop_saves_once(tmp_path, capsys):
    runner = Runner.from_cfg(make_cfg(tmp_path, signal_at=2,
                                      signals=('SIGINT', 'SIGTERM')))
    with stop_on_signals(), pytest.raises(TrainingStopped,
                                          match='^SIGINT: stopped after '
                                          'iteration 2 '):
        runner.train()
    err = capsys.readouterr().err
    assert 'SIGINT received: saving a checkpoint after this iteration' in err
    assert 'SIGTERM received again: already stopping' in err
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_2.pth']
    load_checkpoint_safely(str(tmp_path / 'iter_2.pth'), 'cpu')


def test_the_next_epoch_checkpoint_supersedes_the_stop_checkpoint(tmp_path):
    runner = Runner.from_cfg(make_cfg(tmp_path, max_epochs=2, signal_at=2))
    with stop_on_signals(), pytest.raises(TrainingStopped):
        runner.train()
    resumed = Runner.from_cfg(make_cfg(tmp_path, max_epochs=2,
                                       resume_from=tmp_path / 'iter_2.pth'))
    resumed.train()
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == [
        'epoch_1.pth', 'epoch_2.pth']


def test_signals_outside_the_context_keep_their_handlers():
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
