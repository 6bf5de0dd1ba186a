"""A plan as the contract's files (assignments, moves, staff_tasks, bags, coverage,
summary), and every folder this tool writes: written whole or not at all; read back for
checking and re-planning."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

from planner.io.sheets import plain_text, safe_text
from planner.model.place import Place, is_depot
from planner.model.plan import FILES, Plan, PlanSummary
from planner.model.times import stamp


def _text(value: object) -> str:
    if isinstance(value, str):  # a name or an operator's id: never a live formula
        return safe_text(value)
    if isinstance(value, dt.datetime):
        return stamp(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Place):
        return safe_text(str(value))
    return "" if value is None else str(value)


def rows_text(kind: type, rows: list) -> str:
    """One CSV of dataclass rows, as text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([x.name for x in fields(kind)])
    for row in rows:
        writer.writerow([_text(getattr(row, f.name)) for f in fields(kind)])
    return out.getvalue()


def write_rows(path: Path, kind: type, rows: list) -> None:
    """One CSV of dataclass rows, UTF-8 with BOM so Chinese Excel opens it as is."""
    Path(path).write_text(rows_text(kind, rows), encoding="utf-8-sig", newline="")


# Every folder this tool writes holds this file: what kind of folder it is and every file
# written into it. ``--out`` replaces only a folder of the same kind that still holds
# nothing else (not a user's notes, not another kind's files, not an older tool's folder).
OWNER = ".planner-folder.json"


def _contents(folder: Path) -> set[str]:
    """Every file, link and folder below ``folder``; raises OSError for one it cannot
    read (counted as not ours, rather than as empty)."""
    found = set()

    def fail(error: OSError) -> None:
        raise error

    for top, dirs, files in os.walk(folder, onerror=fail):
        for name in dirs + files:
            found.add((Path(top) / name).relative_to(folder).as_posix())
    return found


def ours(out: str | Path, what: str) -> bool:
    """``out`` is a folder this tool wrote as a ``what`` (plan, report, rehearsal) and it
    holds only the files written then."""
    out = Path(out)
    try:
        owner = json.loads((out / OWNER).read_text(encoding="utf-8"))
        return (owner.get("kind") == what
                and _contents(out) <= {*owner.get("files", []), OWNER})
    except (OSError, ValueError, AttributeError, TypeError):
        return False


def occupied(out: str | Path, what: str) -> bool:
    """A folder ``out`` may not be replaced by a ``what``: it exists, is not empty and is
    not one of ours of that kind (:func:`ours`). Such a folder is never touched."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        return True
    return out.exists() and any(out.iterdir()) and not ours(out, what)


@contextmanager
def atomic_folder(out: str | Path, what: str):
    """Write a folder whole or not at all: the body fills the temporary folder it is given,
    which then replaces ``out``. An earlier folder of the same kind that holds nothing else
    is replaced; any other non-empty folder is refused (FileExistsError)."""
    out = Path(out)
    if occupied(out, what):
        raise FileExistsError(f"{out} exists, is not empty and is not a {what} folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{what}-", dir=out.parent))
    try:
        yield tmp
        (tmp / OWNER).write_text(json.dumps({"kind": what, "files": sorted(_contents(tmp))},
                                            ensure_ascii=False, indent=0), encoding="utf-8")
        if occupied(out, what):  # filled meanwhile by someone else: left as it is
            raise FileExistsError(f"{out} exists, is not empty and is not a {what} folder")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=".old-", dir=out.parent))
            os.replace(out, old / what)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def plan_files(plan: Plan, extras: dict[str, tuple[type, list]] | None = None
               ) -> dict[str, str]:
    """The plan's files as text, name -> content: what a plan folder holds and what the
    store keeps for each plan version. ``extras`` adds files (name -> (row type, rows)),
    e.g. a re-plan's changes."""
    files = {f"{name}.csv": rows_text(kind, getattr(plan, name)) for name, kind in FILES.items()}
    for name, (kind, rows) in (extras or {}).items():
        files[f"{name}.csv"] = rows_text(kind, rows)
    files["summary.json"] = json.dumps(plan.summary.to_json(), ensure_ascii=False, indent=2)
    return files


def write_plan(plan: Plan, out: str | Path, extras: dict[str, tuple[type, list]] | None = None
               ) -> Path:
    """Write the plan folder atomically (:func:`atomic_folder`), unchecked: the product
    writes plans through :func:`planner.verify.checked_files` and :func:`write_files`.

    An existing plan folder is replaced whole; any other non-empty folder is refused.
    """
    return write_files(plan_files(plan, extras), out)


def write_files(files: dict[str, str], out: str | Path) -> Path:
    """A plan folder from its files' text (:func:`plan_files`), whole or not at all."""
    with atomic_folder(out, "plan") as tmp:
        fill_folder(tmp, files)
    return Path(out)


def fill_folder(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        encoding = "utf-8" if name.endswith(".json") else "utf-8-sig"
        (folder / name).write_text(text, encoding=encoding, newline="")


def read_rows(folder: str | Path, name: str) -> list[dict[str, str]]:
    """Rows of one plan file as text, for readers that check it independently."""
    with open(Path(folder) / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return [{k: plain_text(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _value(kind: str | type, text: str):  # kind: Field.type, a string (postponed annotations)
    if kind == "dt.datetime":
        return dt.datetime.fromisoformat(text)  # a malformed time raises ValueError
    if kind == "int":
        return int(text)
    if kind == "bool":
        return text == "true"
    if kind == "Place" or (kind == "Place | str" and is_depot(text)):
        return Place.parse(plain_text(text))
    return plain_text(text)


def read_plan(folder: str | Path) -> Plan:
    """A plan folder read back whole (re-planning starts from it). Raises ``ValueError``
    naming the file and row when a value cannot be read."""
    folder = Path(folder)
    names = [*(f"{name}.csv" for name in FILES), "summary.json"]
    return plan_from_files({name: (folder / name).read_text(encoding="utf-8-sig")
                            for name in names})


def plan_from_files(files: dict[str, str]) -> Plan:
    """A plan from its files' text (:func:`plan_files`, or a version in the store)."""
    plan = Plan(summary=PlanSummary.from_json(json.loads(files["summary.json"])))
    for name, kind in FILES.items():
        rows = []
        reader = csv.DictReader(io.StringIO(files[f"{name}.csv"].lstrip("\ufeff"), newline=""))
        for n, row in enumerate(reader, start=2):
            try:
                rows.append(kind(**{f.name: _value(f.type, row[f.name]) for f in fields(kind)
                                    if row.get(f.name) is not None}))
            except (TypeError, ValueError) as error:
                raise ValueError(f"{name}.csv row {n}: {error}") from error
        setattr(plan, name, rows)
    return plan
