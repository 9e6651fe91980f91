"""Inference entry points: a config's model, and an image as it sees it."""
from .inference import (build_inference_model, config_input_size,
                        load_inference_model, load_test_image)

__all__ = [
    'build_inference_model', 'config_input_size', 'load_inference_model',
    'load_test_image'
]
