"""A checkpoint given to a tool holds exactly its model's weights."""
import torch

from mmca.utils import InputError, compare_state_dicts, load_weights


def check_checkpoint_matches(model: torch.nn.Module, path: str) -> None:
    """Check a checkpoint holds exactly the weights of ``model``."""
    weights = load_weights(path)
    mismatch = compare_state_dicts(weights, model.state_dict())
    if not mismatch:
        return
    hint = 'Was it trained with another config?'
    if mismatch.wrong_shape and all(
            key.startswith(('head.', 'bbox_head.', 'decode_head.'))
            for key in mismatch.wrong_shape):
        hint = ('Its head was trained for another number of classes. To '
                'fine-tune from it, load its backbone alone: --cfg-options '
                "model.backbone.init_cfg.type=Pretrained "
                f"model.backbone.init_cfg.checkpoint={path} "
                "model.backbone.init_cfg.prefix=backbone.")
    elif any(key.startswith(('features.', 'classifier.'))
             for key in mismatch.unexpected):
        hint = ('It is a checkpoint of the released code: convert it with '
                'tools/model_converters/coordattention_to_mmca.py first.')
    raise InputError(f'checkpoint {path} does not match the model of the '
                     f'config: {mismatch.describe()}. {hint}')
