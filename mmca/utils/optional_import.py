"""Import the parts of mmca that need a library only where it imports."""
import importlib


def library_imports(module: str) -> bool:
    """Whether ``module`` (e.g. ``'mmdet.models'``) imports here.

    mmca serves mmdet, mmseg and mmpretrain alike, and a user may have any
    one of them; the modules built on one library are registered only when
    it imports.
    """
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
