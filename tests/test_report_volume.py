"""Issue 15 item 4 in the episode notebooks: the volume-and-risk table on the real store, against
a computation from the raw price file, and the prose check on its section."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd

from research.report import notebooks
from research.report.format import fmt_number


def test_e5_volume_table_against_the_price_files(real_store, shared_prices):
    from research.report import Episode

    ep = Episode("e5-hikvision-2022")
    table = ep.volume_table()
    cells = table.cells()
    # JD's day-0 volume ratio from its CSV: log volume less its mean over days -250..-11 of its
    # own trading days (Campbell and Wasley 1996, mean-adjusted)
    raw = pd.read_csv(shared_prices / "JD.csv", index_col="Date", parse_dates=True)
    own = np.log(raw["Volume"][raw["Volume"] > 0])
    day0 = ep.study.params.set_index(["event_id", "ticker"]).loc[("hfcaa-additions-2022", "JD"), "date0"]
    i = own.index.get_loc(day0)
    ratio = math.exp(own.iloc[i] - own.iloc[i - 250:i - 10].mean())
    shown = notebooks.find_cell(cells, "hfcaa-additions-2022 > JD.com", "Volume ratio")
    assert shown == fmt_number(ratio)
    # Hikvision's series has an empty Volume in 2022: said in the notes, the cells empty
    assert any("No volume around day 0 for Hikvision" in n for n in table.notes)
    assert notebooks.find_cell(cells, "hikvision-sdn-report-2022 > Hikvision", "Volume ratio") == "—"
    assert notebooks.find_cell(cells, "hikvision-sdn-report-2022 > Hikvision", "Variance F").startswith("9.96")
    # the section's prose is checked against the table: a wrong number is caught
    good = "traded 1.03<!-- volume: hfcaa-additions-2022 > Mean | Volume ratio --> times."
    code = nbformat.v4.new_code_cell("ep.volume_table()")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": ""}, metadata=table.metadata())]
    for text, problems in ((good, 0), (good.replace("1.03", "1.30"), 1)):
        md = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["prose"]})
        assert len(notebooks.check_prose(nbformat.v4.new_notebook(cells=[md, code]))) == problems

