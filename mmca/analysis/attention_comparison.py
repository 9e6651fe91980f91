"""The paper's comparison on the demo data: no attention, SE, CBAM and CA,
the ablations of CA's options and other backbones (:mod:`.variants`).

Each variant, written as a config that inherits the task's demo config
(``configs/demo/``) into ``<work_dir>/configs/``, trains with the same
schedule, once per seed, through ``tools/train.py`` in a process of its
own; then the models are counted (params, MAdds at the demo's input size)
and timed side by side against the one without attention, in PyTorch and in
ONNX Runtime (:mod:`mmca.benchmark`). Runs are kept: a finished run is read
back, not trained again, and an interrupted one resumes, so the comparison
can be stopped and restarted. Before each run trained, a line says how far
the series is and when it should end (:mod:`.run_progress`).

The demo configs and ``tools/train.py`` are the clone's or the installed
package's (:func:`mmca.utils.package_files.package_file`); the runs read
their data (``data/``) from the working directory.
"""
import os
import os.path as osp
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional

from mmca.apis import build_inference_model, config_input_size
from mmca.cli import load_config
from mmca.utils import InputError
from mmca.utils.complexity import complexity
from mmca.utils.package_files import package_file
from .run_progress import RunProgress
from .scalars import read_curves, scalars_file
from .variants import check_variants, write_variant_config

#: Task to its demo config and the validation metric compared.
TASKS = {
    'cls': ('configs/demo/mbv2_ca_shapes_cls.py', 'accuracy/top1'),
    'det': ('configs/demo/ssdlite_mbv2_ca_shapes.py', 'coco/bbox_mAP'),
    'seg': ('configs/demo/deeplabv3_mbv2_ca_shapes.py', 'mIoU'),
    'positions': ('configs/demo/mbv2_ca_positions_cls.py', 'accuracy/top1'),
    'positions-shallow': ('configs/demo/mbv2_ca_positions_shallow_cls.py',
                          'accuracy/top1'),
}
#: The variant timed against: latency ratios are over its time.
BASELINE = 'none'


@dataclass
class AttentionComparison:
    """What :func:`compare_attentions` measured.

    Attributes:
        task (str): A key of :data:`TASKS`.
        config (str): Its demo config.
        metric (str): Its validation metric.
        seeds (list[int]): The seeds each attention trained with.
        models (dict): Variant name to ``params`` and ``madds`` and, when
            timed, ``latency_pytorch`` and ``latency_onnxruntime``: its
            time over :data:`BASELINE`'s at batch 1.
        results (dict): Variant name to seed to the run's last
            validation value of ``metric``.
    """
    task: str
    config: str
    metric: str
    seeds: List[int]
    models: Dict[str, Dict[str, float]]
    results: Dict[str, Dict[int, float]]


def final_metric(work_dir: str, metric: str):
    """The run's last validation value of ``metric``, or None if the run
    has not finished one."""
    try:
        curves = read_curves(scalars_file(work_dir))
    except InputError:
        return None
    return curves[metric][-1][1] if metric in curves else None


def train(config: str, work_dir: str, options: List[str]) -> None:
    """tools/train.py in a process of its own (``--resume``: a killed
    comparison goes on where it stopped); its log goes to train.out."""
    os.makedirs(work_dir, exist_ok=True)
    command = [sys.executable, package_file('tools', 'train.py'), config,
               '--work-dir', work_dir, '--resume', '--cfg-options', *options]
    with open(osp.join(work_dir, 'train.out'), 'w') as log:
        status = subprocess.call(command, stdout=log,
                                 stderr=subprocess.STDOUT)
    if status:
        raise InputError(f'training failed (exit {status}); see '
                         f'{osp.join(work_dir, "train.out")}')


def variant_config(config: str, name: str, work_dir: str) -> str:
    """The variant's config (inheriting ``config``) under
    ``work_dir/configs/``, written if missing; its path."""
    os.makedirs(osp.join(work_dir, 'configs'), exist_ok=True)
    return write_variant_config(name, config,
                                osp.join(work_dir, 'configs', f'{name}.py'))


