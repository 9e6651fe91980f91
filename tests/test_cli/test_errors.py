"""run_tool's report of a run that a signal stopped, and of Ctrl-C."""
import pytest

from mmca.cli import INTERRUPTED_STATUS, RUN_SUSPENDED_STATUS, run_tool
from mmca.engine import TrainingStopped


def exit_of(main, capsys):
    with pytest.raises(SystemExit) as info:
        run_tool(main)
    return info.value.code, capsys.readouterr().err


def test_a_stopped_training_is_one_stopped_line_and_status_75(capsys):
    def main():
        raise TrainingStopped('SIGTERM: stopped after iteration 6')
    status, err = exit_of(main, capsys)
    assert status == RUN_SUSPENDED_STATUS == 75
    assert err == 'stopped: SIGTERM: stopped after iteration 6\n'


def test_ctrl_c_outside_training_is_one_line_and_status_130(capsys):
    def main():
        raise KeyboardInterrupt
    status, err = exit_of(main, capsys)
    assert status == INTERRUPTED_STATUS == 130
    assert err.splitlines() == [
        'stopped: interrupted (SIGINT); nothing more was written']
