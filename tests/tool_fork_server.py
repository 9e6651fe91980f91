"""A process that has imported the OpenMMLab stack once, and forks a child
for each tool a test runs (:func:`tool_process.run_tool`).

A tool process spends most of a small test importing torch, mmcv, mmdet,
mmseg and mmpretrain (5 s on a quiet core, three times that beside a
training); a forked child starts with them imported. The child is still a
process of its own, run as ``python SCRIPT ARGS`` would run it: the script
as ``__main__`` with its folder first on ``sys.path``, the request's
``argv``, working directory and environment, its own standard streams, and
its exit status (a traceback and status 1 for an uncaught exception, the
negated signal number for a signal).

Protocol, one JSON object a line: the client writes ``{"argv", "cwd",
"env", "stdout", "stderr"}`` (the last two are file paths); the server
answers ``{"pid"}`` when the child starts and ``{"returncode"}`` when it
ends. Only imports run here before a fork, never an OpenMP parallel region
or a thread, which a forked child could not use again.
"""
import atexit
import json
import os
import runpy
import sys
import threading
import traceback

# What every tool imports anyway; the registries they fill are those a
# tool process fills when its config's default scope is initialised.
import mmdet.models  # noqa: F401,E402
import mmengine.runner  # noqa: F401,E402
import mmpretrain.models  # noqa: F401,E402
import mmseg.models  # noqa: F401,E402
import torch  # noqa: E402

import mmca  # noqa: F401,E402


def exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` gives a process, as Python sets it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_child(request: dict) -> None:
    """Become the tool: never returns."""
    status = 1
    try:
        os.chdir(request['cwd'])
        os.environ.clear()
        os.environ.update(request['env'])
        for fd, path, mode in ((0, os.devnull, os.O_RDONLY),
                               (1, request['stdout'], os.O_WRONLY),
                               (2, request['stderr'], os.O_WRONLY)):
            target = os.open(path, mode)
            os.dup2(target, fd)
            os.close(target)
        # The OpenMP runtime read OMP_NUM_THREADS when the server loaded it.
        if 'OMP_NUM_THREADS' in os.environ:
            torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
        script = os.path.abspath(request['argv'][0])
        sys.argv = list(request['argv'])
        sys.path[0] = os.path.dirname(script)
        runpy.run_path(script, run_name='__main__')
        status = 0
    except SystemExit as stop:
        status = exit_status(stop.code)
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


def main() -> None:
    assert threading.active_count() == 1, 'threads would not survive a fork'
    reply({'ready': True})
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(request)
        reply({'pid': pid})
        _, wait_status = os.waitpid(pid, 0)
        reply({'returncode': os.waitstatus_to_exitcode(wait_status)})


if __name__ == '__main__':
    main()
