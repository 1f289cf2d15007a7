"""Studies question their input and their output folders (issue 11), grouped by cause:

- a benchmark that is the listing itself (zero abnormal returns with a spurious t-statistic);
- ``--out`` folders: one rule (research.outputs), checked before any work, written all or nothing;
- returns given to ``event_study`` that cannot be daily returns, windows beyond the data, and
  what the study did to the input (day 0 moved, window cut) said in ``results.notes``;
- exit codes of ``research run``: a damaged stored series is exit 2; ``--strict`` makes any
  exclusion exit 2.
"""

from __future__ import annotations

import json
import os
import re
import stat

import numpy as np
import pandas as pd
import pytest
from synthetic import make_data

from research import cli, config
from research.errors import ResearchError
from research.outputs import MARKER, check_output_folder, is_kit_output, write_files
from research.prices import PriceStore
from research.study import event_study
from research.study.bridge import study_events
from research.study.inputs import MAX_ABS_RETURN, PRICE_LEVEL_MEDIAN, check_returns

EVENT = "hikvision-sdn-report-2022"          # two listings, both priced, one confounder
UNPRICED = "nyse-delisting-2020"            # CHA and CHU have no prices in ../shared


@pytest.fixture(scope="module")
def data():
    return make_data()


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *parts):
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for part in parts:
        assert part in err, err


def listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ------------------------------------------------------------------ 1. benchmark = the listing

class TestBenchmark:
    def test_event_study_refuses_a_market_series_that_is_a_listings_own_returns(self, data):
        returns, _ = data
        # on all the days the study reads: 275 of the 400, those its windows reach (engine.CUT_WORTH)
        with pytest.raises(ResearchError, match=r"the benchmark of 'A' is its own return series \(equal on all "
                                                r"275 common days\)"):
            event_study(returns, returns["A"], {"A": returns.index[300]})

    def test_event_study_refuses_an_own_column_in_a_benchmark_frame_and_names_that_listing(self, data):
        returns, market = data
        bench = pd.DataFrame({"A": market, "B": returns["B"]})
        with pytest.raises(ResearchError, match="the benchmark of 'B' is its own return series"):
            event_study(returns, bench, {"A": returns.index[300], "B": returns.index[300]})

    def test_another_listings_series_as_benchmark_is_not_refused(self, data):
        returns, _ = data
        res = event_study(returns, pd.DataFrame({"A": returns["B"], "B": returns["A"]}),
                          {"A": returns.index[300], "B": returns.index[300]}, windows=[(0, 0)])
        assert set(res.keys.ticker) == {"A", "B"}
        assert np.all(np.abs(res.car["car"]) > 1e-6)      # not the degenerate zero

    def test_run_refuses_a_benchmark_that_is_a_studied_listing_before_writing(self, mirror, tmp_path, capsys):
        code, out, err = run(["run", EVENT, "--benchmark", "002415.SZ", "--out", str(tmp_path / "o")], capsys)
        assert_one_line_error(code, err, "benchmark 002415.SZ is a listing of " + EVENT)
        assert out == "" and not (tmp_path / "o").exists()

    def test_study_events_refuses_a_mapping_that_makes_a_listing_its_own_benchmark(self, mirror):
        with pytest.raises(ResearchError, match=r"the benchmark of 002415\.SZ is 002415\.SZ itself"):
            study_events(EVENT, benchmark={"002415.SZ": "002415.SZ"})

    def test_the_registry_benchmark_still_gives_the_same_numbers_as_naming_it(self, mirror):
        by_registry = study_events(EVENT, windows=[(0, 1)]).car
        named = study_events(EVENT, windows=[(0, 1)], benchmark="000300.SS").car
        pd.testing.assert_frame_equal(by_registry, named)


# ------------------------------------------------------------------------------ 2. --out folders

