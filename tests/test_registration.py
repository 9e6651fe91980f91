"""``custom_imports=['mmca']`` makes mmca's modules visible from every scope,
and ``import mmca`` registers without doing more.

Each case runs in a fresh interpreter, so nothing is registered beforehand.
"""
import subprocess
import sys
import textwrap

import pytest

SCOPES = ['mmdet', 'mmseg', 'mmpretrain']


@pytest.mark.slow
@pytest.mark.parametrize('scope', SCOPES)
def test_custom_imports_register_into_root_models(scope, tmp_path):
    config = tmp_path / 'config.py'
    config.write_text(textwrap.dedent(f"""
        custom_imports = dict(imports=['mmca'], allow_failed_imports=False)
        default_scope = '{scope}'
        model = dict(type='MobileNetV2CA', out_indices=(7, ),
                     attention=dict(type='SqueezeExcitation'))
        """))
    script = textwrap.dedent(f"""
        import importlib, torch
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        cfg = Config.fromfile({str(config)!r})
        init_default_scope(cfg.default_scope)
        MODELS = importlib.import_module('{scope}.registry').MODELS
        backbone = MODELS.build(cfg.model)
        for name in ('CoordAttention', 'SqueezeExcitation', 'CBAM',
                     'MobileNetV2CA', 'MobileNeXtCA'):
            assert MODELS.get(name).__module__.startswith('mmca.'), name
        out, = backbone(torch.zeros(1, 3, 64, 64))
        print(type(backbone).__name__,
              type(backbone.layer2[0].attention).__name__,
              tuple(out.shape))
        """)
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split('\n')[-2] == \
        'MobileNetV2CA SqueezeExcitation (1, 1280, 2, 2)'


# A finder that makes the named libraries unimportable, as if not installed.
BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {blocked!r}:
            raise ModuleNotFoundError(f'No module named {{name!r}}')
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize('missing,unregistered', [
    (('mmdet', ), 'SSDLiteHead'),
    (('mmpretrain', ), 'DropoutLinearClsHead'),
    (('mmdet', 'mmseg', 'mmpretrain', 'timm'), 'SSDLiteHead'),
])
@pytest.mark.slow
def test_import_without_a_library_registers_the_rest(missing, unregistered):
    script = BLOCK.format(blocked=set(missing)) + textwrap.dedent(f"""
        import mmca
        from mmengine.registry import MODELS
        for name in ('CoordAttention', 'SqueezeExcitation', 'CBAM',
                     'MobileNetV2CA', 'MobileNeXtCA', 'MobileNetV3LargeCA',
                     'MobileNetV3SmallCA', 'EfficientNetB0CA'):
            assert MODELS.get(name) is not None, name
        assert MODELS.get({unregistered!r}) is None
        assert not set(sys.modules) & {set(missing)!r}
        print('ok')
        """)
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == 'ok'


@pytest.mark.slow
def test_import_registers_and_does_nothing_else():
    script = textwrap.dedent("""
        import sys, warnings
        # the libraries mmca imports install filters of their own
        import mmdet.models, mmpretrain.models, timm, mmengine.runner
        filters = list(warnings.filters)
        import mmca
        from mmengine.registry import HOOKS, MODEL_WRAPPERS
        assert warnings.filters == filters, 'a warnings filter was installed'
        assert HOOKS.get('ChannelsLastHook') is not None
        assert MODEL_WRAPPERS.get('CPUDistributedDataParallel') is not None
        # the tools' layers (inference, CLI, start-up checks) load with them
        for layer in ('mmca.apis', 'mmca.cli', 'mmca.preflight'):
            assert layer not in sys.modules, layer
        import timm
        assert 'mobilenetv2_ca_100' in timm.list_models('mobilenet*')
        print('ok')
        """)
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == 'ok'
