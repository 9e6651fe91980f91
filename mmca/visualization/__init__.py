"""Pictures of what a model does with one image: the gates its attention
layers apply (:mod:`.attention_panels`) and class activation maps
(:mod:`.cam`). Importing this registers nothing and loads grad-cam only
when a map is computed."""
from .attention_panels import (CELL_PIXELS, Panel, draw_attention_panels,
                               gate_panels, layer_label, predicted_gates)
from .cam import (METHODS, cam_overlay, class_activation_map,
                  default_target_layer, named_layers)

__all__ = [
    'CELL_PIXELS', 'METHODS', 'Panel', 'cam_overlay', 'class_activation_map',
    'default_target_layer', 'draw_attention_panels', 'gate_panels',
    'layer_label', 'named_layers', 'predicted_gates'
]
