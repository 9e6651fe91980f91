"""INT8 models from each runtime's own quantizer: they run, keep the fp32
graph's outputs, really hold 8-bit ops, stay near fp32 when calibrated on
the network's inputs and not when calibrated on the wrong ones, and
``fp32_gates`` leaves CA's gating in float."""
import numpy as np
import onnx
import pytest
import torch
from trained_scale import calibrate_batch_norms

from mmca.apis import build_inference_model
from mmca.cli import load_config
from mmca.deployment import (BACKENDS, QuantizationOptions,
                             QuantizationUnavailable, TensorOutputs,
                             attention_scopes, quantize)
from mmca.deployment.backends.onnxruntime import module_path

INT8_BACKENDS = ('onnxruntime', 'openvino')
SIZE = (128, 128)
pytestmark = pytest.mark.slow  # each test quantizes a whole detector


@pytest.fixture(scope='module')
def detector(repo_root):
    """SSDLite320-MBv2-CA with BN statistics from data."""
    cfg = load_config(f'{repo_root}/configs/ssdlite_mbv2_ca_coco.py')
    torch.manual_seed(0)
    return calibrate_batch_norms(TensorOutputs(build_inference_model(cfg)),
                                 SIZE)


def network_inputs(count, scale=1.):
    """Inputs distributed as normalised images, times ``scale``."""
    rng = np.random.default_rng(1)
    return [scale * rng.standard_normal((1, 3, *SIZE)).astype(np.float32)
            for _ in range(count)]


def relative_error(model, session, inputs):
    """The largest ||INT8 - fp32|| / ||fp32|| of any output."""
    worst = 0.
    with torch.no_grad():
        for x in inputs:
            for want, got in zip(model(torch.from_numpy(x)), session(x)):
                want = want.numpy()
                assert got.shape == want.shape
                worst = max(worst, float(np.linalg.norm(got - want) /
                                         np.linalg.norm(want)))
    return worst


#: Convolutions left in float: in OpenVINO the depthwise ones of a 1x1
#: input (OpenVINO's AVX-512 int8 kernel computes them wrongly; see
#: one_pixel_depthwise_convs). At 128 px SSDLite's last three levels are
#: 1x1: their class and box heads' depthwise convs (6) and the extra
#: layers' depthwise convs on 1x1 inputs (2).
IN_FLOAT = dict(onnxruntime=0, openvino=8)

#: The calibration sets: the network's inputs, and inputs 20x too small.
CALIBRATIONS = dict(right=1., broken=0.05)


@pytest.fixture(scope='module')
def int8_file(detector, tmp_path_factory):
    """``int8_file(backend, calibration, fp32_gates=False)``: the detector
    quantized on 4 inputs of ``CALIBRATIONS[calibration]``, made once."""
    files = {}

    def get(name, calibration, fp32_gates=False):
        key = name, calibration, fp32_gates
        if key not in files:
            backend = BACKENDS[name]
            path = str(tmp_path_factory.mktemp('int8') /
                       f'model{backend.suffix}')
            quantize(detector, backend, path,
                     network_inputs(4, CALIBRATIONS[calibration]),
                     options=QuantizationOptions(fp32_gates=fp32_gates))
            files[key] = path
        return files[key]
    return get


def int8_op_counts(name, path):
    """(quantized, all) convolutions of the model file at ``path``.
    Quantized: input and weight both come in 8 bits, through
    DequantizeLinear (ONNX QDQ), or through FakeQuantize and from an int8
    constant (OpenVINO, whose saved IR keeps quantized weights as int8)."""
    if name == 'onnxruntime':
        graph = onnx.load(path).graph
        producers = {o: n.op_type for n in graph.node for o in n.output}
        convs = [n for n in graph.node if n.op_type == 'Conv']
        return (sum(producers.get(n.input[0]) == 'DequantizeLinear' and
                    producers.get(n.input[1]) == 'DequantizeLinear'
                    for n in convs), len(convs))
    import openvino as ov
    ops = ov.Core().read_model(path).get_ops()
    convs = [op for op in ops
             if op.get_type_name() in ('Convolution', 'GroupConvolution')]

    def source(op, i):
        return op.input(i).get_source_output().get_node()

    def from_int8_constant(node, depth=4):
        if node.get_type_name() == 'Constant':
            return node.get_output_element_type(0).get_type_name() == 'i8'
        return depth > 0 and any(
            from_int8_constant(source(node, i), depth - 1)
            for i in range(node.get_input_size()))
    return (sum(source(c, 0).get_type_name() == 'FakeQuantize' and
                from_int8_constant(source(c, 1)) for c in convs), len(convs))