class TestOut:
    def test_root_is_refused_before_anything_is_computed_or_printed(self, mirror, capsys):
        code, out, err = run(["run", EVENT, "--out", "/"], capsys)
        assert_one_line_error(code, err, "--out / holds other files", "--force")
        assert out == ""
        assert not os.path.exists("/ar.csv") and not os.path.exists("/run.json")

    def test_a_folder_inside_the_store_is_refused_and_the_store_is_unchanged(self, mirror, capsys):
        store = config.store_dir()
        study_events(EVENT, windows=[(0, 0)])            # fills the store from the mirror
        before = listing(store)
        for target in (store, store / "prices", store / "prices" / "new"):
            code, out, err = run(["run", EVENT, "--out", str(target), "--force"], capsys)
            assert_one_line_error(code, err, "is inside the price store")
            assert out == ""
        assert listing(store) == before

    @pytest.mark.parametrize("target, message", [
        ("FILE", "is a file, not a folder"),
        ("/proc", "cannot write in /proc"),
        ("/proc/research-out", "cannot write in /proc"),
        ("/sys/research-out", "cannot write in /sys"),
        ("FILE/below", "is a file, not a folder"),
    ])
    def test_unusable_targets_are_one_line_errors(self, mirror, tmp_path, capsys, target, message):
        (tmp_path / "FILE").write_text("mine\n")
        target = target.replace("FILE", str(tmp_path / "FILE"))
        code, out, err = run(["run", EVENT, "--out", target], capsys)
        assert_one_line_error(code, err, message)
        assert out == ""
        assert (tmp_path / "FILE").read_text() == "mine\n"

    def test_a_read_only_folder_is_refused(self, mirror, tmp_path):
        """Root writes through permission bits, so the folder is a read-only bind mount, made in a
        private mount namespace (``unshare -rm``) that vanishes with the command."""
        import subprocess
        import sys

        ro = tmp_path / "ro"
        ro.mkdir()
        line = (f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && "
                f"exec {sys.executable} -m research.cli run {EVENT} --out {ro}")
        proc = subprocess.run(["unshare", "-rm", "sh", "-c", line], capture_output=True, text=True, timeout=300)
        assert_one_line_error(proc.returncode, proc.stderr, "cannot write in")
        assert proc.stdout == "" and list(ro.iterdir()) == []

    def test_a_folder_of_other_files_needs_force_and_keeps_them(self, mirror, tmp_path, capsys):
        (tmp_path / "notes.txt").write_text("keep me\n")
        code, out, err = run(["run", EVENT, "--out", str(tmp_path)], capsys)
        assert_one_line_error(code, err, "holds other files (1 entries, e.g. 'notes.txt')")
        assert listing(tmp_path) == ["notes.txt"]
        code, out, err = run(["run", EVENT, "--out", str(tmp_path), "--force"], capsys)
        assert code == 0, err
        assert (tmp_path / "notes.txt").read_text() == "keep me\n"
        assert {"ar.csv", "car.csv", "tests.csv", "confounders.csv", "run.json", MARKER} <= set(listing(tmp_path))

    def test_an_earlier_output_is_written_again_without_force(self, mirror, tmp_path, capsys):
        out_dir = tmp_path / "a" / "b"                  # created with its parents
        assert run(["run", EVENT, "--out", str(out_dir), "--windows", "0,0"], capsys)[0] == 0
        assert is_kit_output(out_dir)
        assert stat.S_IMODE(out_dir.stat().st_mode) != 0o700   # the umask's mode, not a temp folder's
        assert run(["run", EVENT, "--out", str(out_dir), "--windows", "0,1"], capsys)[0] == 0
        assert set(pd.read_csv(out_dir / "car.csv")["window"]) == {"[0,1]"}
        assert not [p for p in tmp_path.rglob("*.tmp")]

    def test_outputs_written_before_the_marker_are_recognised_by_their_run_json(self, tmp_path):
        study = tmp_path / "study"
        study.mkdir()
        (study / "run.json").write_text(json.dumps({"provenance": {"function": "research.study.event_study"}}))
        notebook = tmp_path / "notebook"
        notebook.mkdir()
        (notebook / "run.json").write_text(json.dumps({"notebook": "e5", "research_version": "0.1"}))
        other = tmp_path / "other"
        other.mkdir()
        (other / "run.json").write_text(json.dumps({"name": "someone else's"}))
        assert is_kit_output(study) and is_kit_output(notebook) and not is_kit_output(other)
        assert check_output_folder(study) == study.resolve()
        with pytest.raises(ResearchError, match="not an earlier output of research"):
            check_output_folder(other)

    def test_a_failed_write_leaves_the_earlier_output_and_no_temporary_files(self, tmp_path, monkeypatch):
        folder = tmp_path / "out"
        write_files(folder, {"a.csv": "old a\n", "b.csv": "old b\n"})
        before = {p: p.read_bytes() for p in folder.iterdir()}
        real_fsync, calls = os.fsync, []

        def disk_full_on_the_second_file(fd):        # ENOSPC while the second file is flushed
            calls.append(fd)
            if len(calls) == 2:
                raise OSError(28, "No space left on device")
            return real_fsync(fd)

        monkeypatch.setattr(os, "fsync", disk_full_on_the_second_file)
        with pytest.raises(ResearchError, match="No space left on device"):
            write_files(folder, {"a.csv": "new a\n", "b.csv": "new b\n"})
        assert {p: p.read_bytes() for p in folder.iterdir()} == before
        calls.clear()
        with pytest.raises(ResearchError, match="No space left on device"):
            write_files(tmp_path / "fresh", {"a.csv": "new a\n", "b.csv": "new b\n"})
        assert listing(tmp_path) == sorted(["out", "out/a.csv", "out/b.csv", f"out/{MARKER}"])

    @pytest.mark.parametrize("argv", [
        ["report", "e5-hikvision-2022", "--out", "/"],
        ["report", "--all", "--out", "/"],
        ["paper", "e5-hikvision-2022", "--out", "/", "--html"],
        ["paper", "e5-hikvision-2022", "--out", "STORE", "--html"],
        ["report", "e5-hikvision-2022", "--out", "/proc/x"],
    ])
    def test_report_and_paper_use_the_same_rule_before_any_work(self, capsys, argv):
        argv = [str(config.store_dir() / "papers") if a == "STORE" else a for a in argv]
        code, out, err = run(argv, capsys)
        assert_one_line_error(code, err, "--out")
        assert out == ""
        assert not (config.store_dir() / "papers").exists()

    def test_paper_does_not_create_its_out_folder_for_a_notebook_never_executed(self, tmp_path, capsys):
        code, out, err = run(["paper", "e5-hikvision-2022", "--out", str(tmp_path / "p"), "--html"], capsys)
        assert_one_line_error(code, err, "research report e5-hikvision-2022")
        assert not (tmp_path / "p").exists()

    @pytest.mark.parametrize("target, message", [
        ("DIR", "is a folder; name a file"),
        ("/proc/sim.csv", "cannot write in /proc"),
        ("STORE", "is inside the price store"),
    ])
    def test_simulate_checks_its_out_file_before_simulating(self, tmp_path, capsys, target, message):
        target = {"DIR": str(tmp_path), "STORE": str(config.store_dir() / "sim.csv")}.get(target, target)
        code, out, err = run(["simulate", "--samples", "5", "--out", target], capsys)
        assert_one_line_error(code, err, message)
        assert out == ""


    def test_simulate_writes_its_table_into_a_folder_it_makes(self, mirror, tmp_path, capsys):
        target = tmp_path / "new" / "sub" / "size.csv"
        code, out, err = run(["simulate", "--samples", "3", "--sizes", "2", "--k", "0", "--designs", "independent",
                              "--windows", "0,0", "--out", str(target)], capsys)
        assert code == 0, err
        assert target.read_text().startswith("design,")


