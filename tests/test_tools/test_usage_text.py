"""The tools' usage text, which their --help prints, says what it says."""
import ast
import glob
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = sorted(glob.glob(osp.join(ROOT, 'tools', '**', '*.py'),
                         recursive=True))


@pytest.mark.parametrize('path', TOOLS,
                         ids=lambda p: osp.relpath(p, ROOT))
def test_shell_continuations_survive_in_usage(path):
    """A backslash at the end of a line in a plain string joins the lines:
    a usage example broken over lines as in a shell would print as one
    line with a run of spaces. Docstrings that hold such lines are raw."""
    with open(path) as f:
        source = f.read()
    module = ast.parse(source)
    doc = module.body[0].value if module.body and isinstance(
        module.body[0], ast.Expr) else None
    if not (isinstance(doc, ast.Constant) and isinstance(doc.value, str)):
        return
    text = ast.get_source_segment(source, doc)
    assert '\\\n' not in text or text[0] in 'rR', (
        f'{osp.relpath(path, ROOT)}: its docstring breaks lines with a '
        'backslash; make it raw (r""") so --help prints them as written')
