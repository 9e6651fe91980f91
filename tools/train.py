"""Train a classifier, detector or segmentor from an mm config.

  python tools/train.py configs/ssdlite_mbv2_ca_coco.py [--work-dir DIR]
      [--resume [CKPT]] [--amp] [--auto-scale-lr] [--cfg-options k=v ...]
      [--launcher {none,pytorch,slurm,mpi}]

The config's ``default_scope`` (mmpretrain, mmdet or mmseg) decides the task.
Distributed runs on machines without GPUs use CPU processes over gloo (see
tools/dist_train.sh). A run holds its work dir (a second run there is refused),
writes each checkpoint whole or not at all, and stops at a NaN or infinite
loss. SIGTERM, SIGINT (Ctrl-C) or SIGUSR1 make it save after the current
iteration and exit with status 75; ``--resume`` then goes on from the next
iteration, mid-epoch included. See docs/reliability.md.
"""
import argparse
import os
import os.path as osp
import sys
from contextlib import nullcontext

import torch
from mmengine.config import DictAction
from mmengine.model import is_model_wrapper

from mmca.analysis import seconds_per_iteration
from mmca.cli import default_work_dir, load_config, run_tool
from mmca.engine import (TrainingStopped, build_runner, find_resume_checkpoint,
                         is_first_process, lock_work_dir,
                         restarted_by_scheduler, shutdown_distributed,
                         stop_on_signals, use_resumed_seed)
from mmca.preflight import (check_checkpoint_matches, check_datasets,
                            check_pretrained, check_task, check_work_dir)
from mmca.utils import InputError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where to save logs and models')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (needs a GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr to the actual total batch size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or without CKPT from the one last_checkpoint '
        'names in the work dir (the newest intact one if that is broken); '
        'a job that Slurm requeued or torchrun restarted resumes without it')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    with stop_on_signals():
        train(parse_args())


def train(args: argparse.Namespace) -> None:
    cfg = load_config(args.config, args.cfg_options)
    check_task(cfg, 'tools/train.py')
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(
        args.config)
    check_work_dir(cfg)

    if args.amp:
        if not torch.cuda.is_available():
            raise InputError('--amp needs a GPU; this machine has none')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise InputError(f'{args.config} has no auto_scale_lr setting '
                             '(base_batch_size) to scale from')
        cfg.auto_scale_lr.enable = True
    if args.resume is None and restarted_by_scheduler():
        args.resume = 'auto'
    if args.resume not in (None, 'auto') and not osp.isfile(args.resume):
        raise InputError(f'--resume {args.resume}: no such checkpoint')

    validates = cfg.get('val_cfg') is not None   # an empty dict validates
    check_datasets(cfg, ['train'] + (['val'] if validates else []))
    if not (args.resume or cfg.get('load_from')):
        check_pretrained(cfg)

    # one lock per run: the first process of a distributed one takes it
    with lock_work_dir(cfg.work_dir) if is_first_process(args.launcher) \
            else nullcontext():
        if args.resume == 'auto':
            start = find_resume_checkpoint(cfg)
            if start.skipped:
                print(f'warning: --resume passes over '
                      f'{"; ".join(start.skipped)}; resuming from '
                      f'{start.checkpoint}', file=sys.stderr)
            cfg.resume, cfg.load_from = True, start.checkpoint
        elif args.resume is not None:
            cfg.resume, cfg.load_from = True, args.resume
        use_resumed_seed(cfg)

        runner = build_runner(cfg)
        if cfg.get('load_from'):
            model = runner.model
            check_checkpoint_matches(
                model.module if is_model_wrapper(model) else model,
                cfg.load_from)
        try:
            runner.train()
        except TrainingStopped:
            shutdown_distributed()
            raise
        except ValueError as err:
            # torch's Optimizer.load_state_dict when the resumed state's
            # parameter groups are not this config's
            if not (cfg.get('resume')
                    and str(err).startswith('loaded state dict')):
                raise
            shutdown_distributed()
            raise InputError(
                f'--resume: the optimizer state in {cfg.load_from} does not '
                f"fit this config's optimizer ({err}): it was saved under "
                'another optimizer setup (another paramwise_cfg or '
                'optim_wrapper constructor). Resume with the config it was '
                'trained with, or start from its weights alone '
                f'(--cfg-options load_from={cfg.load_from}, without '
                '--resume) in another --work-dir') from None
        if is_first_process(args.launcher):
            print_speed(cfg.work_dir)
    shutdown_distributed()


def print_speed(work_dir: str) -> None:
    """The training speed, in one line a user can tell a slow machine from
    a broken install by (docs/cpu.md gives speeds)."""
    try:
        speed = seconds_per_iteration(work_dir)
    except InputError:      # resumed after its end: nothing was trained
        return
    print(f'[train] {speed:.2f} s an iteration (the mean over the logged '
          f'iterations of the last session that trained)')


if __name__ == '__main__':
    run_tool(main)