# --------------------------------------------------------------- 3. event_study questions input

class TestEventStudyInput:
    @pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
    def test_a_seed_numpy_cannot_take_is_refused_before_any_work(self, data, seed):
        returns, market = data
        with pytest.raises(ResearchError, match=re.escape(f"seed must be a non-negative integer, not {seed!r}")):
            event_study(returns, market, {"A": returns.index[300]}, seed=seed)

    @pytest.mark.parametrize("argv", [["run", EVENT, "--seed=-1"], ["simulate", "--samples", "5", "--seed=-1"]])
    def test_a_negative_seed_on_the_command_line_is_one_line(self, mirror, tmp_path, capsys, argv):
        code, out, err = run([*argv, "--out", str(tmp_path / "o")], capsys)
        assert_one_line_error(code, err, "seed must be a non-negative integer, not -1")
        assert out == "" and not (tmp_path / "o").exists()

    def test_an_infinite_market_return_names_its_date(self, data):
        returns, market = data
        market = market.copy()
        market.iloc[100] = np.inf
        with pytest.raises(ResearchError, match="market is infinite on 2019-05-21"):
            event_study(returns, market, {"A": returns.index[300]})

    def test_an_infinite_return_names_ticker_and_date(self, data):
        returns, market = data
        returns = returns.copy()
        returns.iloc[100, 1] = -np.inf
        with pytest.raises(ResearchError, match="returns of 'B' is infinite on 2019-05-21"):
            event_study(returns, market, {"B": returns.index[300]})

    @pytest.mark.parametrize("value, return_kind, message", [
        (1e300, "simple", "is 1e+300: not a daily return"),
        (101.0, "simple", "is 101: not a daily return"),
        (-1e300, "simple", "is -1e+300: a simple return cannot be -100% or less"),
        (1e300, "log", "is 1e+300: not a daily return"),
        (-1e300, "log", "is -1e+300: not a daily return"),
    ])
    def test_a_return_no_market_records_is_refused_not_turned_into_inf(self, data, value, return_kind, message):
        returns, market = data
        returns = returns.copy()
        returns.iloc[305, 0] = value
        with pytest.raises(ResearchError, match=r"returns of 'A' on 2020-03-03 " + re.escape(message)):
            event_study(returns, market, {"A": returns.index[300]}, return_kind=return_kind)

    def test_the_largest_accepted_return_gives_finite_results(self, data):
        returns, market = data
        returns = returns.copy()
        returns.iloc[305, 0] = MAX_ABS_RETURN
        res = event_study(returns, market, {"A": returns.index[300]}, windows=[(0, 10)])
        assert np.isfinite(res.car[["car", "bhar", "t_stat"]].to_numpy()).all()

    def test_prices_passed_as_returns_are_refused(self, data):
        returns, market = data
        prices = 50 * (1 + returns).cumprod()
        with pytest.raises(ResearchError, match="returns of 'A' look like price levels, not returns: their median "
                                                "absolute value is 5"):
            event_study(prices, market, {"A": returns.index[300]})
        with pytest.raises(ResearchError, match="market look like price levels"):
            event_study(returns, 3000 * (1 + market).cumprod(), {"A": returns.index[300]})

    def test_penny_stock_prices_passed_as_returns_are_refused_whatever_their_scale(self, data):
        """Prices of a few cents have a median below the price-level bound; all positive, they are
        still refused (issue 14: prices as returns gave a CAR of -521 %)."""
        returns, market = data
        pennies = 0.05 * (1 + returns).cumprod()
        assert np.nanmedian(pennies["A"].abs()) < PRICE_LEVEL_MEDIAN
        with pytest.raises(ResearchError, match=r"the values of returns of 'A' look like price levels, not returns: "
                                                r"all \d+ are positive"):
            event_study(pennies, market, {"A": returns.index[300]})

    @pytest.mark.parametrize("exchanges, warned", [
        ({"A": "XSHE", "B": "XNAS"}, "Asia/Shanghai: A; America/New_York: B"),
        ({"A": "XSHE", "B": "XSHG"}, None),                       # one zone: the benchmark's day is theirs
        ({"A": "XHKG"}, None),                                    # B not named: not checked
        (None, None),
    ])
    def test_one_benchmark_series_for_listings_in_different_zones_warns_naming_them(self, data, exchanges, warned):
        import warnings

        returns, market = data
        events = {"A": returns.index[300], "B": returns.index[300]}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = event_study(returns, market, events, windows=[(0, 1)], exchanges=exchanges)
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        if warned:
            assert len(messages) == 1 and warned in messages[0] and "one benchmark Series" in messages[0]
            assert caught[0].filename == __file__                  # points at the caller's line
        else:
            assert messages == []
        plain = event_study(returns, market, events, windows=[(0, 1)])
        pd.testing.assert_frame_equal(res.car, plain.car)         # a warning, not another study

    def test_a_benchmark_per_listing_is_not_warned_and_a_bad_exchange_is_named(self, data):
        import warnings

        returns, market = data
        events = {"A": returns.index[300], "B": returns.index[300]}
        per_listing = pd.DataFrame({"A": market, "B": market})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            event_study(returns, per_listing, events, exchanges={"A": "XSHE", "B": "XNAS"})
        with pytest.raises(ResearchError, match=r"exchanges\['B'\]: no trading calendar for exchange 'XLON'"):
            event_study(returns, market, events, exchanges={"A": "XSHE", "B": "XLON"})

    def test_no_real_series_looks_like_price_levels(self, real_store):
        """The price-level rule against every series of ../shared: none is refused, and the
        largest median |return| is far below the bound."""
        from research.prices import simple_returns

        frame = pd.DataFrame({t: simple_returns(real_store.load(t), t) for t in real_store.tickers()})
        check_returns(frame.to_numpy(), list(frame.columns), frame.index, "returns", "simple")
        assert np.nanmedian(np.abs(frame.to_numpy()), axis=0).max() < PRICE_LEVEL_MEDIAN / 5

    @pytest.mark.parametrize("kwargs, message", [
        ({"windows": [(0, 5000)]}, r"window \[0,5000\] reaches beyond the data: the data end on 2020-07-13, 99 "
                                   r"dates after the earliest day 0; shorten it \(the event window is \[0,5000\]\)"),
        ({"windows": [(0, 5)], "event_window": (-10, 200)}, r"event_window \[-10,200\] reaches beyond the data"),
        ({"windows": [(-301, 0)], "estimation": (-400, -302)}, r"window \[-301,0\] reaches beyond the data: the "
                                                                r"data start on 2019-01-01, 300 dates before"),
    ])
    def test_a_window_beyond_the_data_is_refused_naming_it(self, data, kwargs, message):
        returns, market = data
        with pytest.raises(ResearchError, match=message):
            event_study(returns, market, {"A": returns.index[300]}, **kwargs)

    def test_the_longest_window_the_data_hold_is_accepted(self, data):
        returns, market = data
        res = event_study(returns, market, {"A": returns.index[300]}, windows=[(0, 99)])
        assert res.car["n_days"].item() == 100 and res.notes == []

    def test_a_window_cut_by_one_listings_data_is_noted(self, data):
        returns, market = data
        returns = returns.copy()
        returns.iloc[303:, 0] = np.nan
        res = event_study(returns, market, {"A": returns.index[300], "B": returns.index[300]}, windows=[(0, 5)])
        assert res.notes == ["event '2020-02-25', 'A': the listing's observations cover relative days 0 to 2, "
                             "not all of the event window [0,5]; its CARs use the observed days"]
        assert "the listing's observations cover" in str(res.summary())

    def test_a_day0_on_a_saturday_is_noted_and_studied_as_the_monday(self, data, tmp_path):
        returns, market = data
        sat, mon = pd.Timestamp("2020-02-15"), pd.Timestamp("2020-02-17")
        assert sat not in returns.index and mon in returns.index
        res = event_study(returns, market, {"A": sat}, windows=[(0, 1)])
        assert res.notes == ["event '2020-02-15', 'A': day 0 2020-02-15 (Sat) has no observation; day 0 is the "
                             "next, 2020-02-17 (Mon)"]
        monday = event_study(returns, market, pd.DataFrame({"event_id": ["2020-02-15"], "ticker": ["A"],
                                                            "day0": [mon]}), windows=[(0, 1)])
        assert monday.notes == []
        pd.testing.assert_frame_equal(res.car, monday.car)
        assert "has no observation; day 0 is the next" in str(res.summary())
        assert json.loads((res.write(tmp_path / "o") / "run.json").read_text())["notes"] == res.notes


