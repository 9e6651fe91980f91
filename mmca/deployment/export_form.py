"""Export every CoordAttention block of a model in one form."""
from contextlib import contextmanager
from typing import Iterator

from mmca.models import CoordAttention
from mmca.models.attention.export_form import CAExportForm


@contextmanager
def ca_export_form(form: CAExportForm) -> Iterator[CAExportForm]:
    """Within the block, tracing and export write every
    :class:`~mmca.models.CoordAttention` in ``form``; the default form is
    restored on exit, also after an error."""
    previous = CoordAttention.export_form
    CoordAttention.export_form = form
    try:
        yield form
    finally:
        CoordAttention.export_form = previous
