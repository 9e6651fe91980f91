"""mmca.analysis.run_progress: the progress line of a series of runs and
its estimate of the time left."""
import time

import pytest

from mmca.analysis import RunProgress, format_duration, progress_line


@pytest.fixture
def utc(monkeypatch):
    """The local time zone is UTC while the test runs."""
    monkeypatch.setenv('TZ', 'UTC')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize('seconds, shown', [
    (0, '0s'), (44.6, '45s'), (59.4, '59s'), (60, '1m'), (89, '1m'),
    (91, '2m'), (12 * 60 + 20, '12m'), (3599, '1h00m'), (3600, '1h00m'),
    (3900, '1h05m'), (2 * 3600 + 50 * 60, '2h50m')])
def test_durations_are_shown_in_their_largest_units(seconds, shown):
    assert format_duration(seconds) == shown


def test_the_line_says_how_far_how_long_and_how_long_still(utc):
    noon = 12 * 3600.0                    # 1970-01-01 12:00 UTC
    assert progress_line(5, 36, 12 * 60, 30 * 60, now=noon) == \
        'run 5/36, 12m elapsed, about 30m left (ETA 12:30)'
    assert progress_line(1, 36, 3, now=noon) == 'run 1/36, 3s elapsed'


def test_time_left_is_the_mean_run_times_the_runs_to_train():
    now = [100.0]
    progress = RunProgress(6, clock=lambda: now[0])
    assert progress.left(6) is None
    assert progress.line(1, 6) == 'run 1/6, 0s elapsed'
    progress.trained(100)
    progress.trained(140)
    now[0] += 240
    assert progress.left(4) == 480
    # runs 3 and 4 were kept from before: 2 of the 6 are left to train
    assert progress.line(5, 2).startswith(
        'run 5/6, 4m elapsed, about 4m left (ETA ')
