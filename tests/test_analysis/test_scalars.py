"""Reading what tools/train.py leaves: scalars.json as mmengine writes it."""
import json

import pytest

from mmca.analysis import read_curves, scalars_file, seconds_per_iteration
from mmca.utils import InputError


def write_scalars(path, records):
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))
    return str(path)


TRAIN = [dict(lr=0.1, loss=2.0, time=0.4, data_time=0.01, epoch=1, iter=10,
              step=10),
         dict(lr=0.1, loss=1.0, time=0.6, data_time=0.01, epoch=1, iter=20,
              step=20)]
VAL = [dict(**{'coco/bbox_mAP': 0.7}, time=0.05, data_time=0.01, step=1)]


def test_seconds_per_iteration_is_the_mean_of_training_windows(tmp_path):
    path = write_scalars(tmp_path / 'scalars.json', TRAIN + VAL)
    # validation's time (0.05 s a batch) is not an iteration's
    assert seconds_per_iteration(path) == pytest.approx(0.5)


def test_seconds_per_iteration_needs_training_records(tmp_path):
    path = write_scalars(tmp_path / 'scalars.json', VAL)
    with pytest.raises(InputError, match='no training iterations'):
        seconds_per_iteration(path)


def test_curves_skip_index_keys_and_newest_run_is_read(tmp_path):
    for stamp, records in (('20260101_000000', VAL),
                           ('20260102_000000', TRAIN)):
        folder = tmp_path / stamp / 'vis_data'
        folder.mkdir(parents=True)
        write_scalars(folder / 'scalars.json', records)
    path = scalars_file(str(tmp_path))
    assert '20260102_000000' in path
    curves = read_curves(path)
    assert curves['loss'] == [(10, 2.0), (20, 1.0)]
    assert 'time' not in curves and 'iter' not in curves


def test_seconds_per_iteration_of_a_work_dir_skips_sessions_without_training(
        tmp_path):
    """A run resumed after its last iteration (or test.py's session in the
    same work dir) leaves a newer scalars.json without training records."""
    for stamp, records in (('20260101_000000', TRAIN),
                           ('20260102_000000', VAL)):
        folder = tmp_path / stamp / 'vis_data'
        folder.mkdir(parents=True)
        write_scalars(folder / 'scalars.json', records)
    assert seconds_per_iteration(str(tmp_path)) == pytest.approx(0.5)
    with pytest.raises(InputError, match='no training iterations'):
        seconds_per_iteration(str(tmp_path / '20260102_000000'))
