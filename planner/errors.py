"""Problems found in a user's files, collected so they can all be reported at once."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from planner.i18n import t

MAX_REPORTED = 50
ECHOED = ("value", "key", "error", "start", "end", "field")  # params that repeat input
MAX_SHOWN = 80  # characters of a user's value echoed in a message
MAX_SHOWN_ERROR = 300  # characters of a parser's error message (it quotes the input)


def shown(value: object, limit: int = MAX_SHOWN) -> object:
    """A user's value as a message may echo it: numbers as they are, the rest as text of
    at most ``limit`` characters."""
    if isinstance(value, bool | float) or (isinstance(value, int) and abs(value) < 10**30):
        return value
    if isinstance(value, int):
        return f"a {len(str(abs(value)))}-digit number" if value.bit_length() < 14000 \
            else "a very large number"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class PlannerBug(Exception):
    """Something only a bug in the planner can cause (a model the solver calls infeasible
    or invalid, a plan the checker refuses): nothing is written or stored, the plan in
    force stays in force, and the user is asked to report it."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place: a file, optionally a row and a column."""

    file: str
    key: str
    row: int | None = None
    column: str | None = None
    params: dict = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        line = self.file.endswith((".jsonl", ".json", ".ndjson"))
        where = (t("at_line" if line else "at_row", lang, file=self.file, row=self.row)
                 if self.row else self.file)
        if self.column:
            where += t("at_column", lang, column=self.column)
        return f"{where}: {self.message(lang)}"

    def message(self, lang: str | None = None) -> str:
        """What is wrong, without where (a form says it next to what was typed)."""
        return t(self.key, lang, **{"column": self.column, **self.params})


class Problems:
    """A collector: readers add problems and go on reading, so the user sees them all."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, key: str, /, row: int | None = None, column: str | None = None,
            **params: object) -> None:
        # a user's value is echoed short: a huge one must not become a huge message
        params = {k: shown(v, MAX_SHOWN_ERROR if k == "error" else MAX_SHOWN)
                  if k in ECHOED else v for k, v in params.items()}
        self.items.append(Problem(file, key, row, column, params))

    def unknown_key(self, file: str, key: str, known: list[str] | tuple[str, ...],
                    prefix: str = "") -> None:
        """An unknown setting, with the closest known one suggested (a typo is the usual cause)."""
        key = str(key)
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f" (→ {prefix}{close[0]}?)" if close else ""
        self.add(file, "unknown_key", key=prefix + key, hint=hint, choices=", ".join(known))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)


class ScenarioError(Exception):
    """The scenario cannot be used; ``problems`` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.text("en"))

    def text(self, lang: str | None = None) -> str:
        shown = self.problems[:MAX_REPORTED]
        n = len(self.problems)
        lines = [t("refused", lang, n=n, plural="" if n == 1 else "s")]
        lines += [f"  - {p.text(lang)}" for p in shown]
        if len(self.problems) > MAX_REPORTED:
            lines.append("  " + t("more_problems", lang, n=len(self.problems) - MAX_REPORTED))
        return "\n".join(lines)
