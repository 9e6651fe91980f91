"""The release converter, against a re-implementation of the release layout.

The release (houqb/CoordAttention ``mbv2_ca.pth``) cannot be downloaded
here, so ``ReleaseMBV2CA`` rebuilds its layout and computes its logits
independently of mmca."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from tool_process import error_line, run_tool

from mmca.models import MobileNetV2CA

CONVERTER = 'tools/model_converters/coordattention_to_mmca.py'
pytestmark = pytest.mark.slow  # each test starts the converter


class ReleaseCA(nn.Module):
    """The CA of the release: conv1/bn1 shared, conv2 for H, conv3 for W."""

    def __init__(self, channels):
        super().__init__()
        mid = max(8, channels // 32)
        self.conv1 = nn.Conv2d(channels, mid, 1)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, channels, 1)
        self.conv3 = nn.Conv2d(mid, channels, 1)

    def forward(self, x):
        h, w = x.shape[2:]
        pooled = torch.cat(
            [F.adaptive_avg_pool2d(x, (h, 1)),
             F.adaptive_avg_pool2d(x, (1, w)).transpose(2, 3)], 2)
        y = F.hardswish(self.bn1(self.conv1(pooled)))
        y_h, y_w = y.split([h, w], dim=2)
        return (x * self.conv2(y_h).sigmoid()
                * self.conv3(y_w).sigmoid().transpose(2, 3))


def conv_bn(cin, cout, k=1, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups,
                        bias=False),
              nn.BatchNorm2d(cout)]
    return layers + [nn.ReLU6()] if relu else layers


class ReleaseBlock(nn.Module):

    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.identity = stride == 1 and cin == cout
        if t == 1:
            layers = conv_bn(hidden, hidden, 3, stride, hidden) + conv_bn(
                hidden, cout, relu=False)
        else:
            layers = (conv_bn(cin, hidden)
                      + conv_bn(hidden, hidden, 3, stride, hidden)
                      + [ReleaseCA(hidden)]
                      + conv_bn(hidden, cout, relu=False))
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.identity else self.conv(x)


class ReleaseMBV2CA(nn.Module):
    """features.0 stem, features.1-17 blocks, conv (1280), classifier.1."""

    def __init__(self):
        super().__init__()
        layers, cin = [nn.Sequential(*conv_bn(3, 32, 3, 2))], 32
        for t, c, n, s in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2],
                           [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                           [6, 320, 1, 1]]:
            for i in range(n):
                layers.append(ReleaseBlock(cin, c, s if i == 0 else 1, t))
                cin = c
        self.features = nn.Sequential(*layers)
        self.conv = nn.Sequential(*conv_bn(320, 1280))
        self.classifier = nn.Sequential(nn.Dropout(0.1), nn.Linear(1280, 1000))

    def forward_features(self, x):
        return self.conv(self.features(x))

    def forward(self, x):
        return self.classifier(self.forward_features(x).mean((2, 3)))


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    torch.manual_seed(0)
    model = ReleaseMBV2CA()
    # weights of trained scale: He init, random BN affine terms, and BN
    # statistics gathered from data, so activations neither vanish nor
    # saturate and logits differ between inputs
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out')
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.1)
        elif isinstance(m, nn.BatchNorm2d):
            m.momentum = None
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.1, 0.1)
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(4, 3, 224, 224))
    path = tmp_path_factory.mktemp('release') / 'mbv2_ca.pth'
    torch.save(model.state_dict(), path)
    return model.eval(), path


def run_converter(repo_root, src, dst):
    return run_tool([CONVERTER, str(src), str(dst)], repo_root)


def classifier_from_config(repo_root):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(f'{repo_root}/configs/mbv2_ca_imagenet.py')
    init_default_scope('mmpretrain')
    return MODELS.build(cfg.model)


def test_converted_checkpoint_gives_the_release_logits(release, tmp_path,
                                                       repo_root):
    model, src = release
    dst = tmp_path / 'mbv2_ca_mmca.pth'
    result = run_converter(repo_root, src, dst)
    assert result.returncode == 0, result.stderr
    classifier = classifier_from_config(repo_root).eval()
    classifier.load_state_dict(torch.load(dst)['state_dict'], strict=True)
    torch.manual_seed(1)
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        expected = model(x)
        torch.testing.assert_close(classifier(x, mode='tensor'), expected,
                                   atol=1e-4, rtol=0)
        torch.testing.assert_close(
            classifier.backbone(x)[0], model.forward_features(x),
            atol=1e-4, rtol=1e-4)
    # logits at a trained model's scale, which differ between the inputs
    assert expected.abs().max() > 1
    assert (expected[0] - expected[1]).abs().max() > 0.5


def test_detector_and_segmentor_load_through_init_cfg(release, tmp_path,
                                                      repo_root):
    from mmengine.registry import MODELS
    _, src = release
    dst = tmp_path / 'mbv2_ca_mmca.pth'
    assert run_converter(repo_root, src, dst).returncode == 0
    weights = torch.load(dst)['state_dict']
    init_cfg = dict(type='Pretrained', checkpoint=str(dst), prefix='backbone.')
    backbone = MODELS.build(dict(
        type='MobileNetV2CA', out_indices=(4, 7), init_cfg=init_cfg))
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, weights[f'backbone.{key}'])
    # a segmentation backbone that stops at stage 6 takes what it has
    seg = MODELS.build(dict(
        type='MobileNetV2CA', out_indices=(1, 2, 4, 6),
        strides=(1, 2, 2, 1, 1, 1, 1), dilations=(1, 1, 1, 2, 2, 4, 4),
        init_cfg=init_cfg))
    seg.init_weights()
    torch.testing.assert_close(
        seg.layer7[0].attention.conv_h.weight,
        weights['backbone.layer7.0.attention.conv_h.weight'])


def test_missing_key_is_named_in_mmca_terms(release, tmp_path, repo_root):
    model, _ = release
    state = model.state_dict()
    state.pop('features.5.conv.6.conv2.weight')     # block 5 is layer3.1
    src = tmp_path / 'incomplete.pth'
    torch.save(state, src)
    result = run_converter(repo_root, src, tmp_path / 'out.pth')
    assert ('1 missing (backbone.layer3.1.attention.conv_h.weight)'
            in error_line(result))
    assert not (tmp_path / 'out.pth').exists()


@pytest.mark.parametrize('state', [
    {'features.5.conv.6.conv4.weight': torch.zeros(1)},
    MobileNetV2CA(attention=None).state_dict(),          # already mmca keys
])
def test_wrong_layout_names_the_unexpected_key(state, tmp_path, repo_root):
    src = tmp_path / 'wrong.pth'
    torch.save(state, src)
    result = run_converter(repo_root, src, tmp_path / 'out.pth')
    assert f'unexpected key {next(iter(state))}' in error_line(result)


def test_tools_test_evaluates_the_converted_release(release, tmp_path,
                                                    repo_root):
    """tools/test.py on the converted release scores what the release scores.

    The val images are 256x256, so the config's test pipeline (short side to
    256, centre crop 224) is a plain crop that this test can repeat. Half the
    labels are the release's own predictions, so its top-1 is exactly 50%.
    """
    import cv2
    import numpy as np
    model, src = release
    dst = tmp_path / 'mbv2_ca_mmca.pth'
    assert run_converter(repo_root, src, dst).returncode == 0
    root = tmp_path / 'imagenet'
    (root / 'val').mkdir(parents=True)
    (root / 'meta').mkdir()
    rng = np.random.default_rng(0)
    mean = np.array([123.675, 116.28, 103.53], np.float32)
    std = np.array([58.395, 57.12, 57.375], np.float32)
    names, crops = [], []
    for i in range(6):
        image = cv2.GaussianBlur(rng.integers(0, 256, (256, 256, 3), np.uint8),
                                 (9, 9), 3)
        name = f'ILSVRC2012_val_{i + 1:08d}.JPEG'
        cv2.imwrite(str(root / 'val' / name), image)
        rgb = cv2.imread(str(root / 'val' / name))[16:240, 16:240, ::-1]
        crops.append(((rgb - mean) / std).transpose(2, 0, 1))
        names.append(name)
    with torch.no_grad():
        scores = model(torch.from_numpy(np.stack(crops)).float()).softmax(1)
    predicted = scores.argmax(1).tolist()
    labels = [p if i % 2 == 0 else (p + 1) % 1000
              for i, p in enumerate(predicted)]
    (root / 'meta' / 'val.txt').write_text(''.join(
        f'{name} {label}\n' for name, label in zip(names, labels)))
    (root / 'train').mkdir()
    (root / 'meta' / 'train.txt').write_text('')
    out = tmp_path / 'preds.pkl'
    result = run_tool(
        ['tools/test.py', 'configs/mbv2_ca_imagenet.py',
         str(dst), '--work-dir', str(tmp_path / 'work'), '--out', str(out),
         '--cfg-options', f'test_dataloader.dataset.data_root={root}',
         'test_dataloader.num_workers=0', 'test_dataloader.batch_size=3',
         'test_dataloader.persistent_workers=False'], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'accuracy/top1: 50.0000' in result.stdout + result.stderr
    import pickle
    with open(out, 'rb') as f:
        dumped = pickle.load(f)
    tool_scores = torch.stack([torch.as_tensor(d['pred_score'])
                               for d in dumped])
    torch.testing.assert_close(tool_scores, scores, atol=1e-4, rtol=0)
