"""Figures: a CJK font is found (or a message says what to install), colours belong to listings,
every figure is returned (never shown) with its caption, and renders Chinese names."""

from __future__ import annotations

import base64
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from research.errors import ResearchError
from research.report import figures, style


def test_cjk_font_is_found():
    family = style.cjk_font()
    assert "CJK" in family or "SC" in family or "Hei" in family


def test_missing_cjk_font_says_what_to_install(monkeypatch):
    from matplotlib import font_manager

    style.cjk_font.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(style, "_font_files", lambda: [])
    monkeypatch.delenv("RESEARCH_CJK_FONT", raising=False)
    try:
        with pytest.raises(ResearchError, match="no CJK font found.*apt-get install fonts-noto-cjk"):
            style.cjk_font()
    finally:
        style.cjk_font.cache_clear()


def test_a_listing_has_one_colour_everywhere_and_benchmarks_are_grey():
    assert style.listing_colour("002415.SZ") == style.listing_colour("002415.SZ")
    assert style.listing_colour("^GSPC") == style.BENCHMARK_COLOUR
    # the listings of one episode are told apart
    for group in (["002415.SZ", "002236.SZ", "JD", "PDD", "BILI", "NTES"],
                  ["002415.SZ", "002236.SZ", "002230.SZ", "300188.SZ", "AMBA"],
                  ["CHL", "0941.HK", "0728.HK", "0762.HK"], ["603019.SS", "300603.SZ", "300367.SZ", "300188.SZ"]):
        colours = [style.listing_colour(t) for t in group]
        assert len(set(colours)) == len(colours)
    assert style.listing_colour("NOT-IN-REGISTRY") in style.PALETTE


def price_panels():
    days = pd.bdate_range("2022-04-01", periods=40)
    level = pd.Series(100 * np.cumprod(1 + np.linspace(-0.01, 0.01, 40)), index=days)
    return [figures.PricePanel("002415.SZ", "Hikvision 海康威视 · 002415.SZ", level, level * 0.98, "CSI 300",
                               [(days[20], "day 0")]),
            figures.PricePanel("CHA", "China Telecom 中国电信 · CHA", None, note="no prices in the data")]


def test_figures_are_returned_not_shown_and_carry_captions():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = figures.price_figure(price_panels(), caption="Prices.", label="prices")
    assert isinstance(fig, Figure) and isinstance(fig, figures.PaperFigure)
    assert plt.get_fignums() == before
    assert fig.caption == "Prices." and fig.label == "prices"
    data, meta = fig._repr_mimebundle_()
    assert meta["research"]["kind"] == "figure" and meta["research"]["label"] == "prices"
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert base64.b64decode(data["application/pdf"]).startswith(b"%PDF")
    axes = fig.axes
    assert axes[0].get_ylabel() and axes[0].get_title(loc="left").startswith("Hikvision")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_chinese_names_are_text_in_the_pdf(tmp_path):
    fig = figures.price_figure(price_panels())
    path = tmp_path / "f.pdf"
    path.write_bytes(fig.render("pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "海康威视" in text and "中国电信" in text


def test_timeline_and_car_figures():
    start = pd.Timestamp("2022-05-04", tz="Europe/London")
    anns = [figures.AnnouncementSpan("ft-report", start.tz_convert("UTC"), (start + pd.Timedelta(days=1)).tz_convert("UTC"),
                                 "date_only"),
            figures.AnnouncementSpan("exact", pd.Timestamp("2022-05-04 20:00", tz="UTC"),
                                 pd.Timestamp("2022-05-04 20:00", tz="UTC"))]
    day0 = {("ft-report", "XSHE"): pd.Timestamp("2022-05-05"), ("exact", "XNAS"): pd.Timestamp("2022-05-05")}
    fig = figures.timeline_figure(anns, ["XSHE", "XNAS"], day0)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["A: ft-report", "B: exact", "Shenzhen", "New York (Nasdaq)"]
    assert fig.axes[0].get_xlabel().startswith("time (UTC)")
    ar = pd.DataFrame({"event_id": "e", "ticker": ["002415.SZ"] * 5, "relative_day": range(-2, 3),
                       "abnormal_return": [0.01, 0.0, -0.1, -0.05, 0.01], "variance": 0.0004})
    fig = figures.car_figure(ar, names={"002415.SZ": "Hikvision 海康威视"})
    assert fig.axes[0].get_xlabel() == "abnormal return on day 0 (%)"
    line = fig.axes[1].get_lines()[0]
    assert np.allclose(line.get_ydata(), [1.0, 1.0, -9.0, -14.0, -13.0])
