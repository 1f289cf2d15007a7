"""Prose computed from the results: a markdown paragraph that displays in a notebook and in the
paper (output metadata ``research.kind = "text"``), for summaries a template notebook cannot
write by hand."""

from __future__ import annotations


class Markdown:
    """A paragraph of markdown shown as rendered text in a notebook and as prose in the paper."""

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.text, "text/plain": self.text}, {"research": {"kind": "text"}}

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Markdown({self.text[:40]!r}...)"
