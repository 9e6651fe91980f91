"""An editable install (tools/install.sh) links the files mim reads into
``mmca/.mim``, so that a clone has them where an installed wheel does."""
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize('name',
                         ['configs', 'tools', 'demo', 'model-index.yml'])
def test_links_each_mim_file_to_the_checkout_relatively(repo_root, name):
    link = Path(repo_root, 'mmca', '.mim', name)
    assert link.is_symlink()
    # relative: a moved clone keeps its links
    assert not os.path.isabs(os.readlink(link))
    assert link.resolve() == Path(repo_root, name).resolve()
