"""record_gates: the gates each attention reports are the ones it applied."""
import contextlib

import pytest
import torch
import torch.nn as nn

from mmca.models import (CBAM, CoordAttention, MobileNetV2CA, MobileNeXtCA,
                         SqueezeExcitation)
from mmca.models.attention import record_gates, records_gates
from mmca.ops import load_ops


def randomised(module: nn.Module) -> nn.Module:
    torch.manual_seed(0)
    for p in module.parameters():
        p.data.normal_(0, 0.5)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 2.0)
    return module


def layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last
                        if channels_last else torch.contiguous_format)


# path -> (training mode, gradient enabled, strip activation)
CA_PATHS = {
    'fused': (False, False, 'HSwish'),         # the compiled inference op
    'plain-training': (True, True, 'HSwish'),
    'plain-eval-grad': (False, True, 'HSwish'),
    'plain-eval-gelu': (False, False, 'GELU'),  # not an op activation
}


def run_recorded(module, x, grad, **kwargs):
    """module(x) while recording; the output and the records."""
    with torch.set_grad_enabled(grad), record_gates(module) as records:
        out = module(x, **kwargs)
    return out, records


@pytest.mark.parametrize('path', CA_PATHS)
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('input_act', [None, nn.ReLU6(), nn.Hardswish()],
                         ids=['no-act', 'ReLU6', 'Hardswish'])
