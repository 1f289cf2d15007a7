"""A new event end to end: prices from a CSV the test writes, `research new-event` into a copy of
the catalogue, `research report`, and the executed notebook's CAR table against a direct
computation (the engine, and a least-squares market model in numpy)."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from own_event import CLAIM_TEXT, OWN_EVENT, add_own_event

from research import cli, config
from research.calendars import sessions
from research.events.catalogue import EPISODES, load_catalogue
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
            "--authority", "Test authority", "--programme", "entity-list", "--instrument", "entity-list",
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


# --- issue 11: new-event checks everything first, and a failure changes nothing ----------------------

@pytest.fixture
def light(tmp_path, capsys):
    """A copy of the catalogue and a notebooks folder that does not exist yet (no prices needed)."""
    catalogue = tmp_path / "cat" / "events.yaml"
    catalogue.parent.mkdir()
    shutil.copyfile(config.EVENTS_FILE, catalogue)
    return catalogue, tmp_path / "nb" / "sub"


def snapshot(*folders):
    """Every file under the folders, with its bytes: what 'unchanged' is checked against."""
    return {p: p.read_bytes() for f in folders if f.exists() for p in sorted(f.rglob("*")) if p.is_file()}


class TestNewEventAtomicity:

    def test_an_existing_notebook_is_refused_before_the_catalogue_is_touched_and_a_retry_works(self, light, capsys):
        catalogue, nbdir = light
        nbdir.mkdir(parents=True)
        (nbdir / f"{EVENT}.py").write_text("# mine\n")
        before = snapshot(catalogue.parent, nbdir)
        assert cli.main(new_event_args(catalogue, nbdir)) == 2
        err = capsys.readouterr().err
        assert "exists; remove it or pass --force" in err and "was not added" in err
        assert snapshot(catalogue.parent, nbdir) == before
        assert cli.main(new_event_args(catalogue, nbdir, "--force")) == 0      # the retry is not refused
        assert catalogue.read_text().count(f"- id: {EVENT}\n") == 1
        assert "# mine" not in (nbdir / f"{EVENT}.py").read_text()

    def test_a_notebook_target_that_is_a_folder_is_refused_even_with_force(self, light, capsys):
        catalogue, nbdir = light
        (nbdir / f"{EVENT}.py").mkdir(parents=True)
        before = snapshot(catalogue.parent, nbdir)
        assert cli.main(new_event_args(catalogue, nbdir, "--force")) == 2
        assert "is a folder" in capsys.readouterr().err
        assert snapshot(catalogue.parent, nbdir) == before and (nbdir / f"{EVENT}.py").is_dir()

    def test_a_notebooks_folder_that_is_a_file_is_refused(self, light, capsys):
        catalogue, nbdir = light
        nbdir.parent.mkdir()
        nbdir.write_text("not a folder")
        before = snapshot(catalogue.parent, nbdir.parent)
        assert cli.main(new_event_args(catalogue, nbdir)) == 2
        assert "is a file" in capsys.readouterr().err
        assert snapshot(catalogue.parent, nbdir.parent) == before

    def test_values_are_serialized_not_formatted(self, light, capsys):
        """Newlines, quotes, colons and YAML syntax in the values stay text: one new event, the
        file's comments kept, and the event reads back as given."""
        catalogue, nbdir = light
        old = catalogue.read_text()
        title = 'Synthetic "x": y # z'
        note = "line one\n- id: injected-event\n  episode: e1-entity-list-2019\n&a *a !!int 'q'"
        args = new_event_args(catalogue, nbdir, "--note", note)
        args[args.index("--title") + 1] = title
        args[args.index("--authority") + 1] = "no"
        assert cli.main(args) == 0
        new = catalogue.read_text()
        assert new.startswith(old.rstrip("\n"))                              # comments and entries kept
        loaded = load_catalogue(catalogue)
        assert list(loaded) == [*load_catalogue(config.EVENTS_FILE), EVENT]
        event = loaded[EVENT]
        assert (event.title, event.announced.note, event.authority) == (title, note, "no")
        assert f"# {title}" in (nbdir / f"{EVENT}.py").read_text()

    def test_the_catalogue_keeps_its_permissions(self, light, capsys):
        catalogue, nbdir = light
        catalogue.chmod(0o640)
        assert cli.main(new_event_args(catalogue, nbdir)) == 0
        assert catalogue.stat().st_mode & 0o777 == 0o640
        assert (nbdir / f"{EVENT}.py").stat().st_mode & 0o044                # readable by others (umask), not 0600

    def test_a_failure_renaming_the_notebook_puts_the_old_catalogue_back(self, light, capsys, monkeypatch):
        catalogue, nbdir = light
        before = snapshot(catalogue.parent)
        real = os.replace

        def full(src, dst):  # an injected fault: the disk fills up as the notebook is put in place
            if Path(dst).suffix == ".py":
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(src, dst)

        monkeypatch.setattr(os, "replace", full)
        assert cli.main(new_event_args(catalogue, nbdir)) == 2
        assert "No space left on device" in capsys.readouterr().err
        assert snapshot(catalogue.parent) == before                          # restored, no temporary file left
        assert not nbdir.parent.exists()                                     # the folders made for it removed

    def test_a_failure_writing_the_notebook_leaves_the_catalogue_unwritten(self, light, capsys, monkeypatch):
        catalogue, nbdir = light
        before = snapshot(catalogue.parent)
        real = os.open

        def failing(path, *args, **kwargs):
            if str(path).startswith(str(nbdir)):
                raise OSError(errno.EACCES, "Permission denied")
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", failing)
        assert cli.main(new_event_args(catalogue, nbdir)) == 2
        assert f"cannot write {nbdir / EVENT}.py: Permission denied" in capsys.readouterr().err
        monkeypatch.undo()
        assert snapshot(catalogue.parent) == before and not nbdir.parent.exists()
        assert cli.main(new_event_args(catalogue, nbdir)) == 0                # and the retry works

    def test_a_catalogue_that_does_not_load_is_not_appended_to(self, light, capsys):
        catalogue, nbdir = light
        catalogue.write_bytes(catalogue.read_bytes() + b"\n- id: \xff\n")
        before = snapshot(catalogue.parent)
        assert cli.main(new_event_args(catalogue, nbdir)) == 2
        assert "is not UTF-8" in capsys.readouterr().err
        assert snapshot(catalogue.parent) == before and not nbdir.parent.exists()


