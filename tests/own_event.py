"""A researcher's own event, added by `research new-event` to a copy of the catalogue.

The catalogue-wide tests run on the shipped catalogue and on this copy: any valid new event must
leave the test suite green, while the five episodes keep their own tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from research import cli, config

OWN_EVENT = "iflytek-press-report-2022"
#: The claim the own event's source makes; no date: measured on day 0, 2022-10-10 in Shenzhen.
CLAIM_TEXT = "iFlytek fell as much as 4%, intraday, after the report"


def own_event_args(catalogue: Path, notebooks: Path, *extra: str) -> list[str]:
    """`research new-event` for an event that stands on its own (no --episode), with a listing
    whose prices are in ../shared."""
    return ["new-event", "--id", OWN_EVENT,
            "--title", "Test: a US paper reports that iFlytek may face new export controls",
            "--announced", "2022-10-07", "--timezone", "America/New_York", "--precision", "after_us_close",
            "--authority", "a US newspaper (test event)", "--programme", "entity-list",
            "--instrument", "press-report", "--listing", "002230.SZ:designated:iFlytek",
            "--source", "https://example.org/iflytek-report",
            "--claim", f"text={CLAIM_TEXT}, ticker=002230.SZ, measure=low_vs_prev_close, value=-4%, tolerance=0.5%",
            "--catalogue", str(catalogue), "--notebooks", str(notebooks), *extra]


def add_own_event(folder: Path, *extra: str) -> Path:
    """A copy of the shipped catalogue in ``folder`` with the own event added; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = folder / "events.yaml"
    shutil.copyfile(config.EVENTS_FILE, catalogue)
    code = cli.main(own_event_args(catalogue, folder / "notebooks", *extra))
    assert code == 0, f"new-event exited {code}"
    return catalogue
