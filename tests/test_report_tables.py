"""Result tables: number formats, LaTeX (booktabs, stars, t in parentheses, notes), HTML, and the
tables built from an event study checked against the results they come from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research.report import tables
from research.report.tables import MINUS, ResultTable, Row, fmt_number, fmt_p, fmt_pct, fmt_stat, stars
from research.study import event_study


def test_number_formats_use_a_true_minus_and_em_dash_for_missing():
    assert fmt_pct(-0.097659) == f"{MINUS}9.77"
    assert fmt_pct(0.0894) == "8.94"
    assert fmt_number(-0.0004) == "0.00"             # no "−0.00"
    assert fmt_stat(-6.1798) == f"({MINUS}6.18)"
    assert fmt_pct(np.nan) == "\u2014" and fmt_stat(None) == ""
    assert fmt_p(0.0004) == "<0.001" and fmt_p(0.1234) == "0.123"
    assert [stars(p) for p in (0.005, 0.03, 0.07, 0.2, np.nan)] == ["***", "**", "*", "", ""]
    assert tables.parse_number(f"{MINUS}9.77***") == -9.77


def small_table():
    rows = [Row("Hikvision 海康威视", [f"{MINUS}9.77***", "1.20"]), Row("", [f"({MINUS}6.18)", "(0.50)"], kind="stat"),
            Row("Group & co", kind="group"), Row("A_b 50%", ["1.00*", "2.00"])]
    return ResultTable(["[0,0]", "[0,1]"], rows, caption="CARs (%) of 5% & more", label="car",
                       notes=["t in parentheses.", "Stars: 10%."], references=["mackinlay1997"])


def test_latex_is_booktabs_with_superscript_stars_and_notes():
    tex = small_table().to_latex()
    assert tex.startswith(r"\begin{table}[htbp]") and tex.rstrip().endswith(r"\end{table}")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert rf"{MINUS}9.77\textsuperscript{{***}}" in tex
    assert rf"{{\footnotesize ({MINUS}6.18)}}" in tex
    assert r"\caption{CARs (\%) of 5\% \& more}\label{tab:car}" in tex
    assert r"A\_b 50\%" in tex and r"\multicolumn{3}{l}{\textit{Group \& co}}" in tex
    assert r"\textit{Notes:} t in parentheses. Stars: 10\%." in tex
    assert "海康威视" in tex
    bare = small_table().to_latex(float_env=False)
    assert r"\begin{table}" not in bare and r"\begin{tabular}{lrr}" in bare


def test_latex_urls_break_after_slashes_and_keep_double_hyphens():
    url = "https://uk.investing.com/news/economy/weigh-443-million--sources-2212296?cid=a_b&x=1"
    table = ResultTable(["sources"], [Row("dahua", [f"003.txt; {url}"])], caption="Events", label="events",
                        align=["p{4cm}"])
    tex = table.to_latex()
    cell = tex[tex.index("003.txt"):tex.index("x=")]
    # TeX may break after each slash and dot, never inside the scheme, and "--" is two hyphens, not an en dash
    rest = url.split("://")[1]
    assert cell.count(r"\allowbreak{}") == rest.count("/") + rest.count(".") + url.count("?") + 3
    assert r"https://uk.\allowbreak{}investing.\allowbreak{}com/\allowbreak{}news/" in tex
    assert "million-{}-sources" in tex
    assert r"a\_\allowbreak{}b\&\allowbreak{}" in tex
    # with the break points and the ligature guard removed, the URL reads as written (escaped)
    plain = tex.replace(r"\allowbreak{}", "").replace("-{}-", "--")
    assert url.replace("_", r"\_").replace("&", r"\&") in plain
    # text that is not a URL is unchanged
    assert r"\allowbreak" not in small_table().to_latex()
    # wrapped this way a float can grow taller than the page: it is shrunk to fit, as it is to the line
    assert r"\begin{adjustbox}{max width=\linewidth, max totalheight=0.8\textheight}" in tex


def test_a_long_word_may_break_after_its_dots_and_underscores_and_a_number_keeps_its_unit():
    seed = "004_64f8e7a9fe0bc581.txt"
    table = ResultTable(["sources", "why"], [Row("e", [f"{seed}; short.txt", "gap -10.00 % (agrees)"])],
                        caption="Events", label="events", align=["p{3cm}", "p{3cm}"])
    tex = table.to_latex()
    assert r"004\_\allowbreak{}64f8e7a9fe0bc581.\allowbreak{}txt; short.txt" in tex   # short words untouched
    assert r"-10.00~\% (agrees)" in tex and "10.00 \\%" not in tex
    assert "-10.00\u00a0% (agrees)" in table.to_html()
    # a host name longer than the column may break anywhere (E1's freeamericanetwork.com ran 17 pt past it)
    host = ResultTable(["sources"], [Row("e", ["https://freeamericanetwork.com/a"])], caption="E", label="e",
                       align=["p{2cm}"]).to_latex()
    assert r"https://f\allowbreak{}r\allowbreak{}e" in host and r"k.\allowbreak{}com/\allowbreak{}a" in host


def test_default_alignment_puts_text_columns_left_and_numbers_with_their_units_right():
    cells = [["Hikvision", f"{MINUS}9.77***", "277.96 USD", "002415.SZ", "2022-05-05", "海康威视", "12 %"],
             ["Dahua", "(0.50)", "1.2bn CNY", "0941.HK", "2022-05-06", "", f"[{MINUS}1.2, 3.4]"]]
    table = ResultTable(list("abcdefg"), [Row(str(i), c) for i, c in enumerate(cells)], caption="c", label="x")
    assert table.align == ["l", "r", "r", "l", "r", "l", "r"]
    assert r"\begin{tabular}{llrrlrlr}" in table.to_latex(float_env=False)
    html = table.to_html()
    assert '<th class="l">a</th><th>b</th>' in html and '<td class="l">Hikvision</td><td>' in html
    assert '<td class="l">海康威视</td>' in html
    explicit = ResultTable(["a"], [Row("x", ["Hikvision"])], caption="c", label="y", align=["p{3cm}"])
    assert '<td class="l">Hikvision</td>' in explicit.to_html()   # a p{} column is text


def test_html_and_text_and_mimebundle():
    table = small_table()
    html = table.to_html(number=3)
    assert "<caption>Table 3. CARs (%) of 5% &amp; more</caption>" in html
    assert f"<td>{MINUS}9.77<sup>***</sup></td>" in html and '<tr class="stat">' in html
    assert "<em>Notes:</em> t in parentheses." in html
    data, meta = table._repr_mimebundle_()
    assert set(data) == {"text/plain", "text/html", "text/latex", "text/csv"}
    assert meta["research"] == {"kind": "table", "label": "car", "caption": table.caption,
                                "notes": table.notes, "references": ["mackinlay1997"], "cells": table.cells()}
    assert meta["research"]["cells"][1] == {"group": "", "stub": "Hikvision 海康威视", "line": "stat",
                                            "cells": {"[0,0]": f"({MINUS}6.18)", "[0,1]": "(0.50)"}}
    assert "Hikvision 海康威视" in table.to_text()


def test_rows_must_fit_the_columns():
    with pytest.raises(ValueError, match="has 1 cells for 2 columns"):
        ResultTable(["a", "b"], [("x", ["1"])], caption="c", label="l")


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2020-01-01", periods=320)
    market = pd.Series(rng.normal(0, 0.01, len(dates)), index=dates)
    returns = pd.DataFrame({t: 0.9 * market + rng.normal(0, 0.015, len(dates)) for t in ("AAA", "BBB", "CCC")})
    day0 = dates[290]
    returns.loc[day0, "AAA"] -= 0.08
    events = pd.DataFrame({"event_id": ["ev"] * 3, "ticker": ["AAA", "BBB", "CCC"], "day0": [day0] * 3,
                           "role": ["designated"] * 3})
    return event_study(returns, market, events, windows=[(0, 0), (0, 1), (-1, 1)], event_window=(-10, 10))


def test_car_table_shows_each_car_and_t_of_the_results(study):
    table = tables.car_table(study, names={"AAA": "Alpha (AAA)"})
    car = study.car.set_index(["ticker", "window"])
    assert table.columns == ["[0,0]", "[0,1]", "[-1,1]"]
    first = table.rows[0]
    assert first.stub == "Alpha (AAA)"
    value = car.loc[("AAA", "[0,0]")]
    assert first.cells[0] == fmt_pct(value["car"]) + stars(value["p_value"])
    assert table.rows[1].cells[0] == fmt_stat(value["t_stat"])
    data = table.data[table.data["row"] == "listing"].set_index(["ticker", "window"])
    assert np.allclose(data["car"], car.loc[data.index, "car"], rtol=0, atol=0)
    pooled = table.data[table.data["row"] != "listing"]
    assert np.isclose(pooled[pooled["window"] == "[0,0]"]["car"].iloc[0],
                      car.xs("[0,0]", level="window")["car"].mean())
    assert "Mean (CAAR), N = 3" in [r.stub for r in table.rows]


def test_ar_and_tests_tables(study):
    ar = tables.ar_table(study, days=(-1, 0, 1))
    assert ar.columns == [f"day {MINUS}1", "day 0", "day 1"]
    row = ar.data[(ar.data["ticker"] == "AAA") & (ar.data["relative_day"] == 0)].iloc[0]
    expected = study.ar[(study.ar["ticker"] == "AAA") & (study.ar["relative_day"] == 0)]["abnormal_return"].iloc[0]
    assert row["abnormal_return"] == expected
    assert np.isclose(row["t_stat"], expected / np.sqrt(
        study.ar[(study.ar["ticker"] == "AAA") & (study.ar["relative_day"] == 0)]["variance"].iloc[0]))
    tests = tables.tests_table(study, tests=("csect_t", "bmp_kp"))
    assert [r.stub for r in tests.rows if r.kind == "row"] == ["Cross-sectional t", "BMP t, Kolari-Pynnönen adj. (2010)"]
    assert "kolari_pynnonen2010" in tests.references


def test_frame_table_groups_and_formats():
    frame = pd.DataFrame({"event": ["a", "a", "b"], "listing": ["X", "Y", "Z"], "value": [1.5, np.nan, -2.0]})
    table = tables.frame_table(frame, caption="c", label="l", stub="listing", group="event")
    assert [r.kind for r in table.rows] == ["group", "row", "row", "group", "row"]
    assert table.rows[2].cells == ["\u2014"] and table.rows[4].cells == [f"{MINUS}2.00"]
    assert table.columns == ["value"]


def test_a_wide_long_table_gets_smaller_type_and_stacks_the_adjusted_p_values():
    """A long table cannot be scaled to the line: when its widest line runs past what footnotesize
    fits (E5's tests with Holm and BH p-values ran 45 pt past the margin), it is set smaller with a
    wrapping stub, and a p-value's adjusted p-values go on a line of their own."""
    from research.report.resulttable import LONG_CHARS, LONG_ROWS

    stat = "(0.095) [1.000; 0.186]"
    rows = [r for i in range(LONG_ROWS) for r in (Row(f"Patell Z, Kolari-Pynnönen adj. (2010) {i}", ["1.00"] * 5),
                                                  Row("", [stat] * 5, kind="stat"))]
    wide = ResultTable([f"[0,{k}]" for k in range(5)], rows, caption="t", label="t").to_latex()
    assert r"\begingroup\scriptsize" in wide and r"p{0.22\linewidth}" in wide
    assert r"\begin{tabular}[t]{@{}r@{}}(0.095)\\{}[1.000; 0.186]\end{tabular}" in wide
    assert r"{\footnotesize (" not in wide                  # statistics keep the long table's size
    narrow_rows = [r for i in range(LONG_ROWS) for r in (Row(f"t {i}", ["1.00"]), Row("", ["(0.095)"], kind="stat"))]
    narrow = ResultTable(["[0,0]"], narrow_rows, caption="n", label="n").to_latex()
    assert r"\begingroup\footnotesize" in narrow and "p{0.22" not in narrow
    assert len("Patell Z, Kolari-Pynnönen adj. (2010) 0") + 5 * len("[1.000; 0.186]") > LONG_CHARS
