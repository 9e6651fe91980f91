"""mmca.list_models and mmca.get_model: the metafiles' names, resolved to
their configs in a clone and in an installed package's ``.mim``, built as
the config builds them, with the weights asked for."""
import os.path as osp
import shutil

import pytest
import torch
from modelindex.load_model_index import load

import mmca
from mmca.apis import build_inference_model, model_entry
from mmca.apis.model_zoo import model_index_path, read_model_index
from mmca.cli import load_config
from mmca.utils import InputError
from mmca.utils.complexity import count_params

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: The smallest model of the metafiles: the classification demo's
NAME, CONFIG = 'mbv2_ca_shapes_cls', 'configs/demo/mbv2_ca_shapes_cls.py'


def test_list_models_gives_every_metafile_name_sorted():
    names = [model.name for model in load(osp.join(REPO,
                                                   'model-index.yml')).models]
    assert mmca.list_models() == sorted(names)
    assert len(names) == len(set(names)) > 40


def test_list_models_matches_names_that_start_with_the_pattern():
    assert mmca.list_models('mbv2*imagenet') == [
        'mbv2_ca_imagenet', 'mbv2_cbam_imagenet', 'mbv2_imagenet',
        'mbv2_se_imagenet'
    ]
    # any ending, as mmpretrain's: the two VOC configs, not the COCO ones
    assert mmca.list_models('ssdlite_mbv2*voc') == [
        'ssdlite_mbv2_ca_voc', 'ssdlite_mbv2_voc'
    ]
    assert mmca.list_models('deeplabv3_mbv2_ca_d') == [
        'deeplabv3_mbv2_ca_d16_voc', 'deeplabv3_mbv2_ca_d8_cityscapes',
        'deeplabv3_mbv2_ca_d8_voc'
    ]
    assert mmca.list_models('lraspp') == [
        'lraspp_mbv3-large_ca_d8_cityscapes',
        'lraspp_mbv3-large_d8_cityscapes',
        'lraspp_mbv3-small_ca_d8_cityscapes',
        'lraspp_mbv3-small_d8_cityscapes'
    ]
    assert mmca.list_models('resnet') == []


def test_get_model_of_a_name_is_its_configs_model_with_those_weights(
        tmp_path, random_weights):
    path = str(tmp_path / 'run' / 'epoch_1.pth')
    weights = random_weights(CONFIG, path)
    model = mmca.get_model(NAME, pretrained=path, device='cpu')
    built = build_inference_model(load_config(osp.join(REPO, CONFIG)))
    built.load_state_dict(weights)

    assert type(model) is type(built)
    assert count_params(model) == count_params(built)
    assert not model.training
    # through mmca/.mim/ after an editable install, whose links lead here
    assert osp.realpath(model.cfg.filename) == osp.realpath(
        osp.join(REPO, CONFIG))
    for key, value in model.state_dict().items():
        assert torch.equal(value, weights[key]), key
    images = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(model(images), built.eval()(images))


def test_get_model_without_weights_is_not_the_checkpoints(
        tmp_path, random_weights):
    path = str(tmp_path / 'weights.pth')
    weights = random_weights(CONFIG, path, seed=1)
    model = mmca.get_model(NAME)
    assert not torch.equal(model.head.fc.weight, weights['head.fc.weight'])


def test_get_model_takes_a_config_file_or_a_config():
    by_path = mmca.get_model(osp.join(REPO, CONFIG))
    by_config = mmca.get_model(load_config(osp.join(REPO, CONFIG)))
    assert count_params(by_path) == count_params(by_config) == count_params(
        mmca.get_model(NAME))


def test_get_model_keywords_override_the_configs_model():
    model = mmca.get_model(NAME, head=dict(num_classes=3))
    assert model.head.fc.out_features == 3
    assert model.cfg.model.head.num_classes == 3
    # the metafile's config itself is untouched
    assert mmca.get_model(NAME).head.fc.out_features != 3


