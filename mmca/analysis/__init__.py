"""Reading what runs leave behind."""
from .scalars import INDEX_KEYS, read_curves, scalars_file

__all__ = ['INDEX_KEYS', 'read_curves', 'scalars_file']
