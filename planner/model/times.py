"""Times as the contract writes them (``2021-11-26T08:30``, local, no zone) and as users
write them. :func:`stamp` is the only writer of the contract's format; :func:`parse_time`
reads it and what users type for it."""

from __future__ import annotations

import datetime as dt
import unicodedata


def parse_clock(value: str) -> dt.time | None:
    """A time of day: 08:30, 8:30, 08:30:00 (Excel), 24:00 (midnight, the end of a day)."""
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    if (h, m) == (24, 0):
        return dt.time(0, 0)
    if h > 23 or m > 59 or (len(parts) == 3 and int(parts[2]) > 59):
        return None
    return dt.time(h, m)


def parse_time(value: str) -> dt.datetime | None:
    """A local time as users write it: 2021-11-26T08:30, 2021-11-26 08:30, 2021/11/26 8:30.
    A date alone is refused: midnight is rarely what was meant."""
    s = unicodedata.normalize("NFKC", value).strip().replace("/", "-")
    if ":" not in s:
        return None
    try:
        parsed = dt.datetime.fromisoformat(s)
    except ValueError:
        parsed = None
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = dt.datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if parsed is None or parsed.tzinfo is not None:
        return None
    return parsed.replace(second=0, microsecond=0)


def stamp(t: dt.datetime) -> str:
    """A time as the contract writes it (what :func:`parse_time` reads back)."""
    return t.strftime("%Y-%m-%dT%H:%M")




def short(value: str) -> str:
    """A time as the contract writes it (2021-11-27T09:10) as pages and reports show it,
    11-27 09:10."""
    return value[5:16].replace("T", " ")