def measure_runs(config: str, metric: str, variants: List[str],
                 seeds: List[int], work_dir: str,
                 cfg_options: Dict) -> Dict[str, Dict[int, float]]:
    """Train what is missing under ``work_dir/<name>_seed<seed>``; name ->
    seed -> metric. Before each run trained it prints how far the series
    is, with an ETA from the runs trained so far
    (:class:`~.run_progress.RunProgress`)."""
    user = [f'{k}={v}' for k, v in cfg_options.items()]
    runs = [(name, seed) for name in variants for seed in seeds]
    kept = [final_metric(osp.join(work_dir, f'{n}_seed{s}'), metric)
            is not None for n, s in runs]
    progress = RunProgress(len(runs))
    results: Dict[str, Dict[int, float]] = {}
    for index, (name, seed) in enumerate(runs, 1):
        run_dir = osp.join(work_dir, f'{name}_seed{seed}')
        value = final_metric(run_dir, metric)
        if value is None:
            to_train = kept[index - 1:].count(False)
            print(f'{progress.line(index, to_train)}: {name}, seed {seed}: '
                  f'training (log: {run_dir}/train.out)', flush=True)
            start = time.time()
            train(variant_config(config, name, work_dir), run_dir,
                  [f'randomness.seed={seed}'] + user)
            progress.trained(time.time() - start)
            value = final_metric(run_dir, metric)
            if value is None:
                raise InputError(f'{run_dir} finished without a {metric} '
                                 'validation; is val_cfg set?')
            took = f' in {progress.durations[-1]:.0f} s'
        else:
            took = ' (kept from an earlier run)'
        print(f'run {index}/{len(runs)}: {name}, seed {seed}: {metric} '
              f'{value:.4g}{took}', flush=True)
        results.setdefault(name, {})[seed] = value
    return results


def measure_models(config: str, variants: List[str], work_dir: str,
                   cfg_options: Dict, latency: bool = True,
                   rounds: int = 10) -> Dict[str, Dict[str, float]]:
    """Name -> params, MAdds and, if ``latency`` and :data:`BASELINE` is
    among ``variants``, the latency ratios over it (the ONNX files go to
    ``work_dir``)."""
    from mmca.benchmark import benchmark_deployed_models, benchmark_models
    from mmca.deployment import BACKENDS, TensorOutputs, export_onnx
    models, rows = {}, {}
    for name in variants:
        cfg = load_config(variant_config(config, name, work_dir),
                          cfg_options)
        models[name] = build_inference_model(cfg)
        shape = tuple(config_input_size(cfg))
        info = complexity(models[name], (3, ) + shape)
        rows[name] = dict(params=info['params'], madds=info['madds'])
    if not latency or BASELINE not in models:
        return rows
    print('timing the models side by side (PyTorch, then ONNX Runtime)',
          flush=True)
    timing = dict(rounds=rounds, repeats=5, warmup=3)
    torch_ratios = benchmark_models(models, BASELINE, shape, (1, ),
                                    **timing)[1]['ratio']
    paths = {}
    for name, model in models.items():
        paths[name] = osp.join(work_dir, f'{name}.onnx')
        export_onnx(TensorOutputs(model), paths[name], (1, 3, *shape))
    ort = BACKENDS['onnxruntime']
    sessions = {name: ort.load(path) for name, path in paths.items()}
    ort_ratios = benchmark_deployed_models(sessions, BASELINE, shape, (1, ),
                                           **timing)[1]['ratio']
    for name in rows:
        rows[name].update(latency_pytorch=torch_ratios[name],
                          latency_onnxruntime=ort_ratios[name])
    return rows


def compare_attentions(task: str, variants: List[str], seeds: List[int],
                       work_dir: str,
                       cfg_options: Optional[Dict] = None,
                       latency: bool = True,
                       rounds: int = 10) -> AttentionComparison:
    """Train (or read back) every run, then count and time the models.

    Args:
        task (str): A key of :data:`TASKS`.
        variants (list[str]): Keys of :data:`~.variants.VARIANTS`.
        seeds (list[int]): Each variant trains once per seed.
        work_dir (str): Where the runs, their logs and the ONNX files go.
        cfg_options (dict, optional): Config keys overridden in every run
            (e.g. a shorter schedule).
        latency (bool): Whether to time the models.
        rounds (int): Timing rounds (:func:`mmca.benchmark.time_side_by_side`).
    """
    check_variants(variants)
    config, metric = TASKS[task]
    config_path = package_file(config)
    cfg_options = cfg_options or {}
    os.makedirs(work_dir, exist_ok=True)
    results = measure_runs(config_path, metric, variants, seeds, work_dir,
                           cfg_options)
    models = measure_models(config_path, variants, work_dir, cfg_options,
                            latency, rounds)
    return AttentionComparison(task, config, metric, list(seeds), models,
                               results)
