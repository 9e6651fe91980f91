"""Pictures of what a model does with one image: the gates its attention
layers apply (:mod:`.attention_panels`) and class activation maps
(:mod:`.cam`), each map over a grayscale copy of the image with a
colorbar (:mod:`.map_over_image`). Importing this registers nothing and
loads grad-cam only when a map is computed."""
from .attention_panels import (CELL_PIXELS, COLORBAR_PIXELS, Panel,
                               attention_figure, draw_attention_panels,
                               gate_panels, layer_label, predicted_gates)
from .cam import (METHODS, cam_figure, class_activation_map,
                  default_target_layer, draw_cam, named_layers)
from .map_over_image import grayscale, value_range

__all__ = [
    'CELL_PIXELS', 'COLORBAR_PIXELS', 'METHODS', 'Panel', 'attention_figure',
    'cam_figure', 'class_activation_map', 'default_target_layer',
    'draw_attention_panels', 'draw_cam', 'gate_panels', 'grayscale',
    'layer_label', 'named_layers', 'predicted_gates', 'value_range'
]
