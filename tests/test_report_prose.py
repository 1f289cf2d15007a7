"""Numbers in prose read against the table cell they name (issue 17): the check passes when the
prose prints the cell, fails on a deliberate mismatch, on a number without a cell, on an
abnormal return called a loss, on "significant" without a rejecting cell and on a non-rejection
without the validation's power; the paper does not show the references. The pre-event window's
numbers are checked against an independent computation."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from research.report import notebooks, tables
from research.report.tables import MINUS, ResultTable, Row


def car_table():
    rows = [Row("Dahua 大华股份 (002236.SZ)", [f"{MINUS}8.30***", f"{MINUS}11.96***"]),
            Row("", [f"({MINUS}4.10)", f"({MINUS}4.20)"], kind="stat"),
            Row("iFlytek 科大讯飞 (002230.SZ)", [f"{MINUS}3.39", "1.02"]),
            Row("", [f"({MINUS}1.10)", "(0.20)"], kind="stat")]
    return ResultTable(["[0,0]", "[0,1]"], rows, caption="CARs", label="car")


def pooled_table():
    rows = [Row("e1 (N = 5)", kind="group"), Row("BMP t, Kolari-Pynnönen adj. (2010)", [f"{MINUS}4.49**"]),
            Row("", ["(0.011)"], kind="stat"), Row("Brown-Warner crude dependence adj. (1985)", [f"{MINUS}0.79"]),
            Row("", ["(0.430)"], kind="stat")]
    return ResultTable(["[0,0]"], rows, caption="Tests", label="tests")


def power_table():
    frame = pd.DataFrame({"design": ["Clustered dates", "Clustered dates"],
                          "Test": ["BMP t, Kolari-Pynnönen adj. (2010)", "Sign test"],
                          "n = 4": [0.1130, 0.3870], "size": ["7.70 [6.20, 9.52]", "5.00 [3.8, 6.5]"]})
    return tables.frame_table(frame, caption="Power", label="power", stub="Test", group="design",
                              formats={"n = 4": tables.fmt_pct})


def notebook(prose: str, *shown, tag: str = "conclusion"):
    """An executed notebook that displays ``shown`` tables and has one prose cell tagged ``tag``."""
    nb = nbformat.v4.new_notebook()
    for table in shown:
        data, meta = table._repr_mimebundle_()
        cell = nbformat.v4.new_code_cell("t")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell(prose, metadata={"tags": [tag]}))
    return nb


def test_table_cells_give_each_statistics_line_the_stub_above_it():
    cells = car_table().cells()
    assert cells[1] == {"group": "", "stub": "Dahua 大华股份 (002236.SZ)", "line": "stat",
                        "cells": {"[0,0]": f"({MINUS}4.10)", "[0,1]": f"({MINUS}4.20)"}}
    assert notebooks.find_cell(pooled_table().cells(), "e1 > BMP t, Kolari", "[0,0]", "stat") == "(0.011)"
    with pytest.raises(LookupError, match="matches 2 rows"):
        notebooks.find_cell(car_table().cells(), "SZ", "[0,0]")
    with pytest.raises(LookupError, match="column"):
        notebooks.find_cell(car_table().cells(), "Dahua", "[0,5]")


def test_numbers_that_print_their_cells_pass():
    prose = (f"Dahua's day-0 abnormal return was −8.30 %<!-- car: Dahua | [0,0] --> and its CAR over [0,1] "
             f"−11.96 %<!-- car: Dahua | [0,1] -->, significant with the adjusted BMP test "
             f"(−4.49<!-- tests: BMP t, Kolari | [0,0] -->, p = 0.011<!-- tests: BMP t, Kolari | [0,0] | stat -->).")
    assert notebooks.check_prose(notebook(prose, car_table(), pooled_table())) == []


def test_a_deliberate_mismatch_fails_and_names_the_cell():
    prose = "Dahua's day-0 abnormal return was −8.31 %<!-- car: Dahua | [0,0] -->."
    problems = notebooks.check_prose(notebook(prose, car_table()))
    assert problems == ["conclusion: -8.31 differs from car: Dahua | [0,0], which prints '−8.30***'"]
    # a number that appears elsewhere in the outputs is still wrong for the cell it names (the 38.10 % case)
    prose = "iFlytek's day-0 abnormal return was −8.30 %<!-- car: iFlytek | [0,0] -->."
    assert len(notebooks.check_prose(notebook(prose, car_table()))) == 1
    # the sign is part of the number
    prose = "Dahua's day-0 abnormal return was 8.30 %<!-- car: Dahua | [0,0] -->."
    assert len(notebooks.check_prose(notebook(prose, car_table()))) == 1


def test_a_number_without_a_cell_or_with_a_missing_cell_fails():
    nb = notebook("The mean was −5.65 % and Dahua's −8.30 %<!-- car: Dahua | [0,0] -->.", car_table(),
                  tag="abstract")
    assert notebooks.check_prose(nb) == ["abstract: -5.65 names no table cell"]
    nb = notebook("Dahua −8.30 %<!-- car Dahua [0,0] -->.", car_table())
    assert notebooks.check_prose(nb) == ["conclusion: -8.30 names no table cell",
                                         "conclusion: cannot read the cell reference '<!-- car Dahua [0,0] -->' "
                                         "(write <!-- label: row | column -->)"]
    nb = notebook("Dahua −8.30 %<!-- claims: Dahua | [0,0] -->.", car_table())
    assert "no table labelled 'claims'" in notebooks.check_prose(nb)[0]
    nb = notebook("Power 11.30 %<!-- validation/power: Clustered dates > BMP t | n = 4 -->.", car_table())
    assert notebooks.check_prose(nb) == ["conclusion: 1 reference(s) to 'validation', which has no executed notebook "
                                         "to read (run `research report validation`)"]


def test_an_interval_may_be_quoted_whole_or_in_part():
    nb = notebook("Adjusted BMP rejects 7.70 %<!-- power: BMP t | size --> of samples, interval "
                  "[6.20, 9.52] %<!-- power: BMP t | size -->.", power_table())
    assert notebooks.check_prose(nb) == []
    nb = notebook("Interval [6.20, 9.53] %<!-- power: BMP t | size -->.", power_table())
    assert len(notebooks.check_prose(nb)) == 1


def test_an_abnormal_return_is_not_called_a_loss():
    nb = notebook("Dahua lost 8.30 %<!-- car: Dahua | [0,0] --> on day 0.".replace("8.30", "−8.30"), car_table())
    problems = notebooks.check_prose(nb)
    assert len(problems) == 1 and "called a 'lost'" in problems[0]


def test_significant_needs_a_cell_that_rejects():
    ok = "The mean is significant (p = 0.011<!-- tests: BMP t, Kolari | [0,0] | stat -->)."
    assert notebooks.check_prose(notebook(ok, pooled_table())) == []
    bad = "The mean is significant (p = 0.430<!-- tests: Brown-Warner | [0,0] | stat -->)."
    assert "'significant' without a cell that rejects" in notebooks.check_prose(notebook(bad, pooled_table()))[0]
    also_bad = "iFlytek's CAR, −3.39 %<!-- car: iFlytek | [0,0] -->, is significant."
    assert len(notebooks.check_prose(notebook(also_bad, car_table()))) == 1


def test_a_sentence_without_numbers_is_checked_too():
    bad = "Dahua's abnormal return is −8.30 %<!-- car: Dahua | [0,0] -->.\nIFlytek's is not significant."
    problems = notebooks.check_prose(notebook(bad, car_table()))
    assert problems == ["conclusion: a non-rejection without the test's power (validation/power): "
                        "IFlytek's is not significant."]


def test_a_non_rejection_states_the_power_of_the_validation():
    prose = "Crude dependence does not reject (p = 0.430<!-- tests: Brown-Warner | [0,0] | stat -->)"
    assert "without the test's power" in notebooks.check_prose(notebook(prose + ".", pooled_table()))[0]
    with_power = prose + (", a test that finds a 1 % effect in 11.30 %<!-- validation/power: Clustered dates > "
                          "BMP t | n = 4 --> of samples of four listings.")
    validation = notebook("", power_table(), tag="other")
    assert notebooks.check_prose(notebook(with_power, pooled_table()), {"validation": validation}) == []


def test_the_paper_shows_no_reference():
    text = "was −8.30 %<!-- car: Dahua | [0,0] --> and [6.20, 9.52]<!--power: BMP t | size-->."
    assert notebooks.strip_cell_refs(text) == "was −8.30 % and [6.20, 9.52]."
    from research.report import paper

    nb = notebook("Abstract −8.30 %<!-- car: Dahua | [0,0] -->.", car_table(), tag="abstract")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Title"))
    nb.cells.append(nbformat.v4.new_markdown_cell("Prose −8.30 %<!-- car: Dahua | [0,0] -->."))
    meta = paper.prepare(nb)
    assert meta["abstract"] == "Abstract −8.30 %."
    assert "<!--" not in "".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_pre_event_window_against_an_independent_computation(real_store):
    from research.report import Episode

    ep = Episode("e5-hikvision-2022")
    moves = ep.pre_event_moves()
    ar = ep.study.ar
    dof = ep.study.params.set_index(["event_id", "ticker"])["dof"]
    for (event_id, ticker), one in moves.groupby(["event_id", "ticker"]):
        raw = ar[(ar["event_id"] == event_id) & (ar["ticker"] == ticker) & ar["relative_day"].between(-5, -1)]
        days = one.dropna(subset=["relative_day"])
        assert np.allclose(days["abnormal_return"].to_numpy(), raw["abnormal_return"].to_numpy())
        t = raw["abnormal_return"].to_numpy() / np.sqrt(raw["variance"].to_numpy())
        assert np.allclose(days["p_value"], 2 * st.t.sf(np.abs(t), dof.loc[(event_id, ticker)]))
        car = one[one["relative_day"].isna()].iloc[0]
        assert math.isclose(car["abnormal_return"], raw["abnormal_return"].sum(), rel_tol=1e-9)
    table = ep.pre_event_table()
    jd = notebooks.find_cell(table.cells(), "hfcaa-additions-2022 > JD.com", "day −3")
    jd_ar = moves[(moves["ticker"] == "JD") & (moves["relative_day"] == -3)]["abnormal_return"].iloc[0]
    assert jd.startswith(tables.fmt_pct(jd_ar))
    text = str(ep.pre_event_summary())
    assert "JD.com" in text and "a leak, other news, or a mis-dated event" in text
    # a level no return passes names no listing
    assert "No listing" in str(ep.pre_event_summary(level=1e-12))


def test_well_sized_means_the_wilson_interval_holds_five_percent():
    from research.report.text import size_verdict

    def wilson(k, n, z=1.959963984540054):  # Wilson (1927), written out
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    low, high = wilson(77, 1000)
    assert round(100 * low, 2) == 6.20 and round(100 * high, 2) == 9.52   # adjusted BMP, shared dates
    assert size_verdict(low, high) == "over-rejects"
    assert size_verdict(*wilson(46, 1000)) == "well-sized"
    assert size_verdict(*wilson(20, 1000)) == "under-rejects"
    from research.study.simulation import wilson_interval

    lo, hi = wilson_interval(np.array([77]), np.array([1000]))
    assert math.isclose(float(lo[0]), low, rel_tol=1e-9) and math.isclose(float(hi[0]), high, rel_tol=1e-9)


def test_overview_never_pools_overlapping_windows_of_one_firms_events(real_store):
    from research.report import Overview

    ov = Overview(["e3-nyse-delisting-2021"], favourable=["nyse-reversal-2021"])
    cars = ov.cars
    notice = cars[cars["event_id"] == "nyse-delisting-2020"]
    assert (notice["overlaps [0,5]"] != "").all()          # the notice's six sessions hold the reversals
    assert all("nyse-reversal-2021" in o for o in notice["overlaps [0,5]"])
    # every flagged pair is one firm whose windows share a calendar day, counted independently
    dates = ov.episodes["e3-nyse-delisting-2021"].study.ar
    for r in cars.itertuples():
        mine = dates[(dates["event_id"] == r.event_id) & (dates["ticker"] == r.ticker)
                     & dates["relative_day"].between(0, 5)]["date"]
        others = cars[(cars["firm"] == r.firm) & (cars["event_id"] != r.event_id)]
        hit = set()
        for o in others.itertuples():
            theirs = dates[(dates["event_id"] == o.event_id) & (dates["ticker"] == o.ticker)
                           & dates["relative_day"].between(0, 5)]["date"]
            if mine.min() <= theirs.max() and theirs.min() <= mine.max():
                hit.add(o.event_id)
        flagged = cars.loc[r.Index, "overlaps [0,5]"]
        assert set(filter(None, flagged.split(", "))) == hit
    table = ov.table()
    data = table.data.set_index(["news", "role", "market"])
    hk = cars[(cars["news"] == "adverse") & (cars["market"] == "Hong Kong")]
    pooled = hk[hk["overlaps [0,5]"] == ""]
    assert math.isclose(data.loc[("adverse", "other_line", "Hong Kong"), "mean_car[0,5]"], pooled["[0,5]"].mean())
    assert data.loc[("adverse", "other_line", "Hong Kong"), "n[0,5]"] == len(pooled) < len(hk)
    shown = [c["cells"]["CAR [0,5] (%)"] for c in ov.listing_table().cells() if "0941.HK" in c["stub"]]
    flagged = cars[cars["ticker"] == "0941.HK"]["overlaps [0,5]"] != ""
    assert [x.endswith("\u2020") for x in shown] == list(flagged) and any(flagged)


def test_a_run_folder_reads_the_validation_from_the_run_beside_it(tmp_path):
    prose = ("Crude dependence does not reject (p = 0.430<!-- tests: Brown-Warner | [0,0] | stat -->), and finds a "
             "1 % effect in 11.30 %<!-- validation/power: Clustered dates > BMP t | n = 4 --> of samples.")
    for name, nb in (("e9-episode", notebook(prose, pooled_table())), ("validation", notebook("", power_table(),
                                                                                            tag="other"))):
        (tmp_path / name).mkdir()
        nbformat.write(nb, tmp_path / name / f"{name}.ipynb")
    assert notebooks.check_run(tmp_path / "e9-episode" / "e9-episode.ipynb") == []
    (tmp_path / "validation" / "validation.ipynb").unlink()
    problems = notebooks.check_run(tmp_path / "e9-episode" / "e9-episode.ipynb")
    assert "which has no executed notebook to read" in problems[0]
