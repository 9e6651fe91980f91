"""A model file deployed to a runtime, in the place of the PyTorch network in
mmengine's test loop, so the config's own evaluator scores it."""
from typing import List, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmca.utils import InputError
from .backends import Session


class DeployedModel(BaseModel):
    """The network of ``model`` run by ``session``, and the rest of
    ``model`` as it is: the data preprocessor before it, and after it the
    task's own decoding (mmdet's ``predict_by_feat`` with its NMS, mmseg's
    resize and argmax, or mmpretrain's scores), as
    ``tools/deployment/export.py`` leaves them out of the file.

    The runtime takes one image at a time (the runtimes of fixed batch
    take no other); the outputs are stacked back into the batch.

    Args:
        model (nn.Module): The config's model (its weights are not used).
        session (Session): The loaded model file
            (:meth:`~mmca.deployment.Backend.load`).
        path (str): The model file, for messages.
    """

    def __init__(self, model: nn.Module, session: Session,
                 path: str) -> None:
        super().__init__(data_preprocessor=model.data_preprocessor)
        self.model = model.eval()
        self.session = session
        self.path = path
        if hasattr(model, 'encode_decode'):
            # mmseg's whole and sliding-window inference both get their
            # logits from encode_decode: here, from the runtime
            model.encode_decode = self._segmentation_logits

    def network(self, inputs: torch.Tensor) -> List[torch.Tensor]:
        """The file's outputs for a batch (N, 3, H, W): the flat tuple of
        :class:`~mmca.deployment.TensorOutputs`, each (N, ...)."""
        per_image = []
        for image in inputs.float().numpy():
            try:
                per_image.append(self.session(
                    np.ascontiguousarray(image[None])))
            except Exception as err:
                raise InputError(
                    f'{self.path} cannot run an input of '
                    f'{"x".join(map(str, (1, ) + image.shape))} ({err}); '
                    'export it for any size, or fixed to this size with '
                    '--shape') from None
        return [torch.from_numpy(np.concatenate(outputs))
                for outputs in zip(*per_image)]

    def _segmentation_logits(self, inputs: torch.Tensor,
                             batch_img_metas: List[dict]) -> torch.Tensor:
        logits, = self.network(inputs)
        return self.model.decode_head.predict_by_feat(logits,
                                                      batch_img_metas)

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[list] = None, mode: str = 'predict'):
        if mode != 'predict':
            raise InputError(f'a deployed model only predicts, not {mode}')
        with torch.no_grad():
            if hasattr(self.model, 'bbox_head'):      # mmdet
                outputs = self.network(inputs)
                levels = len(outputs) // 2
                metas = [sample.metainfo for sample in data_samples]
                results = self.model.bbox_head.predict_by_feat(
                    outputs[:levels], outputs[levels:],
                    batch_img_metas=metas, rescale=True)
                return self.model.add_pred_to_datasample(
                    data_samples, results)
            if hasattr(self.model, 'decode_head'):    # mmseg
                return self.model.predict(inputs, data_samples)
            scores, = self.network(inputs)            # mmpretrain
            return self.model.head._get_predictions(scores, data_samples)