def test_two_new_events_at_once_both_land(light, capsys, monkeypatch):
    """The catalogue is read, checked and replaced under its lock: B waits while A, which has read
    the catalogue, writes its notebook; without the lock B's append would overwrite A's."""
    import threading

    from research.report import newevent

    catalogue, nbdir = light
    paused, resume, real = threading.Event(), threading.Event(), newevent._notebook

    def notebook(*args, **kwargs):
        if threading.current_thread().name == "A":
            paused.set()
            resume.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(newevent, "_notebook", notebook)
    codes = {}
    args_b = [a if a != EVENT else EVENT + "-b" for a in new_event_args(catalogue, nbdir)]
    a = threading.Thread(target=lambda: codes.setdefault("A", cli.main(new_event_args(catalogue, nbdir))), name="A")
    b = threading.Thread(target=lambda: codes.setdefault("B", cli.main(args_b)), name="B")
    a.start()
    assert paused.wait(timeout=30)
    b.start()
    b.join(timeout=1.0)
    assert b.is_alive()  # B waits for A's lock instead of reading the catalogue A is about to replace
    resume.set()
    a.join(timeout=60), b.join(timeout=60)
    assert codes == {"A": 0, "B": 0}
    ids = list(load_catalogue(catalogue))
    assert ids[-2:] == [EVENT, EVENT + "-b"]


# --- issue 14: a new event stands on its own ------------------------------------------------------

def test_without_episode_the_event_is_an_episode_of_its_own_with_its_own_notebook(tmp_path, capsys):
    catalogue = add_own_event(tmp_path)
    event = load_catalogue(catalogue)[OWN_EVENT]
    assert event.episode == OWN_EVENT
    notebook = (tmp_path / "notebooks" / f"{OWN_EVENT}.py").read_text()
    assert f"event = {OWN_EVENT!r}" in notebook and f"catalogue = {str(catalogue)!r}" in notebook
    from research.report.episode import Episode

    assert Episode(OWN_EVENT, catalogue=catalogue).title == event.title    # not the slug


