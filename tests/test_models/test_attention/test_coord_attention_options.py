"""CoordAttention's options (directions, combine, activation, reduction)
against the paper's equations, written here in plain torch from the
module's weights alone; the compiled inference op for the paper's block,
plain ops for the options."""
import pytest
import torch
import torch.nn.functional as F

import mmca.models.attention.coord_attention as coord_attention_module
from mmca.models import CoordAttention, build_attention, record_gates

ACTIVATIONS = {'HSwish': F.hardswish, 'ReLU6': F.relu6, 'SiLU': F.silu,
               'ReLU': F.relu, 'GELU': F.gelu}
OPTIONS = [dict(directions=('h', )), dict(directions=('w', )),
           dict(combine='softmax')]


def equations(x, weights, directions=('h', 'w'), combine='product',
              act=F.hardswish, batch_stats=False, eps=1e-5):
    """Eq. 2-7 of the paper, and the options as CoordAttention documents
    them, from a state dict. BN on running statistics, or with
    ``batch_stats`` on the statistics of the pooled strips (both strips
    together, as the shared transform sees them)."""
    n, c, h, w = x.shape
    strips = {'h': x.sum(3) / w, 'w': x.sum(2) / h}          # (N, C, H|W)
    w1 = weights['conv1.weight'][:, :, 0, 0]                  # (M, C)
    f = {d: torch.einsum('mc,ncl->nml', w1, strips[d])
         + weights['conv1.bias'][:, None] for d in directions}
    if batch_stats:
        joint = torch.cat([f[d] for d in directions], 2)      # (N, M, L)
        mean = joint.mean((0, 2))
        var = joint.var((0, 2), unbiased=False)
    else:
        mean, var = weights['bn1.running_mean'], weights['bn1.running_var']
    scale = weights['bn1.weight'] / torch.sqrt(var + eps)
    shift = weights['bn1.bias'] - mean * scale
    logits = {}
    for d in directions:
        delta = act(f[d] * scale[:, None] + shift[:, None])
        logits[d] = (torch.einsum('cm,nml->ncl',
                                  weights[f'conv_{d}.weight'][:, :, 0, 0],
                                  delta)
                     + weights[f'conv_{d}.bias'][:, None])    # (N, C, H|W)
    full = {}                                                 # (N, C, H, W)
    if 'h' in logits:
        full['h'] = logits['h'][:, :, :, None].expand(n, c, h, w)
    if 'w' in logits:
        full['w'] = logits['w'][:, :, None, :].expand(n, c, h, w)
    if combine == 'softmax':
        u = torch.stack([full['h'], full['w']])              # (2, N, C, H, W)
        beta = torch.softmax(u, dim=0)
        return x * (beta * torch.sigmoid(u)).sum(0)
    gate = torch.ones_like(x)
    for d in directions:
        gate = gate * torch.sigmoid(full[d])
    return x * gate


def randomised(module: CoordAttention, seed: int = 0) -> CoordAttention:
    torch.manual_seed(seed)
    for p in module.parameters():
        p.data.normal_(0, 0.5)
    module.bn1.running_mean.normal_(0, 0.2)
    module.bn1.running_var.uniform_(0.5, 2.0)
    return module


def layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last
                        if channels_last else torch.contiguous_format)


@pytest.fixture
def compiled_calls(monkeypatch):
    """How often CoordAttention calls the compiled inference op."""
    calls = []
    op = coord_attention_module.coord_attention_inference

    def counted(*args, **kwargs):
        calls.append(1)
        return op(*args, **kwargs)

    monkeypatch.setattr(coord_attention_module, 'coord_attention_inference',
                        counted)
    return calls


def test_defaults_are_the_papers():
    module = CoordAttention(96)
    assert module.directions == ('h', 'w') and module.combine == 'product'
    assert isinstance(module.act, torch.nn.Hardswish)
    assert isinstance(module.bn1, torch.nn.BatchNorm2d)
    assert module.mid_channels == 8                   # max(8, 96 // 32)
    assert set(module.state_dict()) == {
        f'{layer}.{name}' for layer in ('conv1', 'conv_h', 'conv_w')
        for name in ('weight', 'bias')} | {
        f'bn1.{name}' for name in ('weight', 'bias', 'running_mean',
                                   'running_var', 'num_batches_tracked')}


