"""Raw tables from a scenario folder of CSV files or from one .xlsx workbook.

This layer only turns files into rows of text, keeping the row numbers a user
sees in Excel (the header is row 1). Meaning and checks are in
:mod:`planner.model.scenario`.

CSV files are read as Chinese Excel saves them: UTF-8, UTF-8 with a BOM, or
GBK/GB18030. In a workbook each file is a sheet named after it (``sessions``
or ``sessions.csv``); ``scenario.yaml`` is a sheet ``scenario`` with the
columns ``key`` and ``value`` (rules as ``rules.setup_minutes``), or a
``scenario.yaml`` file beside the workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from planner import limits
from planner.errors import Problems
from planner.io.sheets import plain_text, safe_row


@dataclass
class Table:
    """Rows of one file: ``rows`` holds ``(row_number, {column: text})``."""

    file: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def decode(data: bytes) -> str | None:
    """Text of a CSV saved by Chinese Excel, or None if the encoding is not one we know."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text  # NULs: UTF-16 that happened to decode
    return None


def _clean_header(name: object) -> str:
    return str(name if name is not None else "").strip().lstrip("\ufeff").strip().lower()


def _table(file: str, header: Sequence[object], body: list[tuple[int, list[str]]],
           problems: Problems) -> Table:
    columns = [_clean_header(h) for h in header]
    seen: set[str] = set()
    duplicated = False
    for c in columns:
        if c and c in seen:
            problems.add(file, "duplicate_column", row=1, column=c)
            duplicated = True
        seen.add(c)
    if duplicated:
        return Table(file, [], [])  # which of the two is meant cannot be known
    rows = []
    for number, values in body:
        if not any(v.strip() for v in values):
            continue  # Excel leaves blank lines such as ",,,," at the end
        record = {c: (values[i].strip() if i < len(values) else "")
                  for i, c in enumerate(columns) if c}
        rows.append((number, record))
    return Table(file, [c for c in columns if c], rows)


def read_csv(path: Path, problems: Problems) -> Table | None:
    data = limits.read_bytes(path, problems)
    if data is None:
        return None
    text = decode(data)
    if text is None:
        problems.add(path.name, "bad_encoding")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        if limits.too_many_columns(path.name, len(header), problems):
            return None
        # Excel's row number: one per record, however many lines a quoted cell spans
        body = []
        for number, values in enumerate(reader, start=2):
            if limits.too_many_rows(path.name, number - 1, problems):
                return None
            body.append((number, values[:limits.MAX_COLUMNS]))
    except csv.Error as error:
        problems.add(path.name, "bad_csv", row=reader.line_num, error=str(error))
        return None
    return _table(path.name, header, body, problems)


def cell_text(value: object) -> str:
    """A workbook cell as the text a user would have typed into a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(plain_text(value)).strip()  # text as write_workbook made it safe, read back


def read_workbook(path: Path, names: list[str], problems: Problems
                  ) -> tuple[dict[str, Table], dict | None]:
    """The sheets named in ``names`` (without .csv) and the scenario settings of a workbook."""
    from openpyxl import load_workbook

    if limits.read_bytes(path, problems) is None or not _unzipped_size_ok(path, problems):
        return {}, None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        problems.add(path.name, "bad_xlsx", error=str(error))
        return {}, None
    sheets = {name.strip().lower().removesuffix(".csv"): book[name] for name in book.sheetnames}
    tables: dict[str, Table] = {}
    for name in names:
        sheet = sheets.get(name)
        if sheet is None:
            problems.add(path.name, "missing_sheet", sheet=name)
            continue
        rows = _sheet_rows(sheet, f"{path.name}[{name}]", problems)
        if rows is None:
            continue
        header = list(rows[0]) if rows else []
        body = [(i + 2, [cell_text(v) for v in r]) for i, r in enumerate(rows[1:])]
        tables[name] = _table(f"{path.name}[{name}]", header, body, problems)
    settings = None
    sheet = sheets.get("scenario") or sheets.get("scenario.yaml")
    if sheet is not None:
        rows = _sheet_rows(sheet, f"{path.name}[scenario]", problems)
        settings = _settings_from_sheet(rows or [], f"{path.name}[scenario]", problems)
    else:
        beside = path.with_suffix(".yaml")
        if beside.exists():
            settings = read_yaml(beside, problems)
    book.close()
    return tables, settings


def _unzipped_size_ok(path: Path, problems: Problems) -> bool:
    """Whether a workbook's parts unpack within MAX_UNZIPPED_BYTES (a zip bomb does not)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
            size = sum(i.file_size for i in parts)
    except (zipfile.BadZipFile, OSError) as error:
        problems.add(path.name, "bad_xlsx", error=str(error))
        return False
    if any(i.compress_type not in limits.ZIP_METHODS for i in parts):
        problems.add(path.name, "bad_xlsx", error="compressed other than by deflate")
        return False
    if size > limits.MAX_UNZIPPED_BYTES:
        problems.add(path.name, "file_too_big", size=f"{size:,}",
                     limit=f"{limits.MAX_UNZIPPED_BYTES:,}")
        return False
    return True