@pytest.mark.parametrize('inplace', [False, True])
def test_ca_gates_times_input_reproduce_the_output(path, channels_last,
                                                   input_act, inplace):
    training, grad, act = CA_PATHS[path]
    module = randomised(CoordAttention(
        40, act_cfg=dict(type=act), inplace=inplace)).train(training)
    x = layout(torch.randn(2, 40, 9, 13) * 3, channels_last)
    kept = x.clone()
    with torch.set_grad_enabled(grad):
        assert module._fuses_inference(x) == (path == 'fused') and load_ops()
    kwargs = {} if input_act is None else dict(input_act=input_act)
    out, records = run_recorded(module, x, grad, **kwargs)

    assert len(records) == 1 and records[0].module is module
    gates = records[0].gates
    assert list(gates) == ['gate_h', 'gate_w']
    assert gates['gate_h'].shape == (2, 40, 9, 1)
    assert gates['gate_w'].shape == (2, 40, 1, 13)
    assert not any(g.requires_grad for g in gates.values())
    # the gates multiply the activated input, wherever it was activated
    x_in = kept if input_act is None else input_act(kept)
    want = x_in * gates['gate_h'] * gates['gate_w']
    torch.testing.assert_close(out.detach(), want, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(records[0].apply(x_in), want)


@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('input_act', [None, nn.ReLU6()],
                         ids=['no-act', 'ReLU6'])
def test_recording_takes_the_same_path_and_changes_no_output(
        channels_last, input_act):
    """The compiled op also runs while recording: the outputs are equal to
    the bit, and the gates are exactly those it multiplied by."""
    module = randomised(CoordAttention(64)).eval()
    x = layout(torch.randn(1, 64, 20, 20) * 3, channels_last)
    kwargs = {} if input_act is None else dict(input_act=input_act)
    with torch.no_grad():
        plain = module(x.clone(), **kwargs)
    out, [record] = run_recorded(module, x, False, **kwargs)
    assert torch.equal(out, plain)
    x_in = x if input_act is None else input_act(x)
    assert torch.equal(record.apply(x_in), out)


@pytest.mark.parametrize('training', [False, True])
@pytest.mark.parametrize('channels_last', [False, True])
def test_se_channel_weights_reproduce_the_output(training, channels_last):
    module = randomised(SqueezeExcitation(48, inplace=True)).train(training)
    x = layout(torch.randn(2, 48, 6, 7), channels_last)
    kept = x.clone()
    out, [record] = run_recorded(module, x, training)
    assert list(record.gates) == ['channel']
    assert record.gates['channel'].shape == (2, 48, 1, 1)
    torch.testing.assert_close(out.detach(), record.apply(kept),
                               atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('training', [False, True])
@pytest.mark.parametrize('channels_last', [False, True])
def test_cbam_channel_then_spatial_gates_reproduce_the_output(
        training, channels_last):
    module = randomised(CBAM(32, reduction=4, inplace=True)).train(training)
    x = layout(torch.randn(2, 32, 6, 7), channels_last)
    kept = x.clone()
    out, [record] = run_recorded(module, x, training)
    gates = record.gates
    assert list(gates) == ['channel', 'spatial']
    assert gates['channel'].shape == (2, 32, 1, 1)
    assert gates['spatial'].shape == (2, 1, 6, 7)
    torch.testing.assert_close(out.detach(),
                               kept * gates['channel'] * gates['spatial'],
                               atol=1e-5, rtol=1e-5)


def attention_io(model: nn.Module) -> contextlib.ExitStack:
    """Hooks that keep each attention's activated input and its output, in
    ``model.io`` (a list in call order): the input is copied before an
    in-place attention overwrites it."""
    model.io = []
    stack = contextlib.ExitStack()

    def keep_input(module, args, kwargs):
        x = args[0].clone()
        act = kwargs.get('input_act')
        model.io.append([x if act is None else act(x), None])

    def keep_output(module, args, kwargs, out):
        model.io[-1][1] = out.detach().clone()

    for module in model.modules():
        if records_gates(module):
            stack.enter_context(module.register_forward_pre_hook(
                keep_input, with_kwargs=True))
            stack.enter_context(module.register_forward_hook(
                keep_output, with_kwargs=True))
    return stack


ATTENTIONS = {cls.__name__: cls
              for cls in (CoordAttention, SqueezeExcitation, CBAM)}


@pytest.mark.parametrize('backbone', [MobileNetV2CA, MobileNeXtCA])
@pytest.mark.parametrize('attention', list(ATTENTIONS))
@pytest.mark.parametrize('mode', ['inference', 'training'])
@pytest.mark.parametrize('channels_last', [False, True])
def test_every_attention_of_a_backbone_is_recorded_exactly(
        backbone, attention, mode, channels_last):
    """In a whole backbone (in-place attentions, the depthwise conv's ReLU6
    applied by CA's op), every layer's record reproduces its output."""
    model = randomised(backbone(widen_factor=0.5, out_indices=(6, ),
                                attention=dict(type=attention)))
    model.train(mode == 'training')
    if channels_last:
        model.to(memory_format=torch.channels_last)
    x = layout(torch.randn(2, 3, 64, 96), channels_last)
    with attention_io(model), torch.set_grad_enabled(mode == 'training'), \
            record_gates(model) as records:
        model(x)
    layers = [name for name, m in model.named_modules() if records_gates(m)]
    assert [r.name for r in records] == layers
    assert len(model.io) == len(layers) > 10
    for record, (x_in, out) in zip(records, model.io):
        assert isinstance(record.module, ATTENTIONS[attention])
        torch.testing.assert_close(record.apply(x_in), out, atol=1e-5,
                                   rtol=1e-5, msg=record.name)


def test_recording_stops_with_the_block_and_does_not_nest():
    module = randomised(CoordAttention(16)).eval()
    x = torch.randn(1, 16, 5, 6)
    with record_gates(module) as records:
        with pytest.raises(RuntimeError, match='already being recorded'):
            with record_gates(module):
                pass
        module(x)
    assert len(records) == 1
    assert 'gate_recorder' not in vars(module)
    assert module.gate_recorder is None
    module(x)
    assert len(records) == 1


def test_training_with_recording_still_backpropagates():
    module = randomised(CoordAttention(16)).train()
    x = torch.randn(2, 16, 5, 6, requires_grad=True)
    with record_gates(module) as records:
        module(x).sum().backward()
    assert x.grad is not None and module.conv_h.weight.grad is not None
    assert len(records) == 1
