"""``custom_imports=['mmca']`` makes mmca's modules visible from every scope.

Each case runs in a fresh interpreter, so nothing is registered beforehand.
mmpretrain 1.2.0 imports torchvision, which does not install beside the CPU
torch pinned here; it is tested only where it imports.
"""
import importlib.util
import subprocess
import sys
import textwrap

import pytest

SCOPES = ['mmdet', 'mmseg'] + (
    ['mmpretrain'] if importlib.util.find_spec('mmpretrain') else [])


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
        print(type(backbone).__name__, type(backbone.layer2[0].attention).__name__,
              tuple(out.shape))
        """)
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split('\n')[-2] == \
        'MobileNetV2CA SqueezeExcitation (1, 1280, 2, 2)'