def _sheet_rows(sheet, file: str, problems: Problems) -> list[tuple] | None:
    """A sheet's rows as values, or None if it is larger than a table may be. The range the
    sheet declares (its dimension) is checked first, and reading stops at the limits
    whatever it declares: a single cell at XFD1048576 must not mean 17 billion cells."""
    declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
    if limits.too_many_columns(file, declared_columns, problems):
        return None
    if limits.too_many_rows(file, declared_rows - 1, problems):
        return None
    rows = []
    try:
        for row in sheet.iter_rows(values_only=True, max_row=limits.MAX_ROWS + 2,
                                   max_col=limits.MAX_COLUMNS):
            rows.append(row)
            if limits.too_many_rows(file, len(rows) - 1, problems):
                return None
    except Exception as error:  # damaged sheet data: zlib, XML and zip errors of all kinds
        problems.add(file, "bad_xlsx", error=limits.shown(str(error)))
        return None
    return rows


def _settings_from_sheet(rows: list[tuple], file: str, problems: Problems) -> dict:
    """``key``/``value`` rows, dotted keys making nested mappings, values read as YAML."""
    settings: dict = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or row[0] is None:
            continue
        key = str(row[0]).strip()
        value = plain_text(row[1]) if len(row) > 1 else None
        if isinstance(value, str):
            try:
                value = limits.load_yaml(value) if value.strip() else None
            except (yaml.YAMLError, RecursionError) as error:
                problems.add(file, "bad_yaml", row=number, column="value",
                             error=str(error).replace("\n", " "))
                continue
        node = settings
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                problems.add(file, "bad_setting", row=number, column="key", key=key,
                             value=value, why=f"{part} is a single value, not a group of settings")
                break
        else:
            node[leaf] = value
    return settings


def read_yaml(path: Path, problems: Problems) -> dict | None:
    data = limits.read_bytes(path, problems, limit=limits.MAX_YAML_BYTES)
    if data is None:
        return None
    text = decode(data)
    if text is None:
        problems.add(path.name, "bad_encoding")
        return None
    try:
        data = limits.load_yaml(text)
    except (yaml.YAMLError, RecursionError) as error:
        problems.add(path.name, "bad_yaml", error=str(error).replace("\n", " "))
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(path.name, "bad_yaml", error="top level must be a mapping of settings")
        return None
    return data


def read_folder(path: Path, names: list[str], problems: Problems
                ) -> tuple[dict[str, Table], dict | None]:
    tables: dict[str, Table] = {}
    for name in names:
        file = path / f"{name}.csv"
        if not file.exists():
            problems.add(f"{name}.csv", "missing_file", file=f"{name}.csv")
            continue
        table = read_csv(file, problems)
        if table is not None:
            tables[name] = table
    settings_file = path / "scenario.yaml"
    if not settings_file.exists():
        problems.add("scenario.yaml", "missing_file", file="scenario.yaml")
        return tables, None
    return tables, read_yaml(settings_file, problems)


def _flatten(settings: dict, prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in settings.items():
        if isinstance(value, dict) and value and prefix == "":
            out += _flatten(value, f"{key}.")
        elif isinstance(value, dict | list):
            out.append((f"{prefix}{key}", yaml.safe_dump(value, default_flow_style=True,
                                                          allow_unicode=True).strip()))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def write_workbook(folder: str | Path, out: str | Path) -> Path:
    """One .xlsx workbook holding a scenario folder: a sheet per CSV and a ``scenario`` sheet."""
    from openpyxl import Workbook

    folder, out = Path(folder), Path(out)
    book = Workbook()
    book.remove(book.active)
    for csv_file in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(csv_file.stem)
        for values in csv.reader(io.StringIO(decode(csv_file.read_bytes()) or "")):
            sheet.append(safe_row(values))
    settings = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8")) or {}
    sheet = book.create_sheet("scenario")
    sheet.append(["key", "value"])
    for key, value in _flatten(settings):
        sheet.append(safe_row([key, value]))
    book.save(out)
    return out