def test_pretrained_true_loads_the_metafiles_weights(
        tmp_path, monkeypatch, random_weights):
    # the metafile's path is relative to the working directory, where the
    # converter writes it
    monkeypatch.chdir(tmp_path)
    entry = model_entry('mbv2_ca_imagenet')
    weights = random_weights('configs/mbv2_ca_imagenet.py', entry.weights)
    model = mmca.get_model('mbv2_ca_imagenet', pretrained=True)
    assert torch.equal(model.head.fc.weight, weights['head.fc.weight'])
    assert torch.equal(model.backbone.layer7[0].attention.conv_h.weight,
                       weights['backbone.layer7.0.attention.conv_h.weight'])


def test_pretrained_true_without_the_file_names_the_command(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as error:
        mmca.get_model('mbv2_ca_imagenet', pretrained=True)
    message = str(error.value)
    assert '\n' not in message
    assert 'checkpoints/mbv2_ca_imagenet.pth' in message
    assert ('python tools/model_converters/coordattention_to_mmca.py '
            'mbv2_ca.pth checkpoints/mbv2_ca_imagenet.pth') in message


def test_pretrained_true_of_a_model_without_weights_is_one_line():
    with pytest.raises(InputError, match='mbv2_imagenet has no weights in '
                       r'.*mobilenet_v2/metafile.yml; .*pretrained=PATH$'):
        mmca.get_model('mbv2_imagenet', pretrained=True)


def test_a_checkpoint_of_another_model_is_one_line(
        tmp_path, random_weights):
    path = str(tmp_path / 'weights.pth')
    random_weights('configs/mbv2_imagenet.py', path)
    with pytest.raises(InputError) as error:
        mmca.get_model('mbv2_ca_imagenet', pretrained=path)
    assert '\n' not in str(error.value)
    with pytest.raises(InputError, match='does not exist'):
        mmca.get_model(NAME, pretrained=str(tmp_path / 'missing.pth'))


def test_an_unknown_name_is_one_line_naming_the_closest():
    with pytest.raises(InputError) as error:
        mmca.get_model('mbv2_ca_imagenett')
    message = str(error.value)
    assert message.startswith("no mmca model is named 'mbv2_ca_imagenett'; "
                              'did you mean mbv2_ca_imagenet, ')
    assert message.endswith('?') and message.count(', ') == 2
    with pytest.raises(InputError, match='mmca.list_models'):
        mmca.get_model('resnet50')


def test_the_index_of_an_installed_package_comes_first(tmp_path):
    package = tmp_path / 'site-packages' / 'mmca'
    (package / '.mim').mkdir(parents=True)
    with pytest.raises(InputError, match='no model-index.yml at'):
        model_index_path(str(package))
    shutil.copy(osp.join(REPO, 'model-index.yml'), tmp_path / 'site-packages')
    assert model_index_path(str(package)) == str(
        tmp_path / 'site-packages' / 'model-index.yml')
    shutil.copy(osp.join(REPO, 'model-index.yml'), package / '.mim')
    assert model_index_path(str(package)) == str(
        package / '.mim' / 'model-index.yml')
    # in a clone, the one beside the package (or mmca/.mim/'s link to it,
    # which an editable install makes)
    assert osp.realpath(model_index_path()) == osp.realpath(
        osp.join(REPO, 'model-index.yml'))


def test_configs_resolve_under_the_index_folder(tmp_path):
    mim = tmp_path / 'mmca' / '.mim'
    shutil.copytree(osp.join(REPO, 'configs'), mim / 'configs')
    shutil.copy(osp.join(REPO, 'model-index.yml'), mim)
    entries = read_model_index(str(mim / 'model-index.yml'))
    assert sorted(entries) == mmca.list_models()
    entry = entries['ssdlite_mbv2_ca_coco']
    assert entry.config == str(mim / 'configs' / 'ssdlite_mbv2_ca_coco.py')
    assert all(osp.isfile(e.config) for e in entries.values())


def test_the_same_name_in_two_metafiles_is_refused(tmp_path):
    index = tmp_path / 'model-index.yml'
    metafile = osp.join(REPO, 'configs/metafiles/mobilenet_v2/metafile.yml')
    index.write_text(f'Import:\n  - {metafile}\n  - {metafile}\n')
    with pytest.raises(ValueError, match='mbv2_imagenet is in both'):
        read_model_index(str(index))
