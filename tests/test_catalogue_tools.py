"""Catalogue tools (issue 18): filtering the catalogue, a firm's designation history, day 0 on
every exchange, same-firm confounders, `research align --all`, and the pooled study of a
programme. Checks hold for any catalogue that contains the seed episodes' events, so they stay
true as the catalogue grows."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from research.errors import ResearchError
from research.events.alignment import calendar_day0, calendar_table, confounder_table
from research.events.catalogue import PROGRAMMES, load_catalogue
from research.events.selection import Selection, firm_history, select_events

from research.calendars import CALENDAR_OF, get_calendar


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def cli(argv, capsys, module):
    parser = argparse.ArgumentParser(prog="research")
    module.add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = args.handler(args)
    return code, capsys.readouterr().out


# --- selection -------------------------------------------------------------------------------

def test_filters_combine_and_bound_dates_by_the_whole_period(catalogue):
    ns = select_events(catalogue, Selection.parse(["ns-cmic"]))
    assert {"eo-13959-2020", "sensetime-ns-cmic-2021", "ft-ns-cmic-report-2021", "ns-cmic-2021"} <= {e.id for e in ns}
    assert all(e.programme == "ns-cmic" for e in ns)
    in_2021 = select_events(catalogue, Selection.parse(["ns-cmic"], start="2021", end="2021"))
    assert "eo-13959-2020" not in {e.id for e in in_2021}
    assert all(e.announced.date.year == 2021 for e in in_2021)
    # --to 2021-12 includes the last day of December; --to 2021-12-14 includes that day only up to it
    december = {e.id for e in select_events(catalogue, Selection.parse(start="2021-12", end="2021-12"))}
    assert {"sensetime-ns-cmic-2021", "ft-ns-cmic-report-2021", "ns-cmic-2021"} <= december
    to_14 = {e.id for e in select_events(catalogue, Selection.parse(start="2021-12-14", end="2021-12-14"))}
    assert "ft-ns-cmic-report-2021" in to_14 and "ns-cmic-2021" not in to_14
    by_ticker = select_events(catalogue, Selection.parse(ticker="0941.hk"))
    assert {"eo-13959-2020", "nyse-delisting-2020"} <= {e.id for e in by_ticker}
    assert all("0941.HK" in e.tickers for e in by_ticker)
    dates = [e.announced.date for e in select_events(catalogue)]
    assert dates == sorted(dates) and len(dates) == len(catalogue)


@pytest.mark.parametrize("kwargs, message", [
    (dict(programmes=["tariffs"]), "unknown programme 'tariffs'"),
    (dict(start="20x"), "--from '20x'"),
    (dict(end="2021/12"), "--to '2021/12'"),
    (dict(firm="  "), "--firm"),
])
def test_bad_filters_are_one_line_errors(kwargs, message):
    with pytest.raises(ResearchError, match=message.replace("(", r"\(")):
        Selection.parse(**kwargs)


def test_a_firm_is_found_by_name_chinese_name_ticker_or_entity(catalogue):
    english = firm_history(catalogue, "china mobile")
    chinese = firm_history(catalogue, "中国移动")
    ticker = firm_history(catalogue, "0941.HK")
    # the registry's Chinese name finds the events that list a China Mobile line, as its ticker does
    assert list(chinese["event_id"]) == list(ticker["event_id"])
    assert {"eo-13959-2020", "nyse-delisting-2020", "nyse-reversal-2021", "nyse-re-reversal-2021"} <= set(ticker["event_id"])
    # the English name also finds the report that names China Mobile as an investor, with no line of it
    assert set(english["event_id"]) == set(ticker["event_id"]) | {"dahua-investment-2020"}
    assert english.set_index("event_id").loc["dahua-investment-2020", "listings"] == ""
    assert list(english["date"]) == sorted(english["date"])
    row = english.set_index("event_id").loc["nyse-delisting-2020"]
    assert "CHL (designated)" in row["listings"] and "0941.HK (other_line)" in row["listings"]
    with pytest.raises(ResearchError, match="names a firm matching 'no such firm'"):
        firm_history(catalogue, "no such firm")


# --- day 0 on every exchange -------------------------------------------------------------------

def test_calendar_gives_a_session_of_each_exchange_for_every_event(catalogue):
    table = calendar_table(catalogue)
    mics = [c for c in table.columns if c in CALENDAR_OF]
    assert {"XSHE", "XHKG", "XNYS"} <= set(mics) and len(table) == len(catalogue)
    for mic in mics:
        cal = get_calendar(mic)
        for event_id, day in zip(table["event_id"], table[mic]):
            assert cal.is_session(day), (event_id, mic, day)
            assert day == calendar_day0(catalogue[event_id].announced, mic).session
    # after the New York close on 2019-10-07 (a Chinese holiday week): New York and Hong Kong
    # move to the 8th; the mainland too (Golden Week ended on the 7th)
    e1 = table.set_index("event_id").loc["entity-list-2019"]
    assert {e1[m] for m in mics} == {pd.Timestamp("2019-10-08")}


def test_events_command_filters_and_prints_calendar_and_history(capsys):
    from research.events import commands

    code, out = cli(["events", "--programme", "exchange-delisting", "--from", "2020-12", "--to", "2021-01"],
                    capsys, commands)
    assert code == 0 and "nyse-reversal-2021" in out and "entity-list-2019" not in out
    code, out = cli(["events", "--calendar", "--ticker", "AMBA"], capsys, commands)
    assert code == 0 and "entity-list-2019" in out and "XNAS" in out and "2019-10-08" in out
    code, out = cli(["events", "--firm", "Hikvision"], capsys, commands)
    assert code == 0 and "entity-list-2019" in out and "hikvision-sdn-report-2022" in out
    code, out = cli(["align", "--all"], capsys, commands)
    assert code == 0
    for event_id in load_catalogue():
        assert event_id in out
    with pytest.raises(ResearchError, match="--all"):
        cli(["align"], capsys, commands)


# --- a firm's other events as confounders ------------------------------------------------------

def _event(event_id, day, ticker, entity, entities=None):
    names = entities or [entity]
    listing = f"\n  listings:\n    - {{ticker: {ticker}, role: designated, entity: {entity}}}"
    return f"""
