"""``stage_with_attention``: which block stages of a StagedBackbone carry its
attention, as mmdet's ``stage_with_dcn``; and the CA options inside the
backbones."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS

from mmca.engine import build_runner
from mmca.models import CoordAttention, MobileNetV2CA, MobileNeXtCA
from mmca.utils import InputError

BACKBONES = {'MobileNetV2CA': (MobileNetV2CA, 7, 7),    # block stages, out
             'MobileNeXtCA': (MobileNeXtCA, 8, 7)}


def stage_attentions(model):
    """Per built block stage, the attention of each of its blocks."""
    return [[block.attention for block in getattr(model, name)]
            for name in model.stage_names
            if isinstance(getattr(model, name), torch.nn.Sequential)]


@pytest.mark.parametrize('backbone', BACKBONES)
def test_default_is_every_stage_as_in_the_paper(backbone):
    cls, num_block_stages, last = BACKBONES[backbone]
    default = cls(out_indices=(last, ))
    assert default.stage_with_attention == (True, ) * num_block_stages
    every = cls(out_indices=(last, ),
                stage_with_attention=(True, ) * num_block_stages)
    assert ({k: v.shape for k, v in default.state_dict().items()}
            == {k: v.shape for k, v in every.state_dict().items()})


@pytest.mark.parametrize('backbone', BACKBONES)
def test_attention_only_in_the_stages_of_the_mask(backbone):
    cls, num_block_stages, last = BACKBONES[backbone]
    mask = (False, ) * 3 + (True, ) * (num_block_stages - 3)
    model = MODELS.build(dict(type=backbone, out_indices=(last, ),
                              stage_with_attention=list(mask)))
    assert model.stage_with_attention == mask
    for stage, attentions in enumerate(stage_attentions(model)):
        if not mask[stage]:
            assert all(a is None for a in attentions)
        elif backbone == 'MobileNetV2CA' and stage == 0:
            assert attentions == [None]      # no expansion, no attention slot
        else:
            assert all(isinstance(a, CoordAttention) for a in attentions)


@pytest.mark.parametrize('backbone', BACKBONES)
def test_stages_without_attention_compute_the_plain_network(backbone):
    """Up to the first masked-in stage the outputs are those of the network
    without attention given the same weights; with no stage at all, the
    whole network is."""
    cls, num_block_stages, _ = BACKBONES[backbone]
    torch.manual_seed(0)
    plain = cls(attention=None, out_indices=(2, 3)).eval()
    none = cls(out_indices=(2, 3),
               stage_with_attention=(False, ) * num_block_stages).eval()
    late = cls(out_indices=(2, 3), stage_with_attention=(False, ) * 3 +
               (True, ) * (num_block_stages - 3)).eval()
    assert set(none.state_dict()) == set(plain.state_dict())
    none.load_state_dict(plain.state_dict())
    late.load_state_dict(plain.state_dict(), strict=False)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        want = plain(x)
        for got, expected in zip(none(x), want):
            torch.testing.assert_close(got, expected)
        stage_2, stage_3 = late(x)
    torch.testing.assert_close(stage_2, want[0])
    assert (stage_3 - want[1]).abs().max() > 0.1 * want[1].abs().max()


@pytest.mark.parametrize('option', [dict(directions=('h', )),
                                    dict(directions=('w', )),
                                    dict(combine='softmax'),
                                    dict(act_cfg=dict(type='SiLU'))], ids=str)
def test_ca_options_reach_every_block_and_run(option):
    model = MobileNetV2CA(out_indices=(2, 4),
                          attention=dict(type='CoordAttention', **option))
    attentions = [m for m in model.modules() if isinstance(m, CoordAttention)]
    assert attentions
    for name, value in option.items():
        want = value if name != 'act_cfg' else torch.nn.SiLU
        got = [getattr(a, name) if name != 'act_cfg' else type(a.act)
               for a in attentions]
        assert set(got) == {want}
    x = torch.randn(2, 3, 64, 64, requires_grad=True)
    outs = model(x)
    assert [tuple(o.shape) for o in outs] == [(2, 32, 8, 8), (2, 96, 4, 4)]
    sum(o.sum() for o in outs).backward()
    assert x.grad is not None


@pytest.mark.parametrize('backbone', BACKBONES)
@pytest.mark.parametrize('mask,error,got', [
    ((True, ) * 3, ValueError, 'but got 3 entries: (True, True, True)'),
    ((True, ) * 9, ValueError, 'but got 9 entries'),
    ((1, ) * 7, TypeError, 'but got (1, 1, 1, 1, 1, 1, 1)'),
    (3, TypeError, 'but got 3'),
])
def test_mask_of_another_length_or_kind_is_one_line_naming_the_allowed(
        backbone, mask, error, got):
    cls, num_block_stages, _ = BACKBONES[backbone]
    with pytest.raises(error) as err:
        cls(stage_with_attention=mask)
    message = str(err.value)
    assert message.startswith(
        f'stage_with_attention must be None (every stage) or '
        f'{num_block_stages} booleans, one per block stage of {backbone} '
        f'(stages 0..{num_block_stages - 1})')
    assert got in message and '\n' not in message


@pytest.mark.parametrize('model,message', [
    (dict(type='MobileNetV2CA', stage_with_attention=(True, ) * 8),
     '7 booleans, one per block stage of MobileNetV2CA'),
    (dict(type='MobileNetV2CA',
          attention=dict(type='CoordAttention', directions=('x', ))),
     "directions must be ('h', 'w'), ('h',) or ('w',)"),
    (dict(type='MobileNetV2CA',
          attention=dict(type='CoordAttention', combine='sum')),
     "combine must be one of ('product', 'softmax')"),
])
def test_bad_option_in_a_config_is_one_input_error_line(model, message,
                                                        tmp_path):
    """As tools/train.py and test.py build their runner: one InputError
    (their ``error:`` line), naming the config and the allowed values."""
    path = tmp_path / 'mine.py'
    path.write_text(f'model = {model!r}\nwork_dir = {str(tmp_path)!r}\n')
    cfg = Config.fromfile(str(path))
    cfg.launcher = 'none'
    with pytest.raises(InputError) as err:
        build_runner(cfg)
    text = str(err.value)
    assert text.startswith(f'cannot build {path}: ')
    assert message in text and '\n' not in text
