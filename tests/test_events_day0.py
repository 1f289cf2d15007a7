"""Day 0 for a researcher's own announcement and listings (``event_day0``): no catalogue, no
store, and the same day 0 and first traded day as the catalogue's alignment."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from own_event import add_own_event

from research.calendars import get_calendar
from research.errors import ResearchError
from research.events import event_day0, parse_announcement
from research.events.alignment import DATE_ONLY_RULES, align_event
from research.events.catalogue import PRECISIONS, load_catalogue, read_catalogue
from research.events.reaction import PriceBook
from research.securities import load_registry


@pytest.fixture(scope="module", params=["shipped", "with an own event"])
def catalogue(request, tmp_path_factory):
    if request.param == "shipped":
        return load_catalogue()
    return load_catalogue(add_own_event(tmp_path_factory.mktemp("own-event")))


def as_text(announced) -> str:
    """The local time as a researcher writes it: a date for a span, else date and minute."""
    spans = ("date_only", "business_hours")
    return announced.time.strftime("%Y-%m-%d" if announced.precision in spans else "%Y-%m-%d %H:%M")


def test_it_agrees_with_the_catalogue_alignment_for_every_listing_of_every_event(catalogue, real_store):
    """From the announcement as text, the tickers and the listings' own traded days (their price
    rows), under every date-only rule: the alignment's calendar day 0, partial flag, first traded
    day and sessions missed."""
    book = PriceBook()
    compared = 0
    for event in catalogue.values():
        a = event.announced
        traded = {t: book.get(t).index for t in event.tickers if book.get(t) is not None}
        for rule in DATE_ONLY_RULES:
            mine = event_day0(as_text(a), list(traded), timezone=a.timezone, precision=a.precision,
                              date_only_rule=rule, traded=traded).set_index("ticker")
            bare = event_day0(a, event.tickers, date_only_rule=rule).set_index("ticker")  # no prices at all
            for x in align_event(catalogue, event.id, date_only_rule=rule, book=book):
                assert (bare.at[x.ticker, "day0"], bare.at[x.ticker, "partial"]) == (x.calendar_day0, x.partial)
                assert {r: bare.at[x.ticker, f"day0_{r}"] for r in DATE_ONLY_RULES} == x.day0_by_rule
                assert get_calendar(x.exchange).is_session(bare.at[x.ticker, "day0"])
                if x.ticker not in traded:
                    continue
                row = mine.loc[x.ticker]
                assert (row["day0"], row["exchange"]) == (x.calendar_day0, x.exchange)
                first = None if pd.isna(row["first_traded_day"]) else row["first_traded_day"]
                assert first == x.first_traded_day, (event.id, x.ticker, rule)
                if x.status in ("traded", "suspended"):
                    assert row["sessions_missed"] == x.sessions_missed
                compared += 1
    assert compared >= 3 * 30


ZONES = ["America/New_York", "Asia/Shanghai", "Asia/Hong_Kong", "Europe/London", "UTC", "America/St_Johns"]
TICKERS = ["002415.SZ", "603019.SS", "0941.HK", "AMBA", "CHL"]


def generated(day: date, clock: time | None, zone: str, precision: str, ticker: str) -> str:
    when = f"{day:%Y-%m-%d}" + (f" {clock:%H:%M}" if clock else "")
    return f"""events:
- id: own-event
  episode: own-event
  title: An announcement of one's own
  announced: {{time: "{when}", timezone: {zone}, precision: {precision}}}
  authority: someone
  programme: other
  instrument: press-report
  entities: [Firm]
  listings: [{{ticker: "{ticker}", role: designated, entity: Firm}}]
  sources: [{{url: "https://example.org/report"}}]