def test_an_episode_that_is_neither_one_of_the_five_nor_its_own_is_refused(light, capsys):
    catalogue, nbdir = light
    before = snapshot(catalogue.parent)
    args = new_event_args(catalogue, nbdir)
    args[args.index("e1-entity-list-2019")] = "e1-entity-list-2O19"          # a typo: O for 0
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "episode 'e1-entity-list-2O19' is not one of the five" in err
    assert "e5-hikvision-2022" in err and "was not added" in err
    assert snapshot(catalogue.parent) == before and not nbdir.exists()
    args[args.index("e1-entity-list-2O19")] = EVENT                         # its own id: standalone
    assert cli.main(args) == 0
    assert load_catalogue(catalogue)[EVENT].episode == EVENT


def test_help_lists_the_five_episodes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["new-event", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for episode in EPISODES:
        assert episode in out


# --- issue 14: claims from the command line -------------------------------------------------------

def test_a_claim_from_the_command_line_round_trips_to_research_claims(tmp_path, capsys, mirror):
    catalogue = add_own_event(tmp_path)
    claim = load_catalogue(catalogue)[OWN_EVENT].claims[0]
    assert (claim.text, claim.quote, claim.ticker, claim.measure) == (CLAIM_TEXT, CLAIM_TEXT, "002230.SZ",
                                                                      "low_vs_prev_close")
    assert (claim.value, claim.tolerance) == (-0.04, 0.005)                      # "-4%" and "0.5%" as fractions
    assert str(claim.date) == "2022-10-10"                                       # day 0 in Shenzhen
    assert claim.source == "https://example.org/iflytek-report"                  # the first --source
    capsys.readouterr()
    assert cli.main(["claims", "--catalogue", str(catalogue), "--event", OWN_EVENT, "--json"]) == 0
    [check] = json.loads(capsys.readouterr().out)
    assert check["claim"] == CLAIM_TEXT and check["verdict"] == "agrees"
    assert check["measured"] == pytest.approx(31.46 / 32.82 - 1, rel=1e-9)      # Low 10-10 / Close 09-30, the CSV
    from research.report.episode import Episode

    table = Episode(OWN_EVENT, catalogue=catalogue).claims_table().to_frame()   # the paper's claims table
    row = table[table["claim"] == CLAIM_TEXT].iloc[0]
    assert (row["listing"], row["date"], row["claimed"], row["measured"], row["verdict"]) == (
        "002230.SZ", "2022-10-10", "\u22124.00", "\u22124.14", "agrees")


@pytest.mark.parametrize("claim, message", [
    ("fell 10%", "'fell 10%' is not KEY=VALUE"),
    ("text=fell, ticker=002230.SZ, measure=close_to_close, value=-0.1, tolerance=0.01, colour=red",
     "'colour=red' is not KEY=VALUE"),
    ("text=fell, ticker=002230.SZ, measure=close_to_close, value=-0.1", "needs tolerance"),
    ("text=fell, ticker=002230.SZ, measure=close_to_close, value=a lot, tolerance=0.01", "value 'a lot' is not a number"),
    ("text=fell, ticker=002230.SZ, measure=close_to_close, value=-0.1, value=-0.2, tolerance=0.01", "value is given twice"),
    ("text=fell, ticker=002230.SZ, measure=intraday_low, value=-0.1, tolerance=0.01", "unknown measure 'intraday_low'"),
    ("text=fell, ticker=AMBA, measure=close_to_close, value=-0.1, tolerance=0.01", "ticker 'AMBA' is not one of"),
    ("text=fell, ticker=002230.SZ, measure=close_to_close, value=-12, tolerance=0.01", "-12.0 is not a return fraction"),
])
def test_a_bad_claim_is_a_clear_error_and_nothing_is_written(light, capsys, claim, message):
    catalogue, nbdir = light
    before = snapshot(catalogue.parent)
    assert cli.main(new_event_args(catalogue, nbdir, "--claim", claim)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if "return fraction" not in message:                         # the catalogue's own check lists its problems
        assert err.strip().count("\n") == 0
    assert snapshot(catalogue.parent) == before and not nbdir.parent.exists()


def test_a_claim_value_may_hold_commas_and_a_date_of_its_own():
    from research.report.newevent import parse_claim

    fields = parse_claim("text=down 5%, the most in a year, ticker=BABA, measure=high_vs_prev_close, "
                         "value=0.02, tolerance=0.01, date=2022-10-11, quote=\"Shares, it said, rose\"")
    assert fields == {"text": "down 5%, the most in a year", "ticker": "BABA", "measure": "high_vs_prev_close",
                      "value": "0.02", "tolerance": "0.01", "date": "2022-10-11", "quote": "\"Shares, it said, rose\""}