# --------------------------------------------------------------------- 4. research run exit codes

def _damage(ticker, how):
    store = PriceStore()
    path = store.root / store.entry(ticker)["file"]
    if how == "missing":
        path.unlink()
    else:
        path.write_bytes(b"PAR1 not the stored series")
    return path


class TestRunExitCodes:
    @pytest.mark.parametrize("ticker, how", [("002236.SZ", "missing"), ("002415.SZ", "sha"),
                                             ("000300.SS", "missing")])
    def test_a_stored_series_that_cannot_be_read_is_exit_2_naming_the_mend(self, mirror, tmp_path, capsys,
                                                                           ticker, how):
        assert run(["run", EVENT, "--windows", "0,0", "--out", str(tmp_path / "first")], capsys)[0] == 0
        _damage(ticker, how)
        code, out, err = run(["run", EVENT, "--out", str(tmp_path / "second")], capsys)
        assert_one_line_error(code, err, f"{ticker}: the price store lists it but cannot read it",
                              "research store repair", f"research import {ticker}.csv")
        assert out == "" and not (tmp_path / "second").exists()

    def test_listings_without_prices_stay_a_listed_exclusion_with_exit_0(self, mirror, tmp_path, capsys):
        code, out, err = run(["run", UNPRICED, "--out", str(tmp_path / "o")], capsys)
        assert code == 0, err
        assert "nyse-delisting-2020 CHA: no prices" in out and "nyse-delisting-2020 CHU: no prices" in out
        excluded = json.loads((tmp_path / "o" / "run.json").read_text())["excluded"]
        assert {e["ticker"] for e in excluded} == {"CHA", "CHU"}

    def test_strict_makes_any_exclusion_exit_2_after_listing_it(self, mirror, tmp_path, capsys):
        code, out, err = run(["run", UNPRICED, "--strict", "--out", str(tmp_path / "o")], capsys)
        assert_one_line_error(code, err, "--strict: 2 listing-event(s) excluded (nyse-delisting-2020 CHA, "
                                         "nyse-delisting-2020 CHU); nothing written")
        assert "Event Study Results" in out and "nyse-delisting-2020 CHA: no prices" in out
        assert not (tmp_path / "o").exists()

    def test_strict_without_exclusions_is_exit_0(self, mirror, tmp_path, capsys):
        code, out, err = run(["run", EVENT, "--strict", "--windows", "0,0", "--out", str(tmp_path / "o")], capsys)
        assert code == 0, err
        assert json.loads((tmp_path / "o" / "run.json").read_text())["excluded"] == []
