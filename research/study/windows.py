"""Windows of relative trading days: the defaults, how the command line reads them and how every
table labels them.

A window ``(a, b)`` is inclusive: ``(-1, 1)`` is the three sessions around day 0. The estimation
window may also be two dates (``("2021-01-04", "2021-12-31")``).
"""

from __future__ import annotations

import re

from research.errors import ResearchError

#: CAR windows used unless the caller names others (relative trading days, inclusive).
DEFAULT_WINDOWS = ((0, 0), (-1, 1), (0, 1), (0, 5), (-5, 5), (-10, 20))
#: The estimation window of MacKinlay (1997)'s design: 240 sessions ending ten before day 0.
DEFAULT_ESTIMATION = (-250, -11)

_DAYS = re.compile(r"^\s*\[?\s*(-?\d+)\s*[,:]\s*(-?\d+)\s*\]?\s*$")
_DATES = re.compile(r"^\s*\[?\s*(\d{4}-\d{2}-\d{2})\s*[,:]\s*(\d{4}-\d{2}-\d{2})\s*\]?\s*$")


def window_label(window) -> str:
    """``"[a,b]"``, the label of a window ``(a, b)`` of relative trading days in every table."""
    a, b = window
    return f"[{int(a)},{int(b)}]"


def window_text(window) -> str:
    """``"a,b"``, a window as the command line writes it (``--estimation=-250,-11``)."""
    return ",".join(str(x) for x in window)


def parse_window(text: str, what: str):
    """``'-1,1'`` -> (-1, 1); ``'2021-01-01,2021-12-31'`` -> (date, date); else a clear error."""
    if m := _DAYS.match(text):
        return int(m.group(1)), int(m.group(2))
    if m := _DATES.match(text):
        return m.group(1), m.group(2)
    raise ResearchError(f"{what} {text!r}: write 'A,B' in relative trading days (e.g. -250,-11) or "
                        f"'YYYY-MM-DD,YYYY-MM-DD'")
