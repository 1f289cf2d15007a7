"""Windows of relative trading days: how the command line reads them and how every table labels them."""

from __future__ import annotations


def window_label(window) -> str:
    """``"[a,b]"``, the label of a window ``(a, b)`` of relative trading days in every table."""
    a, b = window
    return f"[{int(a)},{int(b)}]"
