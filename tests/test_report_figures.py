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


def small_simulation():
    """A :class:`Simulation` of two designs, two sizes and two tests, its rates written out."""
    from research.study.simulation import Simulation

    rows = []
    for design, n in (("independent", 6), ("clustered", 6), ("independent", 4), ("clustered", 4)):
        for k in (0.0, 0.01, 0.02):
            for i, test in enumerate(("patell", "corrado")):
                rate = 0.05 + 0.01 * i + 20 * k
                rows.append({"design": design, "universe": design, "n": n, "k": k, "window": "[0,0]", "test": test,
                             "samples": 100, "rejections": round(100 * rate), "rate": rate, "ci_low": rate - 0.02,
                             "ci_high": rate + 0.02})
    return Simulation(pd.DataFrame(rows), pd.DataFrame(), {"alpha": 0.05, "n_samples": 100})


def single_panel_draws():
    """Every single-panel draw of :mod:`research.report.figures`, with small inputs: name -> a
    call that takes ``ax=``."""
    ann = figures.AnnouncementSpan("exact", pd.Timestamp("2022-05-04 20:00", tz="UTC"),
                                   pd.Timestamp("2022-05-04 20:00", tz="UTC"))
    ar = pd.DataFrame({"event_id": "e", "ticker": ["002415.SZ"] * 5 + ["JD"] * 5, "relative_day": [*range(-2, 3)] * 2,
                       "abnormal_return": [0.01, 0.0, -0.1, -0.05, 0.01] * 2, "variance": 0.0004})
    cars = pd.DataFrame({"episode": "e5-x", "event_id": ["a", "a", "b"], "ticker": ["002415.SZ", "JD", "JD"],
                         "name": ["Hikvision", "JD", "JD"], "role": ["designated", "peer", "peer"],
                         "exchange": ["XSHE", "XNAS", "XNAS"], "car": [-0.1, 0.02, 0.01]})
    paths = pd.DataFrame({"exchange": ["XSHE"] * 3, "relative_day": [0, 1, 2], "mean_car": [-0.05, -0.08, -0.07]})
    sim = small_simulation()
    return {
        "sessions_figure": lambda ax=None: figures.sessions_figure(
            [ann], ["XNAS"], {("exact", "XNAS"): pd.Timestamp("2022-05-05")}, ax=ax),
        "listing_price_figure": lambda ax=None: figures.listing_price_figure(price_panels()[0], ax=ax),
        "day0_figure": lambda ax=None: figures.day0_figure(ar, ax=ax),
        "car_path_figure": lambda ax=None: figures.car_path_figure(ar, ax=ax),
        "reactions_figure": lambda ax=None: figures.reactions_figure(cars, ax=ax),
        "mean_car_figure": lambda ax=None: figures.mean_car_figure(paths, ax=ax),
        "power_curve_figure": lambda ax=None: figures.power_curve_figure(sim, "clustered", 4, ax=ax),
        "size_figure": lambda ax=None: figures.size_figure(sim, ax=ax),
    }


def test_every_single_panel_draw_is_tested():
    import inspect

    takes_ax = {name for name, f in inspect.getmembers(figures, inspect.isfunction)
                if f.__module__ == figures.__name__ and "ax" in inspect.signature(f).parameters
                and not name.startswith("_")}
    assert takes_ax == set(single_panel_draws())


@pytest.mark.parametrize("name", list(single_panel_draws()))
def test_a_single_panel_draw_draws_into_the_given_axes(name, monkeypatch):
    draw = single_panel_draws()[name]
    fig = Figure()
    ax = fig.subplots()

    def no_new_figure(*args, **kwargs):
        raise AssertionError(f"{name} made a new figure although it was given an Axes")

    with monkeypatch.context() as m:
        m.setattr(figures, "PaperFigure", no_new_figure)
        out = draw(ax=ax)
    assert out is fig and fig.axes == [ax]
    assert ax.lines or ax.collections or ax.patches or ax.texts    # it drew there
    alone = draw()                                                  # without ax: a new figure of one panel
    assert isinstance(alone, figures.PaperFigure) and alone is not fig and len(alone.axes) == 1
    assert alone.caption and alone.label


def _label_overlaps(fig) -> list[str]:
    """Every price panel whose legend overlaps one of its red day-0 labels, from the artists'
    window extents once the figure is laid out."""
    fig.draw_without_rendering()
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not ax.get_visible():
            continue
        box = legend.get_window_extent()
        found += [f"{ax.get_title(loc='left')!r}: {t.get_text()!r}" for t in ax.texts
                  if box.overlaps(t.get_window_extent())]
    return found


@pytest.mark.parametrize("name", ["e1-entity-list-2019", "e3-nyse-delisting-2021", "e5-hikvision-2022",
                                  "hikvision-sdn-report-2022"])
def test_the_day0_label_never_overlaps_the_legend(real_store, name):
    from research.report import Episode

    fig = Episode(name).price_figure()     # matplotlib's "best" alone covered 4, 3, 5 and 1 labels here
    assert sum(ax.get_legend() is not None for ax in fig.axes) >= 2
    assert not _label_overlaps(fig)

