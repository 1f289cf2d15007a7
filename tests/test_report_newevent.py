"""A new event end to end: prices from a CSV the test writes, `research new-event` into a copy of
the catalogue, `research report`, and the executed notebook's CAR table against a direct
computation (the engine, and a least-squares market model in numpy)."""

from __future__ import annotations

import shutil

import nbformat
import numpy as np
import pandas as pd
import pytest

from research import cli, config
from research.calendars import sessions
from research.report import notebooks
from research.study import event_study

EVENT = "synthetic-listing-2023"
DAY0 = pd.Timestamp("2023-03-16")      # first Shenzhen session after 2023-03-15 20:00 New York
SHOCK = -0.06


def write_prices(folder):
    """002230.SZ and its benchmark 000300.SS on the mainland sessions, with a shock on day 0."""
    days = sessions("XSHG", "2021-06-01", "2023-06-30")
    rng = np.random.default_rng(11)
    m = rng.normal(0.0002, 0.011, len(days))
    r = 0.0003 + 1.15 * m + rng.normal(0, 0.016, len(days))
    r[days.get_loc(DAY0)] += SHOCK
    for ticker, returns, start in (("000300.SS", m, 4000.0), ("002230.SZ", r, 40.0)):
        close = start * np.cumprod(1 + returns)
        frame = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Open": np.r_[start, close[:-1]].round(6),
                              "High": np.maximum(close, np.r_[start, close[:-1]]).round(6),
                              "Low": np.minimum(close, np.r_[start, close[:-1]]).round(6),
                              "Close": close.round(6), "Adj Close": close.round(6), "Volume": 1000})
        frame.to_csv(folder / f"{ticker}.csv", index=False)
    return folder


@pytest.fixture
def setup(tmp_path, capsys):
    prices = write_prices(tmp_path)
    assert cli.main(["import", str(prices / "002230.SZ.csv")]) == 0
    assert cli.main(["import", str(prices / "000300.SS.csv")]) == 0
    catalogue = tmp_path / "events.yaml"
    shutil.copyfile(config.EVENTS_FILE, catalogue)
    nbdir = tmp_path / "notebooks"
    capsys.readouterr()
    return catalogue, nbdir


def new_event_args(catalogue, nbdir, *extra):
    return ["new-event", "--id", EVENT, "--episode", "e1-entity-list-2019",
            "--title", "Synthetic: a listing of iFlytek announced after the US close",
            "--announced", "2023-03-15 20:00", "--timezone", "America/New_York", "--precision", "exact",
            "--authority", "Test authority", "--instrument", "entity-list",
            "--listing", "002230.SZ:designated:iFlytek", "--source", "https://example.org/notice",
            "--catalogue", str(catalogue), "--notebooks", str(nbdir), *extra]


def test_new_event_then_report_matches_a_direct_computation(setup, tmp_path, capsys):
    catalogue, nbdir = setup
    before = config.EVENTS_FILE.read_bytes()
    assert cli.main(new_event_args(catalogue, nbdir)) == 0
    out = capsys.readouterr().out
    assert f"added {EVENT}" in out and f"research report {EVENT}" in out
    assert config.EVENTS_FILE.read_bytes() == before            # the real catalogue is untouched
    assert f"- id: {EVENT}" in catalogue.read_text()
    assert (nbdir / f"{EVENT}.py").is_file()

    run_dir = tmp_path / "run"
    assert cli.main(["report", EVENT, "--catalogue", str(catalogue), "--notebooks", str(nbdir),
                     "--out", str(run_dir), "--strict"]) == 0
    executed = nbformat.read(run_dir / f"{EVENT}.ipynb", as_version=4)
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    car = pd.read_csv(next((run_dir / "tables").glob("*-car.csv")))

    # direct computation with the engine on the CSV's prices
    frame = {t: pd.read_csv(tmp_path / f"{t}.csv", index_col="Date", parse_dates=True)["Adj Close"]
             for t in ("002230.SZ", "000300.SS")}
    returns = {t: s.pct_change().dropna() for t, s in frame.items()}
    study = event_study(pd.DataFrame({"002230.SZ": returns["002230.SZ"]}), returns["000300.SS"],
                        pd.DataFrame({"event_id": [EVENT], "ticker": ["002230.SZ"], "day0": [DAY0]}),
                        windows=[(0, 0), (0, 1), (-1, 1), (0, 5), (-5, 5)], event_window=(-10, 20))
    direct = study.car.set_index("window")["car"]
    shown = car[car["ticker"] == "002230.SZ"].set_index("window")["car"]
    assert list(shown.index) == ["[0,0]", "[0,1]", "[-1,1]", "[0,5]", "[-5,5]"]
    assert np.allclose(shown, direct.loc[shown.index], rtol=1e-9, atol=1e-12)

    # and the day-0 abnormal return by least squares over relative days -250..-11
    r, m = returns["002230.SZ"], returns["000300.SS"]
    t0 = r.index.get_loc(DAY0)
    X = np.column_stack([np.ones(240), m.iloc[t0 - 250:t0 - 10]])
    (alpha, beta), *_ = np.linalg.lstsq(X, r.iloc[t0 - 250:t0 - 10].to_numpy(), rcond=None)
    ar0 = r.iloc[t0] - alpha - beta * m.iloc[t0]
    assert np.isclose(shown["[0,0]"], ar0, rtol=1e-9)
    assert ar0 < SHOCK / 2                                   # the shock is found

    text = notebooks.output_text(executed)
    assert "iFlytek" in text and EVENT in text


def test_a_bad_event_leaves_the_catalogue_unchanged(setup, capsys):
    catalogue, nbdir = setup
    before = catalogue.read_bytes()
    args = new_event_args(catalogue, nbdir)
    args[args.index("002230.SZ:designated:iFlytek")] = "NOPE:designated:Nobody"
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "'NOPE' is not in the securities registry" in err and "was not added" in err
    assert catalogue.read_bytes() == before
    assert not (nbdir / f"{EVENT}.py").exists()


def test_an_existing_id_is_refused(setup, capsys):
    catalogue, nbdir = setup
    args = new_event_args(catalogue, nbdir)
    args[args.index(EVENT)] = "entity-list-2019"
    assert cli.main(args) == 2
    assert "already has an event 'entity-list-2019'" in capsys.readouterr().err


def test_missing_options_are_named_when_not_on_a_terminal(setup, capsys, monkeypatch):
    catalogue, nbdir = setup
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["new-event", "--id", EVENT, "--catalogue", str(catalogue)]) == 2
    err = capsys.readouterr().err
    assert "--title" in err and "--listing" in err and "on a terminal" in err
