"""What every inference runtime mmca deploys to provides."""
import importlib
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from mmca.utils import InputError
from ..quantization import (CALIBRATION_METHODS, QuantizationOptions,
                            QuantizationUnavailable)

#: A loaded model: one float32 batch (N, 3, H, W) in, the outputs in the
#: order of the PyTorch model's flat tuple out.
Session = Callable[[np.ndarray], List[np.ndarray]]


class BackendUnavailable(InputError):
    """The runtime's Python package does not import, or a layer of mmca's
    it needs cannot be built here (message: the fix); a tool prints it as
    one line."""


class Backend:
    """An inference runtime: export a model to its format, run and profile
    the result.

    Subclasses set the class attributes and implement :meth:`export` and
    :meth:`load`; :meth:`profile` where the runtime times its operators.
    """

    #: The name ``--backend`` takes.
    name: str
    #: The file the exported model is written to (the others it needs, such
    #: as weights, sit beside it).
    suffix: str
    #: The Python modules it needs, and the package that provides them.
    modules: Sequence[str] = ()
    package: str = ''
    #: Whether a graph exported for any input size runs any batch size too;
    #: otherwise (and for a fixed-size graph) it runs the batch it was
    #: exported for.
    batches: bool = True
    #: Whether the runtime runs one image at a time (no batch axis at all).
    single_image: bool = False
    #: Whether an export can take any input size (``--static-shape`` off).
    dynamic_shapes: bool = True
    #: Whether its threads are an OpenMP runtime's, which reads
    #: ``OMP_WAIT_POLICY`` (its wheel's libgomp, or one loaded before it).
    openmp: bool = False
    #: The CA form fastest in this runtime, for a graph of any input size
    #: and for one fixed to the export size (docs/deployment.md).
    dynamic_form: CAExportForm = CAExportForm()
    static_form: CAExportForm = CAExportForm()
    #: Whether it has a layer of mmca's own for a whole CA block
    #: (``CAExportForm.fused``, :meth:`fuse_attention`).
    fuses_attention: bool = False
    #: Why :meth:`quantize` is not offered, where it is not
    #: (docs/deployment.md, "INT8").
    no_int8_reason: str = ''
    #: The calibration methods its quantizer offers.
    calibration_methods: Tuple[str, ...] = CALIBRATION_METHODS

    def check_available(self) -> None:
        for module in self.modules:
            try:
                importlib.import_module(module)
            except ImportError as err:
                raise BackendUnavailable(
                    f'the {self.name} backend needs {module} ({err}); '
                    f'install requirements/deploy.txt (pip install '
                    f'{self.package})') from err

    def form(self, static: bool) -> CAExportForm:
        return self.static_form if static else self.dynamic_form

    def export(self, model: nn.Module, path: str, input_shape: Sequence[int],
               static: bool) -> None:
        """Write ``model`` (a function of one image batch returning a flat
        tuple, see :class:`~mmca.deployment.TensorOutputs`) to ``path``,
        traced at ``input_shape``; fixed to that size where ``static``."""
        raise NotImplementedError

    def fuse_attention(self, path: str) -> int:
        """Replace each CA block of the export at ``path`` by the runtime's
        fused CA layer, in place; how many blocks now are one."""
        raise NotImplementedError(f'{self.name} has no fused CA layer')

    def fused_blocks(self, path: str) -> int:
        """How many CA blocks the export at ``path`` holds as fused
        layers."""
        return 0

    def load(self, path: str, threads: int = 0) -> Session:
        """The exported model, ready to run on the CPU in float32 with
        ``threads`` intra-op threads (0: the runtime's choice)."""
        raise NotImplementedError

    def check_quantization(self, options: QuantizationOptions) -> None:
        """Raise :class:`QuantizationUnavailable` (why, and what to use
        instead) unless :meth:`quantize` can follow ``options``: before
        the export, which takes longer than the refusal."""
        if self.no_int8_reason:
            raise QuantizationUnavailable(
                f'{self.name} has no INT8 path in mmca: '
                f'{self.no_int8_reason} (docs/deployment.md, "INT8")')
        if options.method not in self.calibration_methods:
            raise QuantizationUnavailable(
                f'{self.name}\'s quantizer has no {options.method} '
                f'calibration; use {" or ".join(self.calibration_methods)}')

    def quantize(self, fp32_path: str, path: str,
                 inputs: Sequence[np.ndarray], options: QuantizationOptions,
                 attention_scopes: Sequence[str]) -> None:
        """Write to ``path`` the INT8 model of the fp32 export
        ``fp32_path``, its activation ranges calibrated on ``inputs``
        (each (1, 3, H, W), :func:`~mmca.deployment.calibration_inputs`),
        with the runtime's own post-training quantizer.
        ``attention_scopes`` name the CA blocks (for
        ``options.fp32_gates``).

        Call :meth:`check_quantization` first.
        """
        raise NotImplementedError

    def profile(self, path: str, input_shape: Sequence[int], batch: int = 1,
                threads: int = 0, runs: int = 20,
                warmup: int = 3) -> Optional[Dict[str, float]]:
        """Milliseconds per run by operator type, largest first, from the
        runtime's own profiler; None where the runtime has none that Python
        reaches."""
        return None
