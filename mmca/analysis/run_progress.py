"""Progress of a series of training runs: how far, how long so far, and
how long still, from the runs trained so far."""
import statistics
import time
from typing import Callable, List, Optional


def format_duration(seconds: float) -> str:
    """``'45s'`` below a minute, ``'12m'`` below an hour, else
    ``'1h05m'``; rounded to the nearest unit shown."""
    seconds = round(seconds)
    if seconds < 60:
        return f'{seconds}s'
    minutes = round(seconds / 60)
    if minutes < 60:
        return f'{minutes}m'
    return f'{minutes // 60}h{minutes % 60:02d}m'


def progress_line(run: int, total: int, elapsed: float,
                  left: Optional[float] = None,
                  now: Optional[float] = None) -> str:
    """``'run 5/36, 12m elapsed, about 30m left (ETA 14:32)'``; without
    ``left`` (nothing trained yet to estimate from) the first two parts
    only. ``now`` (epoch seconds, default the clock) gives the local time
    of the ETA."""
    line = f'run {run}/{total}, {format_duration(elapsed)} elapsed'
    if left is None:
        return line
    arrival = time.localtime((time.time() if now is None else now) + left)
    return (f'{line}, about {format_duration(left)} left '
            f'(ETA {time.strftime("%H:%M", arrival)})')


class RunProgress:
    """Times a series of ``total`` runs, some kept from before (they take
    no time), and estimates what is left as the mean time of the runs
    trained so far times the runs still to train.

    Args:
        total (int): Runs in the series, kept ones included.
        clock (callable): Seconds now; ``time.monotonic`` by default.
    """

    def __init__(self, total: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.clock = total, clock
        self.start = clock()
        self.durations: List[float] = []

    def left(self, to_train: int) -> Optional[float]:
        """Seconds the ``to_train`` runs still to train will take, or None
        before one has been trained."""
        if not self.durations:
            return None
        return statistics.mean(self.durations) * to_train

    def line(self, run: int, to_train: int) -> str:
        """:func:`progress_line` for run ``run`` (from 1), with
        ``to_train`` runs, this one included, still to train."""
        return progress_line(run, self.total, self.clock() - self.start,
                             self.left(to_train))

    def trained(self, seconds: float) -> None:
        """Count a run that took ``seconds`` to train."""
        self.durations.append(seconds)
