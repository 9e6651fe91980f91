"""Evaluate a checkpoint of a classifier, detector or segmentor on its test
set, or a model file deployed to an inference runtime.

  python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
      [--show-dir DIR] [--cfg-options k=v ...] [--launcher ...]
  python tools/test.py CONFIG MODEL_FILE --backend onnxruntime [...]

The metric is the config's ``test_evaluator`` (top-1/top-5 accuracy, COCO
mAP through pycocotools, VOC mAP, mIoU). With ``--backend``, MODEL_FILE is
an export of ``tools/deployment/export.py`` or ``quantize.py`` (fp32 or
INT8): the runtime runs the network, one image at a time, and the config's
preprocessing, decoding and evaluator do the rest, as for a checkpoint.
``--out`` pickles the raw predictions; ``--show-dir`` draws them (labels,
detection boxes or segmentation masks) beside the ground truth.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.model import is_model_wrapper

from mmca.cli import default_work_dir, load_config, run_tool
from mmca.deployment import BACKENDS, DeployedModel
from mmca.engine import build_runner, shutdown_distributed
from mmca.preflight import (check_checkpoint_matches, check_datasets,
                            check_task, check_work_dir)
from mmca.utils import InputError

VISUALIZATION_HOOKS = {'mmdet': 'DetVisualizationHook',
                       'mmseg': 'SegVisualizationHook',
                       'mmpretrain': 'VisualizationHook'}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (with '
                        '--backend: the deployed model file)')
    parser.add_argument('--backend', choices=sorted(BACKENDS),
                        help='run a deployed model file in this runtime')
    parser.add_argument('--work-dir', help='where to save the metric logs')
    parser.add_argument('--out', help='pickle the predictions to this file')
    parser.add_argument('--show-dir', help='draw predictions into this '
                        'directory (relative to the work dir)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def check_deployed_file(args: argparse.Namespace) -> None:
    backend = BACKENDS[args.backend]
    if not args.checkpoint.endswith(backend.suffix):
        raise InputError(f'{args.checkpoint}: a {args.backend} model is a '
                         f'{backend.suffix} file')
    if args.launcher != 'none':
        raise InputError('--backend runs in one process: drop --launcher')
    # BackendUnavailable is an InputError: one line
    backend.check_available()


def enable_visualization(cfg: Config, scope: str, show_dir: str) -> None:
    hook = cfg.default_hooks.get('visualization')
    if hook is None or hook.get('type') != VISUALIZATION_HOOKS[scope]:
        raise InputError(f'--show-dir needs default_hooks.visualization '
                         f'of type {VISUALIZATION_HOOKS[scope]}')
    if scope == 'mmpretrain':
        hook.enable, hook.interval = True, 1
        hook.out_dir = osp.join(cfg.work_dir, show_dir)
        return
    hook.draw = True
    if scope == 'mmdet':
        hook.test_out_dir = show_dir
    else:
        cfg.visualizer.save_dir = show_dir


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    scope = check_task(cfg, 'tools/test.py')
    if not osp.isfile(args.checkpoint):
        what = 'model file' if args.backend else 'checkpoint'
        raise InputError(f'{what} {args.checkpoint} does not exist')
    if args.out and not args.out.endswith(('.pkl', '.pickle')):
        raise InputError(f'--out must name a .pkl file, got {args.out}')
    if args.backend:
        check_deployed_file(args)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(
        args.config)
    check_work_dir(cfg)
    cfg.load_from = None if args.backend else args.checkpoint
    # the weights are those given, not a training run's latest
    cfg.resume = False
    # weights come from the checkpoint; do not also read pretrained ones
    cfg.model.get('backbone', {}).pop('init_cfg', None)
    if args.show_dir:
        enable_visualization(cfg, scope, args.show_dir)
    check_datasets(cfg, ['test'])

    runner = build_runner(cfg)
    model = (runner.model.module if is_model_wrapper(runner.model) else
             runner.model)
    if args.backend:
        runner.model = DeployedModel(
            model, BACKENDS[args.backend].load(args.checkpoint),
            args.checkpoint)
    else:
        check_checkpoint_matches(model, args.checkpoint)
    if args.out:
        if scope == 'mmdet':
            from mmdet.evaluation import DumpDetResults as DumpResults
        else:
            from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    runner.test()
    shutdown_distributed()


if __name__ == '__main__':
    run_tool(main)
