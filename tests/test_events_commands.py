"""The events, align and claims commands as the CLI runs them: parsed args in, text or JSON out,
exit codes, and ResearchError for user mistakes."""

from __future__ import annotations

import argparse
import json

import pytest

from research.errors import ResearchError
from research import config
from research.events.commands import add_commands


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="research")
    add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = args.handler(args)
    return code, capsys.readouterr().out


def test_events_lists_the_catalogue(capsys):
    code, out = run(["events"], capsys)
    assert code == 0
    for event_id in ("entity-list-2019", "nyse-re-reversal-2021", "hfcaa-additions-2022"):
        assert event_id in out
    assert "after_us_close" in out and "date_only" in out


def test_align_json_gives_one_object_per_listing_with_iso_dates(capsys, real_store):
    code, out = run(["align", "entity-list-2019", "--json"], capsys)
    assert code == 0
    rows = {r["ticker"]: r for r in json.loads(out)}
    assert set(rows) == {"002415.SZ", "002236.SZ", "002230.SZ", "300188.SZ", "AMBA"}
    assert all({"ticker", "exchange", "calendar_day0", "first_traded_day"} <= set(r) for r in rows.values())
    assert rows["AMBA"]["calendar_day0"] == rows["AMBA"]["first_traded_day"] == "2019-10-08"
    assert rows["002415.SZ"]["first_traded_day"] == "2019-10-10" and rows["002415.SZ"]["exchange"] == "XSHE"


def test_align_json_for_the_nyse_sequence(capsys, real_store):
    for event_id, ny, hk in [("nyse-delisting-2020", "2021-01-04", "2021-01-04"),
                             ("nyse-reversal-2021", "2021-01-05", "2021-01-05"),
                             ("nyse-re-reversal-2021", "2021-01-06", "2021-01-07")]:
        rows = {r["ticker"]: r for r in json.loads(run(["align", event_id, "--json"], capsys)[1])}
        assert rows["CHL"]["calendar_day0"] == ny and rows["0941.HK"]["calendar_day0"] == hk
        assert rows["CHA"]["status"] == "no prices" and rows["CHA"]["first_traded_day"] is None


def test_align_text_shows_day0_split_limits_confounders_and_notes(capsys, real_store):
    code, out = run(["align", "hikvision-sdn-report-2022"], capsys)
    assert code == 0
    assert "2022-05-04 07:00 CST .. 2022-05-05 07:00 CST" in out  # the London date in Shenzhen time
    assert "limit-down 10%" in out and "hfcaa-additions-2022 (+0, 2022-05-05, not naming it)" in out
    code, out = run(["align", "nyse-delisting-2020"], capsys)
    assert "CHA: no prices for CHA" in out


def test_align_date_only_rule_option(capsys, real_store):
    same = {r["ticker"]: r for r in json.loads(run(["align", "hfcaa-additions-2022", "--json"], capsys)[1])}
    later = {r["ticker"]: r for r in json.loads(
        run(["align", "hfcaa-additions-2022", "--json", "--date-only-rule", "next_open"], capsys)[1])}
    assert same["PDD"]["calendar_day0"] == "2022-05-04" and later["PDD"]["calendar_day0"] == "2022-05-05"
    assert same["PDD"]["day0_by_rule"] == later["PDD"]["day0_by_rule"]


def test_user_mistakes_raise_research_error(capsys, real_store):
    with pytest.raises(ResearchError, match="no event 'entity-list-2020'"):
        run(["align", "entity-list-2020"], capsys)
    with pytest.raises(ResearchError, match="unknown date-only rule"):
        run(["align", "entity-list-2019", "--date-only-rule", "whenever"], capsys)


def test_claims_prints_the_table_and_strict_fails_on_disagreement(capsys, real_store, tmp_path):
    code, out = run(["claims"], capsys)
    assert code == 0
    assert "agrees" in out and "cannot check" in out and "would not agree" in out
    assert "DISAGREES" not in out
    text = config.EVENTS_FILE.read_text(encoding="utf-8")
    assert text.count('value: "-0.10"') == 1
    wrong = tmp_path / "events.yaml"
    wrong.write_text(text.replace('value: "-0.10"', 'value: "+0.10"'), encoding="utf-8")  # Hikvision rose 10 %?
    code, out = run(["claims", "--catalogue", str(wrong)], capsys)
    assert code == 0 and "DISAGREES" in out
    code, _ = run(["claims", "--catalogue", str(wrong), "--strict"], capsys)
    assert code == 1


def test_claims_json(capsys, real_store):
    code, out = run(["claims", "--event", "dahua-investment-2020", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0 and {r["claim_id"] for r in rows} == {"baba-close-277.96", "baba-up-1.4pct"}
    assert all(r["verdict"] == "agrees" for r in rows)
