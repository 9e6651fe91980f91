"""The files that come with mmca beside its Python modules: ``configs/``,
``tools/``, ``demo/`` and ``model-index.yml``.

An installed wheel carries them in ``mmca/.mim/`` (where mim looks for
them too; an editable install links them there, ``setup.py``); a clone
that was not installed has them beside the package folder.
"""
import os.path as osp
from typing import Optional

from .input_error import InputError

#: The ``mmca`` package's folder.
PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: Where to look, in order, relative to the package's folder.
PLACES = ('.mim', '..')


def package_file(*parts: str, package: Optional[str] = None) -> str:
    """The path of ``parts`` (e.g. ``'tools', 'train.py'``) under the first
    of :data:`PLACES` that has it.

    Args:
        parts (str): The path's components, relative to a clone's root.
        package (str, optional): The package folder to look from; by
            default this package's.

    Raises:
        InputError: Neither place has it.
    """
    package = package or PACKAGE_DIR
    places = [osp.normpath(osp.join(package, place, *parts))
              for place in PLACES]
    for path in places:
        if osp.exists(path):
            # an editable install's links resolve to the clone's files
            return osp.realpath(path)
    raise InputError(f'no {osp.join(*parts)} at {" or ".join(places)}; '
                     'reinstall mmca (its wheel carries .mim/) or use a '
                     'clone of it')
