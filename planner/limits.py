"""Bounds on what the planner reads, in one place.

Every input (scenario files, workbooks, scenario.yaml, event logs, plan folders) is
checked against these before it is parsed further or stored, so a hostile or broken
file is refused with a problem naming it instead of taking the machine's memory or
ending in a traceback. The defaults are far above any real congress (the reference
has 256 sessions in 46 rooms of at most 1,600 m²); README "Input limits" lists them.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import yaml

# how much of a user's value a message echoes is the messages' own (planner.errors): named
# here too, with the other bounds
from planner.errors import MAX_SHOWN as MAX_SHOWN
from planner.errors import MAX_SHOWN_ERROR as MAX_SHOWN_ERROR
from planner.errors import Problems, shown


def _setting(name: str, default: int, unit: int = 1) -> int:
    """A limit, from ``PLANNER_LIMIT_<name>`` when set (a positive whole number, in the
    unit named), else the default; a bad value stops the tool at start, said plainly."""
    text = os.environ.get(f"PLANNER_LIMIT_{name}")
    if text is None:
        return default * unit
    if not text.strip().isdigit() or int(text) <= 0:
        raise SystemExit(f"PLANNER_LIMIT_{name}={text[:40]!r}: not a positive whole number "
                         f"/ 不是正整数")
    return int(text) * unit


MB = 1024 * 1024
MAX_FILE_BYTES = _setting("FILE_MB", 50, MB)  # one input file (CSV, .xlsx, events, plan file)
MAX_UNZIPPED_BYTES = _setting("UNZIPPED_MB", 500, MB)  # an archive's parts, unpacked, in all
MAX_ROWS = _setting("ROWS", 100_000)  # data rows in one table, lines in one event file
# A plan's files grow with the congress's work (a ×100 congress's staff_tasks.csv has some
# 260,000 rows in 20 MB): a plan folder given back to the tool is bounded more widely.
MAX_PLAN_ROWS = 50 * MAX_ROWS
MAX_PLAN_FILE_BYTES = 1024 * 1024 * 1024
MAX_COLUMNS = _setting("COLUMNS", 200)  # columns in one table
# Archive entries (.zip uploads, .xlsx parts) may be stored or deflated only: Python
# unpacks bzip2 and LZMA chunks without a cap on their output, so a few hundred bytes
# could grow to gigabytes before any size is compared.
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
MAX_YAML_BYTES = 1024 * 1024  # scenario.yaml
MAX_YAML_DEPTH = 50  # nesting of mappings and lists in scenario.yaml
MAX_EVENT_BYTES = 64 * 1024  # one event (one line of JSON)

# The largest plausible value of each numeric column (the smallest is checked by the reader).
MAX_NUMBER: dict[str, float] = {
    "area_m2": 100_000,  # a room; the largest congress halls are ~10,000 m²
    "capacity": 100_000,  # people in a room; m², slots or kg of one stock item
    "attendees": 100_000,
    "members": 100_000,
    "minutes": 24 * 60,  # road time between two venues
    "bag_sets": 10_000,
    "jammers_required": 1_000,
    "cabinet_units_required": 1_000,
    "patrols_required": 1_000,
    "kg": 100_000,  # one weighing or destruction
}
MAX_SETTING = 10_000  # any number under rules: or disruptions:
MAX_SETTING_MINUTES = 24 * 60  # a setting whose name ends in _minutes
MAX_SETTING_BY_KEY = {"signal_factor": 100, "adhoc_per_day_venue": 100,
                      "unit_failures_per_day": 1_000, "staff_absences_per_day": 1_000,
                      "boosters_per_day": 1_000}

FIRST_DAY = dt.datetime(2000, 1, 1)  # the congress's times lie in [FIRST_DAY, LAST_DAY)
LAST_DAY = dt.datetime(2101, 1, 1)
MAX_CONGRESS_DAYS = 31  # from the first session's start to the last one's end
MAX_SESSION_HOURS = 24  # one session, ad-hoc or extended ones too
EVENT_MARGIN_DAYS = 7  # an event's times lie within the congress's days ± this


def number_too_large(column: str, value: float) -> float | None:
    """The bound ``value`` exceeds for ``column``, or None."""
    high = MAX_NUMBER.get(column)
    return high if high is not None and value > high else None


def setting_too_large(key: str, value: object) -> str:
    """Why a parsed setting is implausibly large, or "" (numbers, ranges, mappings)."""
    high = MAX_SETTING_BY_KEY.get(key) or (MAX_SETTING_MINUTES if key.endswith("_minutes")
                                           else MAX_SETTING)
    numbers = (value.values() if isinstance(value, dict) else value
               if isinstance(value, list) else [value])
    if any(isinstance(n, int | float) and not isinstance(n, bool) and n > high
           for n in numbers):
        return f"must be at most {high:,}"
    return ""


def read_bytes(path: Path, problems: Problems, name: str | None = None,
               limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of a user's file, or None with a problem: not a file, unreadable, too big."""
    name = name or path.name
    try:
        if not path.is_file():
            problems.add(name, "not_a_file", file=name)
            return None
        size = path.stat().st_size
        if size > limit:
            problems.add(name, "file_too_big", size=f"{size:,}", limit=f"{limit:,}")
            return None
        return path.read_bytes()
    except OSError as error:
        problems.add(name, "unreadable", error=shown(error.strerror or error))
        return None


def too_many_rows(file: str, count: int, problems: Problems, limit: int = MAX_ROWS) -> bool:
    """Whether ``count`` data rows are more than a table may have (said, if so)."""
    if count > limit:
        problems.add(file, "too_many_rows", limit=f"{limit:,}")
        return True
    return False


def too_many_columns(file: str, count: int, problems: Problems) -> bool:
    if count > MAX_COLUMNS:
        problems.add(file, "too_many_columns", row=1, n=f"{count:,}", limit=MAX_COLUMNS)
        return True
    return False


def time_outside(t: dt.datetime, low: dt.datetime, high: dt.datetime) -> bool:
    return not low <= t <= high


class SafeYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases (a "billion laughs" grows a few
    bytes into gigabytes) and nesting deeper than MAX_YAML_DEPTH, before anything is built."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed here")
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.YAMLError("anchors (&name) are not allowed here")
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.YAMLError(f"nested deeper than {MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str):
    """YAML from a user (scenario.yaml, a workbook's setting): safe, no aliases, bounded
    depth. Raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=SafeYamlLoader)  # a SafeLoader subclass: safe
