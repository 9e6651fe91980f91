"""The metafiles against the configs: mim's parser reads them, every config
has one entry and every entry a config, Parameters and FLOPs are what
get_flops.py counts, results are the paper's, say so and are of the
config's task, and weights are named only where the converter makes
them."""
import glob
import os.path as osp
from collections import Counter

import pytest
from modelindex.load_model_index import load

from mmca.apis import build_inference_model, config_input_size
from mmca.apis.model_zoo import read_model_index
from mmca.cli import load_config
from mmca.utils.complexity import PAPER_IMAGENET, complexity, count_params

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
INDEX = osp.join(REPO, 'model-index.yml')
CONFIGS = sorted(
    osp.relpath(path, REPO)
    for pattern in ('*.py', 'demo/*.py', 'plugins/*.py')
    for path in glob.glob(osp.join(REPO, 'configs', pattern)))
#: mim's reading of the index, each model with its collection's fields
MIM_INDEX = load(INDEX)
MIM_INDEX.build_models_with_collections()
MODELS = {model.name: model for model in MIM_INDEX.models}
#: The library whose configs each result's task runs on
TASK_SCOPES = {'Image Classification': 'mmpretrain',
               'Object Detection': 'mmdet',
               'Semantic Segmentation': 'mmseg'}


def test_mims_parser_reads_every_metafile_without_errors():
    assert len(MODELS) == len(MIM_INDEX.models)
    assert len(MIM_INDEX.collections) >= 9
    for item in [*MIM_INDEX.collections, *MIM_INDEX.models]:
        assert not item.check_errors, (item.name, item.check_errors)
    for collection in MIM_INDEX.collections:
        assert collection.paper['URL'] == 'https://arxiv.org/abs/2103.02907'
        assert collection.readme == 'https://github.com/houqb/CoordAttention'
        assert collection.metadata.training_data


def test_every_config_has_one_entry_and_every_entry_is_a_config():
    entries = Counter(model.config for model in MODELS.values())
    assert set(entries) == set(CONFIGS)
    assert max(entries.values()) == 1


def test_mmca_reads_the_index_as_mims_parser_does():
    entries = read_model_index(INDEX)
    assert list(entries) == list(MODELS)
    for name, entry in entries.items():
        model = MODELS[name]
        assert entry.config == osp.join(REPO, model.config)
        assert entry.weights == model.weights
        assert entry.tasks == tuple(r.task for r in model.results or [])


def test_results_are_the_papers_and_say_so():
    with_results = {name for name, model in MODELS.items() if model.results}
    marked = {name for name, model in MODELS.items()
              if model.metadata.data.get('Results From') == 'paper'}
    assert with_results == marked
    # the paper's tables: 7 ImageNet, 6 SSDLite (COCO, VOC) and 8
    # DeepLabV3 (Cityscapes, VOC) results that have a config here
    assert len(with_results) == 21


def test_imagenet_results_are_the_paper_table_of_get_flops():
    # the same numbers, kept by mmca.utils.complexity for --paper-table
    names = {('MobileNetV2CA', None): 'mbv2_imagenet',
             ('MobileNetV2CA', 'SqueezeExcitation'): 'mbv2_se_imagenet',
             ('MobileNetV2CA', 'CBAM'): 'mbv2_cbam_imagenet',
             ('MobileNetV2CA', 'CoordAttention'): 'mbv2_ca_imagenet',
             ('MobileNeXtCA', None): 'mnext_imagenet',
             ('MobileNeXtCA', 'SqueezeExcitation'): 'mnext_se_imagenet',
             ('MobileNeXtCA', 'CoordAttention'): 'mnext_ca_imagenet'}
    assert set(names) == set(PAPER_IMAGENET)
    for key, name in names.items():
        result, = MODELS[name].results
        assert result.metrics == {'Top 1 Accuracy': PAPER_IMAGENET[key][2]}


def test_weights_are_named_only_where_the_converter_makes_them():
    with_weights = {name: model for name, model in MODELS.items()
                    if model.weights}
    assert list(with_weights) == ['mbv2_ca_imagenet']
    model = with_weights['mbv2_ca_imagenet']
    command = model.data['Converted From']['Command'].split()
    assert command[:2] == [
        'python', 'tools/model_converters/coordattention_to_mmca.py']
    assert osp.isfile(osp.join(REPO, command[1]))
    assert command[-1] == model.weights


def test_every_entry_has_parameters_and_flops():
    assert [name for name, model in MODELS.items()
            if None in (model.metadata.parameters, model.metadata.flops)] == []


def _check_count(name: str, with_flops: bool) -> None:
    """Build the entry's config as get_flops.py does and compare."""
    entry = MODELS[name]
    cfg = load_config(osp.join(REPO, entry.config))
    for result in entry.results or []:
        assert TASK_SCOPES[result.task] == cfg.default_scope
    model = build_inference_model(cfg)
    assert entry.metadata.parameters == count_params(model)
    if with_flops:
        shape = (3, ) + tuple(config_input_size(cfg))
        assert entry.metadata.flops == complexity(model, shape)['madds']


#: Counting multiply-adds runs the model once on its test input: 3-60 s a
#: model on 2 cores for those above 5G (the segmentors at 512x2048 and
#: 1024x2048), so their FLOPs are checked with the slow tests. An entry with
#: too few FLOPs lands here, and fails.
SMALL = [name for name, model in MODELS.items()
         if model.metadata.flops <= 5e9]
LARGE = [name for name, model in MODELS.items() if name not in SMALL]


@pytest.mark.parametrize('name', SMALL)
def test_parameters_and_flops_are_what_get_flops_counts(name):
    _check_count(name, with_flops=True)


@pytest.mark.parametrize('name', LARGE)
def test_parameters_of_a_large_model_are_what_get_flops_counts(name):
    _check_count(name, with_flops=False)


@pytest.mark.slow
@pytest.mark.parametrize('name', LARGE)
def test_flops_of_a_large_model_are_what_get_flops_counts(name):
    _check_count(name, with_flops=True)
