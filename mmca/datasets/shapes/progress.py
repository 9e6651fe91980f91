"""Progress of one generated set, printed only when it takes a while."""
import time
from typing import Iterator

PROGRESS_AFTER_SECONDS = 2.0  # jobs done sooner report nothing on the way


class Progress:
    """Count a job's images; past ``PROGRESS_AFTER_SECONDS``, print
    ``done/total`` and an ETA each time another tenth is done."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total = name, total
        self.done, self.tenths = 0, 0
        self.start = time.perf_counter()

    def track(self, indices: range) -> Iterator[int]:
        """Yield ``indices``, counting each one as an image done."""
        for index in indices:
            yield index
            self.done += 1
            tenths = self.done * 10 // self.total
            if tenths == self.tenths:
                continue
            self.tenths = tenths
            elapsed = time.perf_counter() - self.start
            if elapsed >= PROGRESS_AFTER_SECONDS and self.done < self.total:
                eta = elapsed * (self.total - self.done) / self.done
                print(f'{self.name}: {self.done}/{self.total} images, '
                      f'{elapsed:.0f}s elapsed, ETA {eta:.0f}s', flush=True)