- id: {event_id}
  episode: {event_id}
  title: {event_id}
  announced: {{time: "{day}", timezone: America/New_York, precision: date_only}}
  authority: test
  programme: exchange-delisting
  instrument: exchange-notice
  entities: [{', '.join(names)}]{listing}
  sources:
    - {{url: "https://example.org/{event_id}", says: "dated {day}"}}
"""


def test_another_line_or_the_entity_of_the_same_firm_is_a_same_firm_confounder(tmp_path, real_store):
    path = tmp_path / "events.yaml"
    path.write_text("events:" + _event("hk-line", "2020-12-01", "0941.HK", "China Mobile")
                    + _event("adr-line", "2020-12-03", "CHL", "China Mobile")
                    + _event("entity-only", "2020-12-04", "0728.HK", "China Telecom", ["China Telecom", "China Mobile"])
                    + _event("other-firm", "2020-12-02", "0762.HK", "China Unicom"), encoding="utf-8")
    cat = load_catalogue(path)
    table = confounder_table(cat)
    hk = table[(table.event_id == "hk-line") & (table.ticker == "0941.HK")].set_index("confounder")
    assert not hk.loc["adr-line", "names_listing"] and hk.loc["adr-line", "same_firm"]
    assert hk.loc["entity-only", "same_firm"]
    assert not hk.loc["other-firm", "same_firm"] and not hk.loc["other-firm", "names_listing"]


# --- the pooled study of a programme -----------------------------------------------------------

def test_pooled_study_is_the_events_studied_one_by_one_stacked(catalogue, real_store):
    """The pooled panel keyed by (event, listing) holds each event's listing-events exactly as a
    study of that event alone does (same CARs to 1e-12), so the CAAR is their plain mean and a
    firm named by three events is three observations."""
    from research.study.bridge import study_events
    from research.study.pooled import pooled_study

    selection = Selection.parse(start="2020-12", end="2021-01")
    pooled = pooled_study("exchange-delisting", catalogue=catalogue, selection=selection, windows=[(0, 0), (0, 1)])
    ids = pooled.provenance["pooled"]["events"]
    assert {"nyse-delisting-2020", "nyse-reversal-2021", "nyse-re-reversal-2021"} <= set(ids)
    alone = pd.concat([study_events(e, catalogue=catalogue, windows=[(0, 0), (0, 1)]).car for e in ids])
    key = ["event_id", "ticker", "window"]
    merged = pooled.car.merge(alone, on=key, suffixes=("", "_alone"))
    assert len(merged) == len(pooled.car) == len(alone)
    np.testing.assert_allclose(merged["car"], merged["car_alone"], rtol=0, atol=1e-12)
    assert (pooled.car[pooled.car.window == "[0,0]"]["ticker"] == "CHL").sum() == 3
    caar = pooled.caar().set_index("window")["caar"]
    for window, part in pooled.car.groupby("window"):
        assert caar[window] == pytest.approx(part["car"].mean(), abs=1e-15)
    # CHL's delisting notice and the reversal one session later: flagged, not merged
    assert any("same firm" in note and "nyse-delisting-2020 CHL" in note for note in pooled.notes)
    assert pooled.confounders["same_firm"].any()


def test_programme_table_reports_the_shared_date_tests_of_each_pooled_study(catalogue, real_store):
    from research.study.pooled import pooled_study, programme_table
    from research.study.significance.registry import SHARED_DATE_TESTS

    pooled = {"ns-cmic": pooled_study("ns-cmic", catalogue=catalogue,
                                      selection=Selection.parse(start="2021-12", end="2021-12"), windows=[(0, 1)])}
    table = programme_table(pooled)
    row = table.iloc[0]
    tests = pooled["ns-cmic"].tests
    for test in SHARED_DATE_TESTS:
        hit = tests[(tests.window == "[0,1]") & (tests.test == test)].iloc[0]
        assert row[f"{test}_p"] == hit["p_value"] and row[test] == hit["statistic"]
    assert row["n"] == len(pooled["ns-cmic"].car) and row["caar"] == pytest.approx(pooled["ns-cmic"].car["car"].mean())
    # SenseTime's Hong Kong line was not yet listed: the event is named, not studied
    assert "sensetime-ns-cmic-2021" in pooled["ns-cmic"].provenance["pooled"]["unpriced"]


def test_run_programme_prints_the_table_and_writes_one_folder_per_programme(capsys, real_store, tmp_path):
    from research.study import commands

    code, out = cli(["run", "--programme", "sdn", "--programme", "hfcaa", "--windows", "0,0 0,1",
                     "--out", str(tmp_path / "runs")], capsys, commands)
    assert code == 0
    assert "bmp_kp" in out and "grank_scar" in out and "hikvision-sdn-report-2022" in out
    for programme in ("sdn", "hfcaa"):
        assert (tmp_path / "runs" / f"programme-{programme}" / "car.csv").is_file()
    with pytest.raises(ResearchError, match="unknown programme 'tariffs'"):
        cli(["run", "--programme", "tariffs"], capsys, commands)
    with pytest.raises(ResearchError, match="not both"):
        cli(["run", "ns-cmic-2021", "--programme", "ns-cmic"], capsys, commands)


def test_every_programme_is_described():
    assert all(PROGRAMMES.values()) and "entity-list" in PROGRAMMES


def test_overview_pools_adverse_news_by_programme(real_store):
    from research.report import Overview

    overview = Overview(favourable=["dahua-investment-2020", "nyse-reversal-2021"])
    table = overview.programme_table()
    delisting = overview.pooled["exchange-delisting"].provenance["pooled"]
    assert "nyse-reversal-2021" in delisting["left_out"] and "nyse-reversal-2021" not in delisting["events"]
    assert "other" not in overview.pooled      # its one event is favourable news
    for programme, results in overview.pooled.items():
        part = table.data[table.data["programme"] == programme].set_index("window")
        assert part.loc["[0,0]", "caar"] == pytest.approx(
            results.car[results.car.window == "[0,0]"]["car"].mean(), abs=1e-15)


def test_a_reader_that_closes_the_pipe_is_not_a_traceback(tmp_path):
    """`research align --all | head -3`: the command stops quietly with exit 0."""
    import os
    import subprocess
    import sys

    command = f"{sys.executable} -c \"from research.cli import main; raise SystemExit(main())\" align --all | head -3"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                          env={**os.environ, "RESEARCH_OFFLINE": "1"}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and len(done.stdout.splitlines()) == 3
