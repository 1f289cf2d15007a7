"""The Yahoo path, with yfinance faked at its boundary: ``yfinance.Ticker`` returns frames shaped
as yfinance returns them, or raises yfinance's own exception classes. No test touches the network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yfinance
from curl_cffi.requests.exceptions import DNSError
from yfinance.exceptions import YFPricesMissingError, YFRateLimitError, YFTzMissingError

from research import cli
from research.errors import ResearchError
from research.prices import PriceStore, fetch, get_prices, yahoo


def yahoo_frame(n=4, tz="America/New_York"):
    """What ``Ticker.history(auto_adjust=False, actions=False)`` returns for a daily series."""
    index = pd.DatetimeIndex(pd.date_range("2019-10-03", periods=n, freq="B", tz=tz), name="Date", freq=None)
    close = 20.0 - np.arange(n)
    return pd.DataFrame({"Open": close + 0.5, "High": close + 1, "Low": close - 1, "Close": close,
                         "Adj Close": close * 0.98, "Volume": np.arange(n) * 1000 + 500}, index=index)


class FakeYahoo:
    """Stands in for ``yfinance.Ticker``; each ticker gets a list of outcomes, one per call."""

    def __init__(self, outcomes):
        self.outcomes = {t: list(v) for t, v in outcomes.items()}
        self.calls = []

    def __call__(self, ticker):
        fake = self

        class Ticker:
            def history(self, **kwargs):
                fake.calls.append((ticker, kwargs, yfinance.config.debug.hide_exceptions))
                outcome = fake.outcomes[ticker].pop(0)
                if isinstance(outcome, BaseException):
                    raise outcome
                return outcome

        return Ticker()


@pytest.fixture
def fake(monkeypatch):
    def install(**outcomes):
        fake = FakeYahoo(outcomes)
        monkeypatch.setattr(yfinance, "Ticker", fake)
        return fake
    return install


def test_fetch_stores_close_and_adj_close_with_provenance(fake):
    f = fake(AMBA=[yahoo_frame()])
    entries, errors = fetch(["AMBA"])
    assert errors == []
    ticker, kwargs, hidden = f.calls[0]
    assert kwargs["auto_adjust"] is False and kwargs["period"] == "max" and kwargs["interval"] == "1d"
    assert hidden is False, "per-ticker exceptions must not be hidden during the call"
    assert yfinance.config.debug.hide_exceptions is True, "yfinance's setting is restored afterwards"
    store = PriceStore()
    stored = store.load("AMBA")
    assert [d.isoformat() for d in stored.index.date] == ["2019-10-03", "2019-10-04", "2019-10-07", "2019-10-08"]
    assert stored.index.tz is None
    np.testing.assert_array_equal(stored["Close"], yahoo_frame()["Close"])
    np.testing.assert_array_equal(stored["Adj Close"], yahoo_frame()["Adj Close"])
    entry = store.entry("AMBA")
    assert entry["source"] == "yahoo" and entry["auto_adjust"] is False
    assert entry["yfinance_version"] == yfinance.__version__
    assert entry["retrieved_utc"].endswith("Z") and entry["rows"] == 4


def test_asian_listing_keeps_its_local_trading_date(fake):
    fake(**{"002415.SZ": [yahoo_frame(tz="Asia/Shanghai")]})
    fetch(["002415.SZ"])
    assert PriceStore().load("002415.SZ").index[0].date().isoformat() == "2019-10-03"


def test_rate_limit_is_retried_with_backoff(fake, monkeypatch):
    waits = []
    monkeypatch.setattr(yahoo.time, "sleep", waits.append)
    fake(AMBA=[YFRateLimitError(), YFRateLimitError(), yahoo_frame()])
    prices, _ = yahoo.fetch("AMBA")
    assert len(prices) == 4
    assert waits == [yahoo.BACKOFF_SECONDS, 2 * yahoo.BACKOFF_SECONDS]


def test_rate_limit_exhausted_is_reported_by_ticker(fake, monkeypatch):
    monkeypatch.setattr(yahoo.time, "sleep", lambda s: None)
    fake(AMBA=[YFRateLimitError()] * (yahoo.RETRIES + 1), JD=[yahoo_frame()])
    entries, errors = fetch(["AMBA", "JD"])
    assert [e["ticker"] for e in entries] == ["JD"]
    assert len(errors) == 1 and errors[0].startswith("AMBA: Yahoo rate limit")
    assert PriceStore().tickers() == ["JD"]


@pytest.mark.parametrize("error, message", [
    (YFPricesMissingError("CHL", "(period=max)"), "CHL: Yahoo has no prices"),
    (YFTzMissingError("CHL"), "possibly delisted"),
    (DNSError("Failed to perform, curl: (6) Could not resolve host"), "CHL: Yahoo cannot be reached"),
])
def test_yfinance_errors_are_not_swallowed(fake, error, message):
    fake(CHL=[error])
    entries, errors = fetch(["CHL"])
    assert entries == [] and message in errors[0]


def test_empty_frame_is_an_error_not_an_empty_series(fake):
    fake(CHL=[yahoo_frame().iloc[:0]])
    with pytest.raises(ResearchError, match="CHL: Yahoo returned no prices"):
        yahoo.fetch("CHL")


def test_bad_values_from_yahoo_are_rejected(fake):
    bad = yahoo_frame()
    bad.iloc[2, bad.columns.get_loc("Close")] = -1.0
    fake(AMBA=[bad])
    with pytest.raises(ResearchError, match="Yahoo AMBA, 2019-10-07: Close -1 is not a positive price"):
        yahoo.fetch("AMBA")


def test_mirror_is_consulted_before_yahoo(fake, mirror, monkeypatch):
    monkeypatch.delenv("RESEARCH_OFFLINE")
    f = fake()
    prices = get_prices("AMBA")
    assert f.calls == [] and len(prices) == 2870
    assert PriceStore().entry("AMBA")["source"] == "csv"


def test_missing_everywhere_names_the_ticker_and_the_ways_to_provide_it(fake, monkeypatch, capsys):
    monkeypatch.delenv("RESEARCH_OFFLINE")
    fake(CHA=[DNSError("Could not resolve host: query2.finance.yahoo.com")])
    assert cli.main(["prices", "CHA"]) == 2
    err = capsys.readouterr().err
    assert "no prices for CHA" in err and "research import CHA.csv" in err and "RESEARCH_MIRROR" in err
    assert "Traceback" not in err


def test_yahoo_is_reached_when_the_mirror_lacks_the_ticker(fake, mirror, monkeypatch):
    monkeypatch.delenv("RESEARCH_OFFLINE")
    fake(TSLA=[yahoo_frame()])
    assert len(get_prices("TSLA")) == 4
    assert PriceStore().entry("TSLA")["source"] == "yahoo"


def test_cli_fetch_reports_failures_with_nonzero_exit(fake, monkeypatch, capsys):
    monkeypatch.delenv("RESEARCH_OFFLINE")
    fake(CHL=[YFPricesMissingError("CHL", "(period=max)")], AMBA=[yahoo_frame()])
    assert cli.main(["fetch", "AMBA", "CHL"]) == 1
    out, err = capsys.readouterr()
    assert "fetched AMBA" in out and "CHL: Yahoo has no prices" in err


def test_fetch_goes_on_past_a_ticker_whose_stored_series_cannot_be_merged(fake, monkeypatch, capsys):
    """One error per failed ticker: a damaged stored series fails its own ticker, not the rest."""
    monkeypatch.delenv("RESEARCH_OFFLINE")
    fake(AMBA=[yahoo_frame()], TSLA=[yahoo_frame()])
    store = PriceStore()
    cli.main(["fetch", "AMBA"])
    (store.root / store.entry("AMBA")["file"]).write_bytes(b"not the stored series")
    capsys.readouterr()
    fake(AMBA=[yahoo_frame()], TSLA=[yahoo_frame()])
    assert cli.main(["fetch", "AMBA", "TSLA"]) == 1
    out, err = capsys.readouterr()
    assert "fetched TSLA" in out and "AMBA" in err and "--replace" in err and "Traceback" not in err
