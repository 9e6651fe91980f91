"""package_file: an installed wheel's .mim/ first, else the clone's root."""
import os
import os.path as osp

import pytest

from mmca.utils import InputError
from mmca.utils.package_files import package_file


def test_a_wheels_mim_folder_comes_before_the_folder_beside_it(tmp_path):
    package = tmp_path / 'site-packages' / 'mmca'
    (package / '.mim' / 'tools').mkdir(parents=True)
    (tmp_path / 'site-packages' / 'tools').mkdir()
    with pytest.raises(InputError,
                       match=r'no tools/train.py at .*\.mim/tools/train.py '
                       r'or .*site-packages/tools/train.py'):
        package_file('tools', 'train.py', package=str(package))
    (tmp_path / 'site-packages' / 'tools' / 'train.py').write_text('')
    assert package_file('tools', 'train.py', package=str(package)) == str(
        tmp_path / 'site-packages' / 'tools' / 'train.py')
    (package / '.mim' / 'tools' / 'train.py').write_text('')
    assert package_file('tools', 'train.py', package=str(package)) == str(
        package / '.mim' / 'tools' / 'train.py')


def test_links_of_an_editable_install_resolve_to_the_clones_files(tmp_path):
    clone = tmp_path / 'clone'
    (clone / 'configs' / 'demo').mkdir(parents=True)
    (clone / 'configs' / 'demo' / 'a.py').write_text('')
    (clone / 'mmca' / '.mim').mkdir(parents=True)
    os.symlink('../../configs', clone / 'mmca' / '.mim' / 'configs')
    assert package_file('configs/demo/a.py', package=str(
        clone / 'mmca')) == str(clone / 'configs' / 'demo' / 'a.py')


def test_this_clones_tools_and_demo_configs_are_found(repo_root):
    assert package_file('tools', 'train.py') == osp.join(
        repo_root, 'tools', 'train.py')
    assert package_file('configs/demo/mbv2_ca_shapes_cls.py') == osp.join(
        repo_root, 'configs', 'demo', 'mbv2_ca_shapes_cls.py')
