"""The articles' numbers against the prices: agreement within tolerance, the right measure, and
plain 'cannot check' where daily prices cannot say."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest
from own_event import add_own_event

from research.events.catalogue import load_catalogue
from research.events.claims import AGREES, DISAGREES, UNCHECKABLE, check_claim, check_claims, claims_table
from research.events.reaction import PriceBook


@pytest.fixture(scope="module", params=["shipped", "with an own event"])
def catalogue(request, tmp_path_factory):
    """The shipped catalogue, and a copy with a researcher's own event (and its claim): every
    claim test must hold for both."""
    if request.param == "shipped":
        return load_catalogue()
    return load_catalogue(add_own_event(tmp_path_factory.mktemp("own-event")))


@pytest.fixture
def checks(catalogue, real_store):
    return {c.claim.id: c for c in check_claims(catalogue, book=PriceBook())}


def test_hikvision_fell_ten_percent_on_2022_05_05(checks):
    c = checks["hikvision-down-10pct"]
    assert c.verdict == AGREES
    assert c.measured == pytest.approx(-0.10, abs=5e-5)


def test_alibaba_closed_at_277_96_about_1_4_percent_higher(checks):
    assert checks["baba-close-277.96"].verdict == AGREES
    assert checks["baba-close-277.96"].measured == pytest.approx(277.96)
    assert checks["baba-up-1.4pct"].verdict == AGREES
    assert checks["baba-up-1.4pct"].measured == pytest.approx(0.01408, abs=1e-5)


def test_ambarella_after_hours_agrees_with_the_gap_not_the_close_to_close_return(checks):
    c = checks["amba-after-hours-12pct"]
    assert c.claim.measure == "close_to_open"
    assert c.verdict == AGREES and c.measured == pytest.approx(-0.1337, abs=1e-4)
    assert dict(c.others)["close_to_close"] == pytest.approx(-0.0949, abs=1e-4)
    assert "close-to-close -9.49 % (would not agree)" in c.others_text()
    as_close_to_close = dataclasses.replace(c.claim, measure="close_to_close")
    assert check_claim(as_close_to_close, load_catalogue().registry).verdict == DISAGREES


def test_a_market_value_cannot_be_checked_from_daily_prices(checks):
    c = checks["hikvision-market-value-42bn"]
    assert c.verdict == UNCHECKABLE
    assert "shares outstanding" in c.reason and "32.30 CNY" in c.reason


def test_the_table_shows_source_claim_measured_and_verdict(checks):
    table = claims_table(list(checks.values()))
    assert {"source", "claim", "measured", "verdict", "other measures / reason"} <= set(table.columns)
    amba = table.set_index("ticker").loc["AMBA"]
    assert (amba["source"], amba["measured"], amba["verdict"]) == ("001_42f1083407e3e2f6.txt", "-13.37 %", AGREES)
    assert "would not agree" in amba["other measures / reason"]
    assert table.set_index("claim").loc["Hikvision market value about $42bn", "verdict"] == UNCHECKABLE


def test_a_claim_on_a_day_without_trade_or_prices_says_why(catalogue, real_store):
    claim = catalogue["entity-list-2019"].claims[0]
    suspended = dataclasses.replace(claim, ticker="002415.SZ", date=date(2019, 10, 8), measure="close_to_close")
    c = check_claim(suspended, catalogue.registry)
    assert c.verdict == UNCHECKABLE and "did not trade on 2019-10-08" in c.reason
    unpriced = dataclasses.replace(claim, ticker="CHA", date=date(2021, 1, 4))
    c = check_claim(unpriced, catalogue.registry)
    assert c.verdict == UNCHECKABLE and "no prices for CHA" in c.reason


def test_a_claim_after_a_suspension_says_trade_to_trade(catalogue, real_store):
    claim = dataclasses.replace(catalogue["entity-list-2019"].claims[0], ticker="002415.SZ",
                                date=date(2019, 10, 10), measure="close_to_close", value=-0.0433, tolerance=0.001)
    c = check_claim(claim, catalogue.registry)
    assert c.verdict == AGREES and "trade-to-trade since 2019-09-30 (3 sessions)" in c.reason


def test_the_intraday_low_and_high_against_a_hand_computation_from_the_csv(shared_prices):
    """BABA on 2022-10-10, from its CSV rows (an adjusted series: Adj Close differs from Close):
    2022-10-07 Adj Close 80.162399; 2022-10-10 Low 77.699997, High 79.790001, Close 79.239998,
    Adj Close 78.188927. The extremes are put on the adjusted scale of the day, as the gap is."""
    from research.events.reaction import day_return

    prices = pd.read_csv(shared_prices / "BABA.csv", index_col="Date", parse_dates=True)
    r = day_return(prices, "2022-10-10", "XNYS")
    factor = 78.188927 / 79.239998
    assert r.low_vs_prev_close == pytest.approx(77.699997 * factor / 80.162399 - 1, rel=1e-6)
    assert r.high_vs_prev_close == pytest.approx(79.790001 * factor / 80.162399 - 1, rel=1e-6)
    assert r.low_vs_prev_close <= min(r.close_to_open, r.close_to_close)
    assert r.high_vs_prev_close >= max(r.close_to_open, r.close_to_close)


def test_an_intraday_low_claim_is_measured_and_judged(catalogue, real_store):
    """A claim of the intraday low, checked on iFlytek's CSV row of 2022-10-10 (Low 31.46, previous
    close 32.82, no adjustment between them)."""
    claim = dataclasses.replace(catalogue["entity-list-2019"].claims[0], ticker="002230.SZ",
                                date=pd.Timestamp("2022-10-10").date(), measure="low_vs_prev_close",
                                value=-0.04, tolerance=0.002)
    c = check_claim(claim, catalogue.registry)
    assert c.verdict == AGREES and c.measured == pytest.approx(31.46 / 32.82 - 1, rel=1e-9)
    assert [m for m, _ in c.others] == ["close_to_close", "close_to_open", "open_to_close"]
    assert check_claim(dataclasses.replace(claim, value=-0.03), catalogue.registry).verdict == DISAGREES
    high = check_claim(dataclasses.replace(claim, measure="high_vs_prev_close", value=0.0), catalogue.registry)
    assert high.measured == pytest.approx(32.80 / 32.82 - 1, rel=1e-9)
