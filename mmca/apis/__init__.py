"""Inference entry points: mmca's models by name (mmpretrain's
``list_models`` and ``get_model``), a model's prediction through its
library's inferencer, and a config's model and an image as it sees it."""
from .inference import (build_inference_model, config_input_size,
                        load_inference_model, load_test_image)
from .inferencer import build_inferencer, inference_model
from .model_zoo import get_model, list_models, model_entry

__all__ = [
    'build_inference_model', 'build_inferencer', 'config_input_size',
    'get_model', 'inference_model', 'list_models', 'load_inference_model',
    'load_test_image', 'model_entry'
]