"""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2025, 12, 31)),
       clock=st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0)),
       zone=st.sampled_from(ZONES), precision=st.sampled_from(list(PRECISIONS)),
       ticker=st.sampled_from(TICKERS), rule=st.sampled_from(list(DATE_ONLY_RULES)))
def test_any_announcement_gives_the_day0_the_catalogue_gives_it_or_the_same_refusal(
        day, clock, zone, precision, ticker, rule):
    registry = load_registry()
    when = f"{day:%Y-%m-%d}" + (f" {clock:%H:%M}" if clock else "")
    try:
        event = read_catalogue(generated(day, clock, zone, precision, ticker), Path("own.yaml"), registry)["own-event"]
    except ResearchError:
        with pytest.raises(ResearchError, match=r"announced\.(time|timezone)"):
            event_day0(when, [ticker], timezone=zone, precision=precision, date_only_rule=rule)
        return
    [aligned] = align_event_calendar(event, rule)
    row = event_day0(when, [ticker], timezone=zone, precision=precision, date_only_rule=rule).iloc[0]
    mic = registry[ticker].exchange
    assert (row["day0"], row["partial"]) == aligned
    cal = get_calendar(mic)
    assert cal.is_session(row["day0"]) and row["first_traded_day"] == row["day0"]
    assert cal.session_close(row["day0"]) > event.announced.span()[0]       # never a session over before the news


def align_event_calendar(event, rule):
    """The catalogue's calendar day 0 of the event's listings, as its alignment computes it."""
    from research.events.alignment import calendar_day0

    registry = load_registry()
    return [(m.session, m.partial) for m in (calendar_day0(event.announced, registry[x.ticker].exchange, rule)
                                             for x in event.listings)]


def test_own_returns_from_a_csv_give_the_first_traded_day_after_a_suspension(shared_prices):
    """Hikvision, 2019-10-07 after the US close: day 0 is 2019-10-08 in Shenzhen, but the stock was
    suspended until 2019-10-10; read from the CSV alone, no store, no catalogue."""
    prices = pd.read_csv(shared_prices / "002415.SZ.csv", index_col="Date", parse_dates=True)
    returns = pd.DataFrame({"HIK": prices["Adj Close"].pct_change()})
    table = event_day0("2019-10-07", {"HIK": "XSHE"}, timezone="America/New_York", precision="after_us_close",
                       traded=returns)
    row = table.iloc[0]
    assert (row["day0"], row["first_traded_day"], row["sessions_missed"]) == (
        pd.Timestamp("2019-10-08"), pd.Timestamp("2019-10-10"), 2)
    assert not row["partial"]


def test_listings_by_ticker_exchange_or_mapping():
    table = event_day0("2022-05-04 20:15", ["002415.SZ", "XHKG", "BABA"], timezone="America/New_York")
    assert list(table["exchange"]) == ["XSHE", "XHKG", "XNYS"]
    assert list(table["day0"]) == [pd.Timestamp("2022-05-05"), pd.Timestamp("2022-05-05"), pd.Timestamp("2022-05-05")]
    table = event_day0(parse_announcement("2022-05-04 10:30", "America/New_York"), {"MINE": "XNAS"})
    assert bool(table.iloc[0]["partial"]) and table.iloc[0]["day0"] == pd.Timestamp("2022-05-04")


@pytest.mark.parametrize("kwargs, message", [
    (dict(announced="2022-05-04", listings=["NOPE"], timezone="UTC", precision="date_only"), "'NOPE'"),
    (dict(announced="2022-05-04", listings={"MINE": "XLON"}, timezone="UTC", precision="date_only"),
     "listing MINE: no trading calendar for exchange 'XLON'"),
    (dict(announced="2022-05-04", listings=["AMBA"], precision="date_only"), "give the announcement's timezone"),
    (dict(announced="2022-05-04", listings=["AMBA"], timezone="UTC"), "announced.time: precision exact needs an hour"),
    (dict(announced="2022-13-04", listings=["AMBA"], timezone="UTC", precision="date_only"), "cannot parse"),
    (dict(announced="2022-05-04", listings=["AMBA"], timezone="Mars/Olympus", precision="date_only"), "Mars/Olympus"),
    (dict(announced="2022-05-04", listings=["AMBA"], timezone="UTC", precision="soon"), "unknown precision 'soon'"),
    (dict(announced="2022-03-13 02:30", listings=["AMBA"], timezone="America/New_York"), "nonexistent"),
])
def test_bad_input_is_a_research_error_naming_it(kwargs, message):
    with pytest.raises(ResearchError, match=None) as info:
        event_day0(**kwargs)
    assert message in str(info.value)
