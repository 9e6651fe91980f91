"""The class names a dataset config trains or tests on."""
import importlib
from typing import Dict, Optional, Sequence

from mmengine.config import Config


def dataset_classes(dataset: Dict,
                    scope: Optional[str]) -> Optional[Sequence[str]]:
    """The ``classes`` of a dataset config's ``metainfo``, else of its
    registered type's ``METAINFO`` (looked up in ``scope``'s ``DATASETS``);
    None if neither names them. Wrappers (``dataset=``, ``datasets=``) are
    looked through to their first dataset."""
    classes = (dataset.get('metainfo') or {}).get('classes')
    if classes is None and isinstance(dataset.get('type'), str) and scope:
        registry = importlib.import_module(f'{scope}.registry').DATASETS
        dataset_class = registry.get(dataset['type'])
        classes = getattr(dataset_class, 'METAINFO', {}).get('classes')
    inner = dataset.get('dataset') or (dataset.get('datasets') or [None])[0]
    if classes is None and isinstance(inner, dict):
        return dataset_classes(inner, scope)
    return classes


def classes_of_test_set(cfg: Config) -> Optional[Sequence[str]]:
    """The classes of ``cfg``'s test set, as its evaluator names them."""
    dataloader = cfg.get('test_dataloader') or {}
    dataset = dataloader.get('dataset') if isinstance(dataloader, dict) \
        else None
    if not isinstance(dataset, dict):
        return None
    return dataset_classes(dataset, cfg.get('default_scope'))