@pytest.mark.parametrize('name', INT8_BACKENDS)
def test_int8_model_runs_quantized_and_near_fp32(detector, int8_file, name):
    path = int8_file(name, 'right')
    quantized_convs, convs = int8_op_counts(name, path)
    assert convs > 50 and quantized_convs == convs - IN_FLOAT[name]
    # Measured here on held-out inputs: 0.09 (ONNX Runtime), 0.10
    # (OpenVINO) on an AVX2 machine, 0.04 and 0.04 on one with AVX-512
    # VNNI and AMX (0.89 there before the 1x1 depthwise convs stayed in
    # float); calibrated on inputs 20x too small (ranges that clip) or 50x
    # too large (unnormalised pixels: ranges too coarse), 0.20-0.21 in
    # both. Random weights quantize worse than trained ones.
    session = BACKENDS[name].load(path)
    error = relative_error(detector, session, network_inputs(2))
    assert error < 0.15
    broken = int8_file(name, 'broken')
    error = relative_error(detector, BACKENDS[name].load(broken),
                           network_inputs(2))
    assert error > 0.15


def gating_ops_in_8_bits(name, path, scopes):
    """How many of CA's sigmoids and products run in 8 bits: ONNX ops
    between DequantizeLinear inputs and a QuantizeLinear output (the
    pattern ONNX Runtime fuses into QLinearSigmoid and QLinearMul), or
    OpenVINO ops whose inputs all come from FakeQuantize."""
    if name == 'onnxruntime':
        graph = onnx.load(path).graph
        producers = {o: n.op_type for n in graph.node for o in n.output}
        consumers = {}
        for n in graph.node:
            for i in n.input:
                consumers.setdefault(i, []).append(n.op_type)
        return sum(
            n.op_type in ('Sigmoid', 'Mul')
            and module_path(n.name).startswith(scopes)
            and all(producers.get(i) == 'DequantizeLinear' for i in n.input)
            and consumers.get(n.output[0]) == ['QuantizeLinear']
            for n in graph.node)
    import openvino as ov
    prefixes = tuple(f'__module.{s[:-1]}/' for s in scopes)
    return sum(
        op.get_type_name() in ('Sigmoid', 'Multiply')
        and op.get_friendly_name().startswith(prefixes)
        and all(op.input(i).get_source_output().get_node().get_type_name() ==
                'FakeQuantize' for i in range(op.get_input_size()))
        for op in ov.Core().read_model(path).get_ops())


@pytest.mark.parametrize('name', INT8_BACKENDS)
def test_fp32_gates_keeps_the_gating_in_float(detector, int8_file, name):
    scopes = tuple(f'{s}.' for s in attention_scopes(detector))
    assert scopes
    gated = int8_file(name, 'right')
    kept = int8_file(name, 'right', fp32_gates=True)
    assert gating_ops_in_8_bits(name, gated, scopes) >= len(scopes)
    assert gating_ops_in_8_bits(name, kept, scopes) == 0
    # the convolutions are quantized all the same
    quantized_convs, convs = int8_op_counts(name, kept)
    assert quantized_convs == convs - IN_FLOAT[name]


def test_a_method_the_quantizer_lacks_is_refused(detector, tmp_path):
    with pytest.raises(QuantizationUnavailable, match='no entropy'):
        quantize(detector, BACKENDS['openvino'], str(tmp_path / 'm.xml'),
                 network_inputs(1),
                 options=QuantizationOptions(method='entropy'))
