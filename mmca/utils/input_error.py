"""The error of input a user can fix."""


class InputError(Exception):
    """Arguments, a config, data or a checkpoint a tool cannot work with.

    The message is one line: what is wrong, then how to fix it.
    """
