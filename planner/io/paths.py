"""Where the tool keeps its files, and the one door through which a name becomes a path.

Everything the dashboard writes lives under the data folder (``PLANNER_DATA``, default
``data``); the command line writes only to the ``--out`` folder it is given. A name that
becomes part of a path (a congress's ``name:``, a rehearsal's folder) must match
:data:`SAFE_NAME`, and the path it makes must still lie inside its base once resolved.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# Letters (Chinese too), digits, and _ . - inside; starting with a letter or a digit; at
# most 64 characters; no "..": never a path of its own, never hidden, never a parent.
SAFE_NAME = re.compile(r"^(?!.*\.\.)[^\W_][\w.\-]{0,63}$")


class UnsafeName(ValueError):
    """A name that may not become part of a path."""


def safe_name(text: object) -> bool:
    return isinstance(text, str) and SAFE_NAME.fullmatch(text) is not None


def data_folder() -> Path:
    """The folder the dashboard and the store keep their files in."""
    return Path(os.environ.get("PLANNER_DATA", "data"))


def inside(base: str | Path, *names: str) -> Path:
    """``base / name / …`` once every name is checked and the result, resolved, is still
    inside ``base``; raises :class:`UnsafeName` otherwise."""
    for name in names:
        if not safe_name(name):
            raise UnsafeName(f"not a safe name for a folder or file: {str(name)[:80]!r}")
    base = Path(base)
    path = base.joinpath(*names)
    if not path.resolve().is_relative_to(base.resolve()):
        raise UnsafeName(f"{path} leaves {base}")
    return path


def rehearsal_folder(congress: str) -> Path:
    """Where a congress's rehearsals are kept, in the data folder."""
    return inside(data_folder() / "rehearsals", congress)
