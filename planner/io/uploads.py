"""A scenario uploaded through the dashboard, made safe to read.

The client's file name says only which kind of file it is (its suffix); the file is
saved in a folder of its own made by the server, under the client's name only where that
is a safe name (:data:`planner.io.paths.SAFE_NAME`), else as ``upload``. A .zip is unpacked entry
by entry: an entry that would land outside the folder (an absolute path, ``..``) or is
a link is refused, as is an archive of more than :data:`MAX_ZIP_ENTRIES` files or more
than :data:`planner.limits.MAX_UNZIPPED_BYTES` unpacked (counted while copying, not
taken from the archive's own word).
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from planner.errors import Problem, ScenarioError
from planner.io.paths import safe_name
from planner.limits import MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, ZIP_METHODS
from planner.limits import shown as _shown

KINDS = (".xlsx", ".zip")
MAX_ZIP_ENTRIES = 1_000


def _refuse(file: str, key: str, **params: object) -> ScenarioError:
    return ScenarioError([Problem(file, key, params=params)])


def save_upload(data: bytes, client_name: str, folder: Path) -> Path:
    """The upload saved in ``folder`` (the server's own, empty) or, a .zip, unpacked into
    ``folder/scenario``; returns the path to give
    :func:`planner.model.scenario.load_scenario`. Raises :class:`ScenarioError`."""
    shown = str(_shown(PurePosixPath(str(client_name).replace("\\", "/")).name))
    suffix = PurePosixPath(shown).suffix.lower()
    if suffix not in KINDS:
        raise _refuse(shown, "upload_kind")
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(shown, "upload_too_large", size=len(data), limit=MAX_FILE_BYTES)
    stem = PurePosixPath(shown).stem  # kept where it is a safe name: messages name it
    path = Path(folder) / f"{stem if safe_name(stem) else 'upload'}{suffix}"
    path.write_bytes(data)
    if suffix == ".xlsx":
        return path
    target = Path(folder) / "scenario"
    unpack(path, target, shown)
    found = sorted(target.rglob("venues.csv"))
    return found[0].parent if found else target


def unpack(archive: Path, target: Path, shown: str) -> None:
    """Unpack ``archive`` into ``target`` (made here), refusing what :mod:`planner.io.uploads`
    says is refused."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_ZIP_ENTRIES:
                raise _refuse(shown, "zip_too_many", limit=MAX_ZIP_ENTRIES)
            target.mkdir()
            root = target.resolve()
            left = MAX_UNZIPPED_BYTES
            for m in members:
                if m.compress_type not in ZIP_METHODS:
                    raise _refuse(shown, "bad_zip")
                name = PurePosixPath(m.filename.replace("\\", "/"))
                dest = (target / name).resolve()
                link = stat.S_ISLNK(m.external_attr >> 16)
                if name.is_absolute() or ".." in name.parts or link or dest == root or (
                        not dest.is_relative_to(root)):
                    raise _refuse(shown, "zip_unsafe_entry", entry=_shown(m.filename))
                if m.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(m) as source, open(dest, "wb") as out:
                    left = _copy(source, out, left, shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            RuntimeError, ValueError, OSError, zlib.error):
        # damaged, encrypted or odd archives: bad data, a file where a folder is to go,
        # names too long for the file system
        raise _refuse(shown, "bad_zip") from None


def _copy(source, out, left: int, shown: str) -> int:
    """Copy in chunks, stopping once more than ``left`` bytes came out; returns what is
    left of the allowance."""
    while chunk := source.read(1 << 20):
        left -= len(chunk)
        if left < 0:
            raise _refuse(shown, "zip_too_large", limit=MAX_UNZIPPED_BYTES)
        out.write(chunk)
    return left
