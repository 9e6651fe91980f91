"""The tools leave the gloo process group before exiting."""
import socket

import torch.distributed as dist

from mmca.engine import shutdown_distributed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_destroys_an_initialised_group_and_is_a_no_op_without_one():
    shutdown_distributed()                      # nothing to do
    dist.init_process_group('gloo',
                            init_method=f'tcp://127.0.0.1:{free_port()}',
                            rank=0, world_size=1)
    assert dist.is_initialized()
    shutdown_distributed()
    assert not dist.is_initialized()
