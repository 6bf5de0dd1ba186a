"""Spreadsheet-safe text: the one rule every .xlsx and CSV this tool writes goes through.

Scenario names and what operators type (an event's ``note`` or ``who``, an ad-hoc
session's id or name, staff, venue and room names) end up in cells. Excel, WPS and
LibreOffice read a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)``, a DDE payload such as ``=cmd|' /C calc'!A0``), and a leading tab or
carriage return can hide one. Following the OWASP rule for CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection), such text is written with a single
quote in front, so the spreadsheet shows it as text. openpyxl too takes any string
beginning with ``=`` for a formula, so the .xlsx writers use the same rule (a prefixed
string is stored as a plain string cell).

Only text is touched: numbers (a negative number included), dates and booleans are written
as they are, and text not beginning with one of those characters is left byte for byte,
so files made only of ids, times and numbers (the plan CSVs) are unchanged.
:func:`plain_text` undoes the rule for this tool's own readers (a plan folder read back,
a workbook made by :func:`planner.io.tables.write_workbook`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, overload

if TYPE_CHECKING:  # pandas only for the frame helpers: the plan and scenario writers go without
    import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

_T = TypeVar("_T")


@overload
def safe_text(value: str) -> str: ...
@overload
def safe_text(value: _T) -> _T: ...
def safe_text(value: object) -> object:
    """``value`` as a spreadsheet shows it as text: a string beginning with ``= + - @``, tab
    or carriage return gets a single quote in front; anything else comes back as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


@overload
def plain_text(value: str) -> str: ...
@overload
def plain_text(value: _T) -> _T: ...
def plain_text(value: object) -> object:
    """The inverse of :func:`safe_text`, for reading back what this tool wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(DANGEROUS):
        return value[1:]
    return value


def safe_row(values) -> list:
    """One row of cells, each through :func:`safe_text`."""
    return [safe_text(v) for v in values]


def _text_columns(frame: pd.DataFrame) -> list:
    import pandas as pd

    return [c for c in frame.columns
            if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell through :func:`safe_text` (numbers,
    dates and booleans untouched), ready for ``to_csv`` or ``to_excel``."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(safe_text)
    return out


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`safe_frame`, for a table this tool wrote and reads back."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(plain_text)
    return out
