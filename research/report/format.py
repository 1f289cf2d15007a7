"""How a number is printed in the kit's tables and prose: a true minus sign (U+2212), an em dash
for a missing value, percent without the sign, p-values to three digits, and the significance
stars of the tests' own levels. One formatter per kind, so a test can look for a table's number in
the PDF and the prose check can read it back (:func:`parse_number`)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from research.study.significance.registry import SIGNIF_LEVELS

MINUS = "\u2212"
MISSING = "\u2014"
#: p-value thresholds of the stars, as in most journals: 10 %, 5 %, 1 % (the tests' own levels).
STAR_LEVELS = SIGNIF_LEVELS
STARS_NOTE = "*, ** and *** denote significance at the 10%, 5% and 1% levels (two-sided)."


#: The space between a number and its unit (``−9.77 %``): printed as a no-break space, so a line
#: never ends between them (LaTeX ``~``, HTML U+00A0).
UNIT_SPACE = re.compile(r"(?<=\d)[ \t]+(?=%|‰|bp\b|pp\b)")


def keep_units(text: str) -> str:
    """``text`` with a no-break space (U+00A0) between each number and its unit."""
    return UNIT_SPACE.sub("\u00a0", text)


def is_missing(x) -> bool:
    """None, NaN, infinity, ``pd.NA`` or ``pd.NaT``: printed as :data:`MISSING`."""
    return x is None or (isinstance(x, (float, np.floating)) and not math.isfinite(x)) or x is pd.NA \
        or x is pd.NaT


def fmt_number(x, digits: int = 2) -> str:
    """``-1.234`` as ``−1.23`` (true minus); missing values as an em dash."""
    if is_missing(x):
        return MISSING
    text = f"{float(x):.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", MINUS)


def fmt_pct(x, digits: int = 2) -> str:
    """A fraction in percent without the sign: ``-0.09766`` as ``−9.77``."""
    return MISSING if is_missing(x) else fmt_number(100 * float(x), digits)


def fmt_stat(x, digits: int = 2) -> str:
    """A test statistic in parentheses: ``(−6.18)``."""
    return "" if is_missing(x) else f"({fmt_number(x, digits)})"


def fmt_p(p) -> str:
    """A p-value: ``0.031``, ``<0.001``."""
    if is_missing(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def stars(p) -> str:
    """``***``, ``**``, ``*`` for two-sided p below 0.01, 0.05, 0.10; '' otherwise."""
    if is_missing(p):
        return ""
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


def parse_number(text: str) -> float:
    """The number of a formatted cell (``−9.77***`` -> -9.77), for tests and checks."""
    match = re.search(r"[-\u2212]?\d+(?:\.\d+)?", text)
    if not match:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(0).replace(MINUS, "-"))
