import pytest
from tool_process import error_line, run_tool

TOOL = 'tools/analysis_tools/get_flops.py'
pytestmark = pytest.mark.slow  # each test starts the tool


def run(repo_root, *args):
    return run_tool([TOOL, *args], repo_root)


def test_paper_table_rows(repo_root):
    result = run(repo_root, '--paper-table')
    assert result.returncode == 0, result.stderr
    rows = {line.split('|')[1].strip():
            [c.strip() for c in line.split('|')[2:-1]]
            for line in result.stdout.splitlines()[2:]}
    assert len(rows) == 7 + 9
    assert rows['MobileNetV2'][:1] == ['3.505M']
    assert rows['MobileNetV2 + CoordAttention'][0] == '3.951M'
    assert rows['MobileNeXt + CoordAttention'][0] == '4.120M'
    plain = float(rows['MobileNetV2'][1].rstrip('M'))
    ca = float(rows['MobileNetV2 + CoordAttention'][1].rstrip('M'))
    assert 1.01 < ca / plain < 1.04          # the paper: 310M / 300M
    # with their own SE, timm's mobilenetv3_large_100, mobilenetv3_small_100
    # and efficientnet_b0 to the parameter; the paper lists none of them
    assert rows['MobileNetV3Large + own SE'] == ['5.483M', '225.4M', '-',
                                                 '-', '-']
    assert rows['MobileNetV3Small + own SE'][0] == '2.543M'
    assert rows['EfficientNetB0 + own SE'][0] == '5.289M'
    assert rows['EfficientNetB0 + CoordAttention'][0] == '5.382M'


def test_named_backbone(repo_root):
    result = run(repo_root, '--backbone', 'MobileNetV2CA',
                 '--attention', 'none')
    assert result.returncode == 0, result.stderr
    assert 'params: 3.505M (3,504,872)' in result.stdout
    assert 'input: 3x224x224' in result.stdout


def test_own_se_of_a_network_that_has_one(repo_root):
    result = run(repo_root, '--backbone', 'EfficientNetB0CA',
                 '--attention', 'own')
    assert result.returncode == 0, result.stderr
    assert 'params: 5.289M (5,288,548)' in result.stdout
    result = run(repo_root, '--backbone', 'MobileNetV2CA',
                 '--attention', 'own')
    assert 'MobileNetV2CA has no SE of its own' in error_line(result)


def test_unknown_names_are_clear_errors(repo_root):
    result = run(repo_root, '--backbone', 'MobileNetV2CA',
                 '--attention', 'Foo')
    assert "Unknown attention type 'Foo'" in error_line(result)
    result = run(repo_root, '--backbone', 'ResNet50')
    assert 'not an mmca backbone' in error_line(result)
