"""The error of input a user can fix."""
from contextlib import contextmanager
from typing import Iterator, Optional


class InputError(Exception):
    """Arguments, a config, data or a checkpoint a tool cannot work with.

    The message is one line: what is wrong, then how to fix it.
    """


@contextmanager
def config_built(filename: Optional[str]) -> Iterator[None]:
    """Build modules of the config ``filename`` inside: a config the
    registries cannot build (an unknown type or constructor key, a value a
    constructor refuses) becomes an :class:`InputError` with the
    constructor's message, which names what was wrong and what is allowed.
    """
    try:
        yield
    except (TypeError, KeyError, ValueError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args \
            else err
        raise InputError(f'cannot build {filename}: {message}. Check the '
                         'config keys and --cfg-options.') from None
