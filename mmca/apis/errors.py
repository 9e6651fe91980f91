"""The one way every mmca tool reports bad input."""
import sys
from typing import Callable

from mmca.utils import UnsafeCheckpointError

#: The exit status of a tool given bad input, as argparse exits on a bad
#: command line.
BAD_INPUT_STATUS = 2


class InputError(Exception):
    """Arguments, a config, data or a checkpoint a tool cannot work with.

    The message is one line: what is wrong, then how to fix it.
    """


def run_tool(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; report bad input as one line and exit 2.

    :class:`InputError` and a checkpoint refused by the safe loader are the
    user's to fix, so they are printed as ``error: <message>`` on stderr,
    without a traceback. Any other exception is a bug and keeps its
    traceback.
    """
    try:
        main()
    except (InputError, UnsafeCheckpointError) as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(BAD_INPUT_STATUS)
