"""Unadjusted prices are never silent: an equity with neither an adjusted close nor a previous
close is flagged in `research prices`, the run summary and the limitations table, naming the
series; `--require-adjusted` (``require_adjusted=``) makes it an error; indices are exempt."""

from __future__ import annotations

import pandas as pd
import pytest

from research import cli
from research.errors import ResearchError
from research.prices import import_csv
from research.prices.quality import adjustment, is_index, quality_report
from research.securities import load_registry
from research.study.bridge import study_events

EVENT = "hikvision-sdn-report-2022"


@pytest.fixture
def unadjusted_hikvision(mirror, tmp_path):
    """Hikvision imported as mainland vendors deliver it: Adj Close empty; the rest from the mirror."""
    frame = pd.read_csv(mirror / "002415.SZ.csv")
    frame["Adj Close"] = ""
    path = tmp_path / "002415.SZ.csv"
    frame.to_csv(path, index=False)
    import_csv(path)
    return path


def test_the_rule_an_equity_without_adjustment_is_unadjusted_an_index_is_exempt():
    registry = load_registry()
    dates = pd.DatetimeIndex(["2022-05-05", "2022-05-06"], name="Date")
    bare = pd.DataFrame({"Close": [10.0, 10.5], "Adj Close": [float("nan")] * 2}, index=dates)
    status, flag = adjustment("002415.SZ", bare, registry.get("002415.SZ"))
    assert status == "unadjusted" and flag.startswith("002415.SZ has unadjusted prices")
    assert adjustment("000300.SS", bare, registry.get("000300.SS"))[0] == "index"
    assert "exempt" in adjustment("399001.SZ", bare, registry.get("399001.SZ"))[1]
    assert adjustment("002415.SZ", bare.assign(PreClose=[9.9, 10.0]), None) == ("adjusted", "")
    assert adjustment("002415.SZ", bare.assign(**{"Adj Close": [9.0, 9.4]}), None) == ("adjusted", "")
    # tickers outside the registry: ^ and the mainland index codes are indices, shares are not
    assert is_index("^GSPC") and is_index("000905.SS") and is_index("399006.SZ")
    assert not is_index("600000.SS") and not is_index("000001.SZ") and not is_index("AMBA")


def test_research_prices_flags_the_unadjusted_equity_and_says_the_indices_are_exempt(unadjusted_hikvision, capsys):
    from research.prices import get_prices

    get_prices("000300.SS")  # from the mirror, as shipped: no Adj Close
    assert cli.main(["prices"]) == 0
    out = capsys.readouterr().out
    assert "002415.SZ has unadjusted prices" in out and "000300.SS is an index" in out and "exempt" in out


def test_run_summary_and_provenance_name_the_unadjusted_series(unadjusted_hikvision):
    results = study_events(EVENT, windows=[(0, 0)])
    assert results.notes[0].startswith("002415.SZ has unadjusted prices")
    assert "002415.SZ has unadjusted prices" in str(results.summary())
    assert results.provenance["adjustment"] == {"002415.SZ": "unadjusted", "002236.SZ": "adjusted", "000300.SS": "index"}


def test_adjusted_series_and_index_benchmarks_raise_no_flag_even_when_required(mirror):
    results = study_events(EVENT, windows=[(0, 0)], require_adjusted=True)
    assert not any("unadjusted" in note for note in results.notes)
    assert results.provenance["adjustment"] == {"002415.SZ": "adjusted", "002236.SZ": "adjusted", "000300.SS": "index"}


def test_require_adjusted_stops_the_study_naming_the_series(unadjusted_hikvision, monkeypatch):
    with pytest.raises(ResearchError, match=r"--require-adjusted\): 002415\.SZ has unadjusted prices"):
        study_events(EVENT, windows=[(0, 0)], require_adjusted=True)
    monkeypatch.setenv("RESEARCH_REQUIRE_ADJUSTED", "1")  # how `report --require-adjusted` reaches a notebook
    with pytest.raises(ResearchError, match="002415.SZ"):
        study_events(EVENT, windows=[(0, 0)])


def test_cli_run_flags_it_and_require_adjusted_exits_2_writing_nothing(unadjusted_hikvision, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["run", EVENT, "--windows", "0,0", "--out", str(out)]) == 0
    assert "002415.SZ has unadjusted prices" in capsys.readouterr().out
    strict = tmp_path / "strict"
    assert cli.main(["run", EVENT, "--windows", "0,0", "--out", str(strict), "--require-adjusted"]) == 2
    assert "002415.SZ has unadjusted prices" in capsys.readouterr().err
    assert not strict.exists() or not any(strict.iterdir())


def test_limitations_table_names_the_unadjusted_listing(unadjusted_hikvision):
    from research.report.episode import Episode

    table = Episode(EVENT).limitations_table().data
    rows = table[table["issue"] == "unadjusted prices"]
    assert len(rows) == 1 and "002415.SZ" in rows["detail"].iloc[0]
    with pytest.raises(ResearchError, match="002415.SZ"):
        Episode(EVENT, require_adjusted=True).study


def test_st_sessions_have_the_5_percent_limit():
    registry = load_registry()
    dates = pd.DatetimeIndex(["2019-05-22", "2019-05-23", "2019-05-24"], name="Date")
    close = [10.0, 10.6, 11.2]  # +6 %, then +5.7 %
    prices = pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close, "Adj Close": close,
                           "Volume": [1e6] * 3}, index=dates)
    plain = quality_report("002415.SZ", prices, registry.get("002415.SZ"))
    assert len(plain.limit_hits) == 0
    st = quality_report("002415.SZ", prices, registry.get("002415.SZ"), st_dates=["2019-05-24"])
    assert list(st.beyond_limit.index) == [pd.Timestamp("2019-05-24")]


def test_report_carries_require_adjusted_to_its_notebooks_through_the_environment(monkeypatch):
    from research import config

    monkeypatch.delenv("RESEARCH_REQUIRE_ADJUSTED", raising=False)
    args = cli.build_parser("report").parse_args(["report", "e5-hikvision-2022", "--require-adjusted"])
    assert args.require_adjusted is True
    with config.adjusted_required():
        assert config.require_adjusted()
    assert not config.require_adjusted()
