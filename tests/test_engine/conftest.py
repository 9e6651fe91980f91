"""A toy mmengine run: two loss terms, a sample that can spoil one."""
import uuid

import pytest
from engine_toy_run import ToyDataset, ToyModel
from mmengine.runner import Runner


@pytest.fixture
def toy_runner():
    """``toy_runner(work_dir, **overrides)``: an unstarted toy Runner with
    the AtomicCheckpointHook and NonFiniteLossHook, 2 samples a batch, 4
    batches an epoch; sample ``bad_index`` gets the label ``bad_value``.
    ``checkpoint`` updates the checkpoint hook's config."""
    def build(work_dir, max_epochs=2, bad_index=None, bad_value=float('nan'),
              checkpoint=None, train_cfg=None, resume=False, model=None):
        return Runner(
            model=model or ToyModel(), work_dir=str(work_dir),
            train_dataloader=dict(
                dataset=ToyDataset(bad_index, bad_value), batch_size=2,
                sampler=dict(type='DefaultSampler', shuffle=False),
                collate_fn=dict(type='default_collate')),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
            train_cfg=train_cfg or dict(by_epoch=True, max_epochs=max_epochs),
            default_hooks=dict(checkpoint={
                'type': 'AtomicCheckpointHook', 'interval': 1,
                **(checkpoint or {})}),
            custom_hooks=[dict(type='NonFiniteLossHook')],
            resume=resume, experiment_name=f'toy_{uuid.uuid4().hex}',
            default_scope='mmengine')
    return build