@pytest.mark.parametrize('shape', [(2, 16, 7, 5), (1, 64, 1, 9), (3, 40, 6, 1),
                                   (2, 96, 13, 11)])
@pytest.mark.parametrize('channels_last', [False, True])
def test_defaults_match_the_equations_through_the_compiled_op(
        shape, channels_last, compiled_calls):
    module = randomised(CoordAttention(shape[1])).eval()
    x = layout(torch.randn(shape), channels_last)
    with torch.no_grad():
        got = module(x)
    assert compiled_calls == [1]
    torch.testing.assert_close(got, equations(x, module.state_dict()),
                               atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('act', ['HSwish', 'ReLU6', 'SiLU', 'ReLU', 'GELU'])
@pytest.mark.parametrize('reduction', [32, 8, 4])
def test_activation_and_reduction_options_match_the_equations(
        act, reduction, compiled_calls):
    """h-swish, ReLU6, SiLU and ReLU run in the compiled op; any other
    activation (GELU) in plain ops, with the same result."""
    module = randomised(CoordAttention(64, reduction=reduction,
                                       act_cfg=dict(type=act))).eval()
    assert module.mid_channels == max(8, 64 // reduction)
    x = torch.randn(2, 64, 9, 6)
    with torch.no_grad():
        got = module(x)
    assert len(compiled_calls) == (act != 'GELU')
    want = equations(x, module.state_dict(), act=ACTIVATIONS[act])
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('direction', ['h', 'w'])
def test_one_direction_builds_only_its_gate_conv(direction):
    module = CoordAttention(64, directions=(direction, ))
    other = 'w' if direction == 'h' else 'h'
    assert module.directions == (direction, )
    assert isinstance(getattr(module, f'conv_{direction}'), torch.nn.Conv2d)
    assert getattr(module, f'conv_{other}') is None
    assert not any(key.startswith(f'conv_{other}')
                   for key in module.state_dict())
    # F_1 and its BN as in the paper's block, one gate conv: 2CM + C + 3M
    mid = module.mid_channels
    assert sum(p.numel() for p in module.parameters()) == \
        2 * 64 * mid + 64 + 3 * mid


@pytest.mark.parametrize('option', OPTIONS, ids=str)
@pytest.mark.parametrize('shape', [(2, 16, 7, 5), (1, 64, 1, 9), (3, 40, 6, 1),
                                   (2, 96, 13, 11)])
@pytest.mark.parametrize('channels_last', [False, True])
def test_option_matches_the_equations_in_plain_ops_at_inference(
        option, shape, channels_last, compiled_calls):
    module = randomised(CoordAttention(shape[1], **option)).eval()
    x = layout(torch.randn(shape), channels_last)
    with torch.no_grad():
        assert not module._fuses_inference(x)
        got = module(x)
    assert compiled_calls == []
    assert got.shape == x.shape
    torch.testing.assert_close(got, equations(x, module.state_dict(),
                                              **option),
                               atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('option', OPTIONS + [{}], ids=str)
def test_option_trains_as_the_equations_forward_and_backward(option):
    """BN on the batch's statistics of the strips it sees; gradients of the
    input and of every weight."""
    module = randomised(CoordAttention(24, **option)).train()
    x = torch.randn(3, 24, 7, 5, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_()
    weights = {k: v.detach().clone().requires_grad_(v.is_floating_point())
               for k, v in module.state_dict().items()}
    got = module(x)
    want = equations(x_ref, weights, batch_stats=True, **option)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    grad = torch.randn_like(got)
    got.backward(grad)
    want.backward(grad)
    torch.testing.assert_close(x.grad, x_ref.grad, atol=1e-5, rtol=1e-5)
    for name, param in module.named_parameters():
        torch.testing.assert_close(param.grad, weights[name].grad,
                                   atol=1e-5, rtol=1e-5, msg=name)


@pytest.mark.parametrize('option', OPTIONS, ids=str)
@pytest.mark.parametrize('channels_last', [False, True])
def test_option_inplace_writes_into_the_input_at_inference(
        option, channels_last):
    module = randomised(CoordAttention(32, inplace=True, **option)).eval()
    x = layout(torch.randn(2, 32, 6, 9), channels_last)
    want = equations(x, module.state_dict(), **option)
    with torch.no_grad():
        out = module(x)
    assert out.data_ptr() == x.data_ptr()
    torch.testing.assert_close(x, want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('option', OPTIONS, ids=str)
def test_option_applies_the_producers_activation_first(option):
    module = randomised(CoordAttention(32, **option)).eval()
    x = torch.randn(2, 32, 6, 9) * 4
    with torch.no_grad():
        got = module(x, input_act=torch.nn.ReLU6())
    torch.testing.assert_close(
        got, equations(F.relu6(x), module.state_dict(), **option),
        atol=1e-5, rtol=1e-5)


def test_softmax_weights_the_two_gates_to_one():
    """Per position the gate lies between g^h and g^w (a convex mix), and
    is the larger one's where that direction's logit dominates."""
    module = randomised(CoordAttention(16, combine='softmax')).eval()
    x = torch.rand(1, 16, 5, 7) + 0.5
    with torch.no_grad():
        gate = module(x) / x
        g_h = equations(x, module.state_dict(), directions=('h', )) / x
        g_w = equations(x, module.state_dict(), directions=('w', )) / x
    low, high = torch.minimum(g_h, g_w), torch.maximum(g_h, g_w)
    assert torch.all(gate >= low - 1e-6) and torch.all(gate <= high + 1e-6)
    # not separable into a row gate times a column gate, unlike the product
    outer = gate[:, :, :, :1] * gate[:, :, :1, :] / gate[:, :, :1, :1]
    assert (gate - outer).abs().max() > 1e-3
    # with F_w's bias far below F_h's, the softmax picks g^h
    with torch.no_grad():
        module.conv_w.bias.fill_(-30.)
        module.conv_h.bias.fill_(30.)
        torch.testing.assert_close(module(x), x)     # g^h = sigmoid(~30) = 1


@pytest.mark.parametrize('option,names', [
    ({}, ['gate_h', 'gate_w']),
    (dict(directions=('h', )), ['gate_h']),
    (dict(directions=('w', )), ['gate_w']),
    (dict(combine='softmax'), ['gate']),
])
def test_recorded_gates_give_the_output(option, names):
    module = randomised(CoordAttention(16, **option)).eval()
    x = torch.randn(2, 16, 5, 7)
    with torch.no_grad(), record_gates(module) as records:
        out = module(x)
    (record, ) = records
    assert list(record.gates) == names
    torch.testing.assert_close(record.apply(x), out, atol=1e-6, rtol=1e-6)


def test_a_string_of_directions_reads_as_its_letters():
    """``('h')`` in a config is the string 'h'."""
    assert CoordAttention(16, directions='h').directions == ('h', )
    assert CoordAttention(16, directions=['w', 'h']).directions == ('h', 'w')


@pytest.mark.parametrize('kwargs,error,message', [
    (dict(directions=('x', )), ValueError,
     "directions must be ('h', 'w'), ('h',) or ('w',), but got ('x',)"),
    (dict(directions=()), ValueError, 'directions must be'),
    (dict(directions=('h', 'h')), ValueError, 'directions must be'),
    (dict(directions='vertical'), ValueError, 'directions must be'),
    (dict(directions=None), TypeError, 'directions must be'),
    (dict(combine='sum'), ValueError,
     "combine must be one of ('product', 'softmax'), but got 'sum'"),
    (dict(combine='softmax', directions=('h', )), ValueError,
     "combine='softmax' weighs the two directions against each other and "
     "needs directions=('h', 'w'), but got directions=('h',)"),
])
def test_bad_option_is_one_line_naming_the_allowed_values(kwargs, error,
                                                          message):
    with pytest.raises(error) as err:
        build_attention(dict(type='CoordAttention', **kwargs), 16)
    assert message in str(err.value) and '\n' not in str(err.value)
