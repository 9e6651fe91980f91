"""A work dir that cannot be made is refused before anything is written; a
refused run leaves the work dir as it found it."""
import json
import os
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmca.preflight import check_work_dir, restore_work_dirs
from mmca.utils import InputError

CONFIG = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'demo',
                  'mbv2_ca_shapes_cls.py')
#: Where mmengine's Runner dumps that config in a work dir.
DUMP = 'mbv2_ca_shapes_cls.py'


def config(work_dir):
    return Config(dict(work_dir=str(work_dir)), filename=CONFIG)


def test_a_work_dir_under_a_file_is_refused_naming_it(tmp_path):
    (tmp_path / 'file').write_text('')
    with pytest.raises(InputError) as err:
        check_work_dir(config(tmp_path / 'file' / 'run'))
    assert str(err.value) == (
        f'work dir {tmp_path}/file/run cannot be made: {tmp_path}/file is a '
        'file, not a folder. Choose another with --work-dir.')


def test_a_work_dir_where_no_folder_can_be_made_is_refused():
    with pytest.raises(InputError) as err:
        check_work_dir(config('/proc/x/y'))
    assert str(err.value) == (
        'work dir /proc/x/y cannot be made: /proc takes no new folder (No '
        'such file or directory). Choose another with --work-dir.')


def test_the_check_itself_writes_nothing(tmp_path):
    check_work_dir(config(tmp_path / 'a' / 'run'))
    check_work_dir(config(tmp_path))
    assert os.listdir(tmp_path) == []
    restore_work_dirs()


def test_a_work_dir_the_run_made_is_removed_with_its_parents(tmp_path):
    work_dir = tmp_path / 'a' / 'b' / 'run'
    check_work_dir(config(work_dir))
    (work_dir / 'train.lock').parent.mkdir(parents=True)
    (work_dir / 'train.lock').write_text('')
    (work_dir / DUMP).write_text('dumped config')
    log_dir = work_dir / '20250101_000000'
    log_dir.mkdir()
    name = f'test_restore_{os.getpid()}'
    logger = MMLogger.get_instance(name, log_file=str(log_dir / 'run.log'))
    try:
        restore_work_dirs()
    finally:
        # leave no logger that writes to the removed folder
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)
        MMLogger._instance_dict.pop(name)
    assert os.listdir(tmp_path) == []


def test_only_what_this_run_added_is_removed(tmp_path):
    (tmp_path / 'epoch_1.pth').write_bytes(b'kept')
    (tmp_path / DUMP).write_text('the config of the earlier run')
    check_work_dir(config(tmp_path))
    (tmp_path / DUMP).write_text('the config of the refused run')
    (tmp_path / 'epoch_2.pth').write_bytes(b'of another process')
    (tmp_path / 'other_log_dir').mkdir()
    # a lock file another run holds names that run
    (tmp_path / 'train.lock').write_text(json.dumps(dict(pid=1)))
    restore_work_dirs()
    assert sorted(os.listdir(tmp_path)) == [
        'epoch_1.pth', 'epoch_2.pth', DUMP, 'other_log_dir', 'train.lock']
    assert (tmp_path / DUMP).read_text() == \
        'the config of the earlier run'
