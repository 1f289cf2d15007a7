"""Alignment: day 0 on each listing's exchange, suspensions, the overnight/intraday split, the
date-only rule, price-limit hits and confounders, on the real prices of the five episodes."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from research.calendars import get_calendar
from research.errors import ResearchError
from research.events.alignment import (DATE_ONLY_RULES, align_event, alignment_table, calendar_day0,
                                       confounder_table, day0_table, session_at_or_after)
from research.events.catalogue import Announcement, load_catalogue
from research.events.reaction import PriceBook, day_return
from research.prices import get_prices


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture
def aligned(catalogue, real_store):
    """Alignment by event id and ticker, with the default rule, on the shared prices."""
    book = PriceBook()

    def get(event_id, rule="business_day", window=(-10, 20)):
        return {a.ticker: a for a in align_event(catalogue, event_id, date_only_rule=rule, window=window, book=book)}
    return get


def day(text):
    return pd.Timestamp(text)


# --- the days the brief fixes --------------------------------------------------------------------

def test_entity_list_day0_and_the_suspended_hikvision_and_dahua(aligned):
    a = aligned("entity-list-2019")
    for ticker in ("002230.SZ", "300188.SZ", "AMBA"):
        assert a[ticker].calendar_day0 == a[ticker].first_traded_day == day("2019-10-08"), ticker
        assert a[ticker].status == "traded" and not a[ticker].partial
    for ticker in ("002415.SZ", "002236.SZ"):
        x = a[ticker]
        assert x.calendar_day0 == day("2019-10-08")
        assert x.first_traded_day == day("2019-10-10")
        assert (x.status, x.sessions_missed, x.previous_trade) == ("suspended", 2, day("2019-09-30"))
        assert x.reaction.span == 3


def test_nyse_sequence_new_york_and_hong_kong(aligned):
    for event_id, ny, hk in [("nyse-delisting-2020", "2021-01-04", "2021-01-04"),
                             ("nyse-reversal-2021", "2021-01-05", "2021-01-05"),
                             # public by 09:31 New York on 01-06 (a Reuters copy), not in the evening
                             ("nyse-re-reversal-2021", "2021-01-06", "2021-01-07")]:
        a = aligned(event_id)
        assert a["CHL"].calendar_day0 == a["CHL"].first_traded_day == day(ny), event_id
        for ticker in ("0941.HK", "0728.HK", "0762.HK"):
            assert a[ticker].calendar_day0 == a[ticker].first_traded_day == day(hk), (event_id, ticker)


def test_ns_cmic_first_mainland_session_after_the_us_day_began(aligned):
    for rule in ("business_day", "next_open"):
        for x in aligned("ns-cmic-2021", rule).values():
            assert x.calendar_day0 == day("2021-12-17"), (rule, x.ticker)
    # any hour of the date: the mainland session of 12-16, which closed at 02:00 New York time
    assert {x.calendar_day0 for x in aligned("ns-cmic-2021", "midnight").values()} == {day("2021-12-16")}


def test_hikvision_report_day0_is_the_reopening_after_labour_day(aligned):
    for rule in DATE_ONLY_RULES:
        a = aligned("hikvision-sdn-report-2022", rule)
        assert a["002415.SZ"].first_traded_day == day("2022-05-05")
        assert a["002415.SZ"].reaction.close_to_close == pytest.approx(-0.10, abs=5e-5)


# --- the date-only rule --------------------------------------------------------------------------

def test_date_only_rule_changes_day0_and_every_rule_is_reported(aligned):
    same, later = aligned("hfcaa-additions-2022", "business_day"), aligned("hfcaa-additions-2022", "next_open")
    assert same["JD"].calendar_day0 == day("2022-05-04")
    assert later["JD"].calendar_day0 == day("2022-05-05")
    assert same["JD"].day0_by_rule == later["JD"].day0_by_rule == {"business_day": day("2022-05-04"),
                                                                    "midnight": day("2022-05-04"),
                                                                    "next_open": day("2022-05-05")}
    assert same["JD"].day0_uncertain
    assert any("depends on the date-only rule" in n for n in same["JD"].notes)


def test_dahua_day0_is_the_first_shenzhen_session_after_the_reuters_report(aligned):
    # The report's copy is stamped 16/09/2020 06:02, after the Shenzhen close of 09-15 in any zone
    # from UTC-4 to UTC+8; Benzinga dates it Tuesday 09-15 (New York), Nikkei 16 September.
    a = aligned("dahua-investment-2020")
    x = a["002236.SZ"]
    assert x.calendar_day0 == x.first_traded_day == day("2020-09-16") and not x.partial
    assert x.day0_by_rule == {"business_day": day("2020-09-16"), "midnight": day("2020-09-15"),
                              "next_open": day("2020-09-16")}
    assert x.reaction.close_to_close == pytest.approx(-0.0637, abs=5e-4)  # the day Dahua denied the report
    # the limit-up close of 09-15 is the day before the news, shown as a pre-event move
    assert [(h.relative_day, h.date) for h in x.limits.hits] == [(-1, day("2020-09-15"))]
    assert a["9988.HK"].calendar_day0 == day("2020-09-16")
    assert a["BABA"].calendar_day0 == day("2020-09-15")  # the US day of the report; next_open: 09-16
    assert a["BABA"].day0_by_rule["next_open"] == day("2020-09-16")


def test_executive_order_hong_kong_day0_is_the_session_after_the_signing(aligned):
    a = aligned("eo-13959-2020")
    for ticker in ("0941.HK", "0728.HK", "0762.HK"):
        assert a[ticker].calendar_day0 == a[ticker].first_traded_day == day("2020-11-13"), ticker
        assert a[ticker].day0_by_rule["midnight"] == day("2020-11-12")  # closed 03:00 New York time
    assert a["CHL"].calendar_day0 == day("2020-11-12")


def test_ft_report_and_treasury_act_are_separate_events(aligned, catalogue):
    # The FT named the eight firms on Tuesday 12-14 (London); a Reuters copy of the report is
    # stamped 12:46 Singapore time on 12-15: the first mainland session that can carry it is 12-15.
    leak, act = aligned("ft-ns-cmic-report-2021"), aligned("ns-cmic-2021")
    mainland = {"603019.SS", "300603.SZ", "300367.SZ", "300188.SZ"}
    assert set(leak) == set(act) == mainland
    for ticker in mainland:
        assert leak[ticker].calendar_day0 == leak[ticker].first_traded_day == day("2021-12-15"), ticker
        assert act[ticker].calendar_day0 == day("2021-12-17"), ticker
        assert ("ns-cmic-2021", 2) in [(c.event_id, c.relative_day) for c in leak[ticker].confounders]
        assert ("ft-ns-cmic-report-2021", -2) in [(c.event_id, c.relative_day) for c in act[ticker].confounders]
    assert catalogue["ft-ns-cmic-report-2021"].instrument == "press-report"
    assert catalogue["ft-ns-cmic-report-2021"].episode == catalogue["ns-cmic-2021"].episode


def test_the_midnight_rule_puts_us_news_in_a_session_that_closed_before_the_us_day(catalogue):
    # the robustness alternative: E.O. 13959 (2020-11-12) in the Hong Kong session that closed at
    # 03:00 New York time; the default waits for the New York business day
    announced = catalogue["eo-13959-2020"].announced
    early = calendar_day0(announced, "XHKG", "midnight")
    assert early.session == day("2020-11-12")
    assert early.close.tz_convert("America/New_York").hour == 3
    assert calendar_day0(announced, "XHKG").session == day("2020-11-13")


def test_unknown_rule_and_bad_window_are_user_errors(catalogue, real_store):
    with pytest.raises(ResearchError, match="unknown date-only rule 'noon'"):
        align_event(catalogue, "hfcaa-additions-2022", date_only_rule="noon")
    with pytest.raises(ResearchError, match="must contain day 0"):
        align_event(catalogue, "hfcaa-additions-2022", window=(2, 5))
    with pytest.raises(ResearchError, match="no event 'no-such-event'"):
        align_event(catalogue, "no-such-event")


# --- suspensions: one trade-to-trade return, with the benchmark over the same span ---------------

def test_return_over_a_suspension_is_trade_to_trade_and_matched_by_the_benchmark(aligned):
    x = aligned("entity-list-2019")["002415.SZ"]
    hik, csi = get_prices("002415.SZ"), get_prices("000300.SS")
    expected = hik.at[day("2019-10-10"), "Adj Close"] / hik.at[day("2019-09-30"), "Adj Close"] - 1
    bench = csi.at[day("2019-10-10"), "Close"] / csi.at[day("2019-09-30"), "Close"] - 1  # an index: no Adj Close
    assert x.reaction.close_to_close == pytest.approx(expected, rel=1e-12)
    assert x.reaction.close_to_close == pytest.approx(-0.0433, abs=1e-4)
    assert x.benchmark == "000300.SS"
    assert x.benchmark_return == pytest.approx(bench, rel=1e-12)
    assert x.benchmark_dates == (day("2019-09-30"), day("2019-10-10"))


# --- overnight and intraday ----------------------------------------------------------------------

def test_split_multiplies_back_to_the_close_to_close_return(catalogue, aligned):
    for event_id in catalogue:
        for x in aligned(event_id).values():
            if x.reaction is not None:
                assert abs(x.reaction.identity_error) < 1e-12, (event_id, x.ticker)


def test_ambarella_after_hours_fall_is_the_opening_gap(aligned):
    r = aligned("entity-list-2019")["AMBA"].reaction
    assert r.close_to_open == pytest.approx(-0.1337, abs=1e-4)
    assert r.open_to_close == pytest.approx(0.0448, abs=1e-4)
    assert r.close_to_close == pytest.approx(-0.0949, abs=1e-4)


def test_an_ex_date_does_not_create_a_false_gap(real_store):
    # Hikvision went ex-dividend on 2022-05-26: raw close-to-close -1.30 %, total return +1.52 %.
    prices = get_prices("002415.SZ")
    r = day_return(prices, "2022-05-26", "XSHE")
    raw_gap = prices.at[day("2022-05-26"), "Open"] / prices.at[day("2022-05-25"), "Close"] - 1
    assert r.close_to_close == pytest.approx(0.01523, abs=1e-4)
    assert abs(r.identity_error) < 1e-12
    assert r.close_to_open - raw_gap == pytest.approx(0.0289, abs=1e-3)  # the dividend, not a gap



def test_a_previous_close_gives_the_ex_date_s_total_return_as_the_studies_do(real_store):
    """A vendor file with raw closes and the exchange's previous close (PreClose) but no Adj Close:
    the day's return is Close/PreClose - 1, the one rule of prices.returns, not the raw
    close-to-close; it equals the Adj Close return of the same day, open gap included."""
    from research.prices import simple_returns

    adjusted = get_prices("002415.SZ").loc["2022-05-20":"2022-05-31"]
    vendor = adjusted.assign(**{"Adj Close": float("nan")})
    # the ex-rights reference price: the previous close scaled by the day's adjustment step
    vendor["PreClose"] = adjusted["Close"] * adjusted["Adj Close"].shift(1) / adjusted["Adj Close"]
    truth, r = day_return(adjusted, "2022-05-26", "XSHE"), day_return(vendor, "2022-05-26", "XSHE")
    assert (truth.basis, r.basis) == ("Adj Close", "PreClose")
    assert r.close_to_close == pytest.approx(truth.close_to_close, abs=1e-12) == pytest.approx(0.01523, abs=1e-4)
    assert r.close_to_open == pytest.approx(truth.close_to_open, abs=1e-12)
    assert r.close_to_close == simple_returns(vendor)[day("2022-05-26")]
    assert abs(r.identity_error) < 1e-12
    raw = vendor.drop(columns="PreClose")                 # neither: the unadjusted close-to-close
    assert day_return(raw, "2022-05-26", "XSHE").basis == "Close"
    assert day_return(raw, "2022-05-26", "XSHE").close_to_close == pytest.approx(-0.01296, abs=1e-4)


# --- price limits --------------------------------------------------------------------------------

def test_limit_hits_in_minus_one_to_plus_five(aligned):
    hik = aligned("hikvision-sdn-report-2022")["002415.SZ"]
    assert [(h.relative_day, h.date) for h in hik.limits.hits] == [(0, day("2022-05-05"))]
    assert hik.limits.hits[0].limit == 0.10
    assert aligned("entity-list-2019")["AMBA"].limits.limited is False
    leon = aligned("ns-cmic-2021")["300603.SZ"]  # ChiNext after the reform: 20 %
    assert [(h.relative_day, h.limit) for h in leon.limits.hits] == [(-1, 0.20)]


# --- confounders ---------------------------------------------------------------------------------

def test_confounders_are_the_other_events_in_the_window(aligned):
    hik = aligned("hikvision-sdn-report-2022")["002415.SZ"]
    assert [(c.event_id, c.relative_day, c.names_listing) for c in hik.confounders] == [
        ("hfcaa-additions-2022", 0, False)]
    chl = aligned("nyse-delisting-2020")["CHL"]
    assert [(c.event_id, c.relative_day) for c in chl.confounders] == [
        ("entity-list-smic-2020", -9), ("nyse-reversal-2021", 1), ("nyse-re-reversal-2021", 2)]
    # the NYSE's own sequence names CHL; the Entity List rule on SMIC is other news in the window
    assert [(c.names_listing, c.same_episode) for c in chl.confounders] == [(False, False), (True, True), (True, True)]
    hk = aligned("nyse-re-reversal-2021")["0941.HK"]
    assert [(c.event_id, c.relative_day) for c in hk.confounders] == [
        ("nyse-delisting-2020", -3), ("nyse-reversal-2021", -2), ("dod-cmc-2021-01", 6), ("entity-list-cnooc-2021", 6)]
    narrow = aligned("nyse-delisting-2020", window=(-1, 1))["CHL"]
    assert [c.event_id for c in narrow.confounders] == ["nyse-reversal-2021"]


def test_confounder_table_is_data_for_notebooks(catalogue, real_store):
    table = confounder_table(catalogue)
    assert list(table.columns) == ["event_id", "ticker", "role", "confounder", "relative_day", "date",
                                   "names_listing", "same_episode", "same_firm"]
    row = table[(table.event_id == "hfcaa-additions-2022") & (table.ticker == "JD")]
    assert list(row.confounder) == ["hikvision-sdn-report-2022"]


# --- listings without prices ---------------------------------------------------------------------

def test_adrs_without_prices_are_reported_plainly(aligned):
    for event_id in ("nyse-delisting-2020", "eo-13959-2020"):
        a = aligned(event_id)
        for ticker in ("CHA", "CHU"):
            x = a[ticker]
            assert x.status == "no prices"
            assert x.calendar_day0 == a["CHL"].calendar_day0
            assert x.first_traded_day is None and x.reaction is None
            assert any(f"no prices for {ticker}" in n for n in x.notes)
            assert x.clock == "exchange sessions (no prices)"
    table = alignment_table(list(aligned("nyse-delisting-2020").values()))
    assert set(table.loc[table.ticker.isin(["CHA", "CHU"]), "status"]) == {"no prices"}


def test_a_listing_that_starts_after_day0_is_reported(aligned):
    x = aligned("sensetime-ns-cmic-2021")["0020.HK"]
    assert x.status == "not yet listed"
    assert x.calendar_day0 == day("2021-12-13") and x.first_traded_day == day("2021-12-30")
    assert x.reaction is None and "no estimation window" in x.notes[-1]


def test_json_record_has_iso_dates(aligned):
    record = aligned("entity-list-2019")["002415.SZ"].to_dict()
    assert record["calendar_day0"] == "2019-10-08" and record["first_traded_day"] == "2019-10-10"
    assert record["exchange"] == "XSHE" and record["sessions_missed"] == 2


# --- any instant, any zone -----------------------------------------------------------------------

MICS = ["XSHE", "XSHG", "XHKG", "XNYS", "XNAS"]
INSTANTS = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2026, 6, 30),
                        timezones=st.just(timezone.utc))


def check_day0(mic, instant, match):
    """Day 0 is a session, not before the announcement, and the first one in progress or opening after."""
    cal = get_calendar(mic)
    assert cal.is_session(match.session)
    assert match.open == cal.session_open(match.session) and match.close == cal.session_close(match.session)
    assert match.close > instant  # the session has not ended when the news comes
    if match.partial:
        assert match.open <= instant
    else:
        assert match.open > instant
        previous = cal.previous_session(match.session)
        assert cal.session_close(previous) <= instant
    local_date = instant.tz_convert(cal.tz).date()
    if match.partial:
        assert match.session.date() == local_date  # the session in progress is the local day's
    else:
        assert match.session.date() >= local_date


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instant=INSTANTS, mic=st.sampled_from(MICS), zone=st.timezones())
@example(instant=datetime(2000, 10, 30, tzinfo=timezone.utc), mic="XSHE", zone=ZoneInfo("America/St_Johns"))
def test_day0_is_never_before_the_announcement_and_always_a_session(instant, mic, zone):
    local = pd.Timestamp(instant).tz_convert(zone)
    announced = Announcement(time=local, timezone=str(zone), precision="exact")
    match = calendar_day0(announced, mic)
    check_day0(mic, pd.Timestamp(instant), match)


US_DATES = st.dates(min_value=datetime(2000, 1, 3).date(), max_value=datetime(2026, 6, 30).date())


@settings(max_examples=300, deadline=None)
@given(date=US_DATES, mic=st.sampled_from(["XSHE", "XSHG", "XHKG"]),
       precision=st.sampled_from(["date_only", "business_hours"]))
@example(date=datetime(2020, 11, 12).date(), mic="XHKG", precision="date_only")  # E.O. 13959
@example(date=datetime(2020, 9, 15).date(), mic="XSHE", precision="date_only")   # the Dahua report
def test_a_us_date_only_announcement_never_lands_in_an_asian_session_closed_before_9am_new_york(
        date, mic, precision):
    announced = Announcement(time=pd.Timestamp(date).tz_localize("America/New_York"),
                             timezone="America/New_York", precision=precision)
    match = calendar_day0(announced, mic)
    us_morning = pd.Timestamp(f"{date} 09:00").tz_localize("America/New_York")
    assert match.close > us_morning  # the session had not closed when the US business day began
    check_day0(mic, us_morning.tz_convert("UTC"), match)  # and it is the first such session
    # no rule puts day 0 later than next_open's
    assert match.session <= calendar_day0(announced, mic, "next_open").session


@settings(max_examples=200, deadline=None)
@given(data=st.data(), mic=st.sampled_from(MICS))
def test_an_announcement_inside_a_session_maps_to_it_flagged(data, mic):
    cal = get_calendar(mic)
    sessions = cal.sessions_in_range("2000-01-03", "2026-06-30")
    session = sessions[data.draw(st.integers(0, len(sessions) - 1))]
    open_, close = cal.session_open(session), cal.session_close(session)
    offset = data.draw(st.integers(0, int((close - open_).total_seconds()) - 1))
    instant = open_ + pd.Timedelta(seconds=offset)
    match = session_at_or_after(mic, instant)
    assert (match.session, match.partial) == (session, True)
    after_close = session_at_or_after(mic, close)
    assert after_close.session == cal.next_session(session) and not after_close.partial


def test_a_naive_time_is_refused():
    with pytest.raises(ResearchError, match="no timezone"):
        session_at_or_after("XNYS", pd.Timestamp("2021-01-04 16:00"))


def test_day0_table_needs_no_prices_and_feeds_the_study(catalogue):
    table = day0_table(catalogue, ["entity-list-2019", "hfcaa-additions-2022"])
    assert list(table.columns) == ["event_id", "episode", "ticker", "role", "exchange", "day0", "partial",
                                   "day0_business_day", "day0_midnight", "day0_next_open"]
    hik = table[(table.event_id == "entity-list-2019") & (table.ticker == "002415.SZ")].iloc[0]
    assert hik.day0 == day("2019-10-08")  # calendar day 0; the study maps it to the first trade
    jd = table[table.ticker == "JD"].iloc[0]
    assert (jd.day0_business_day, jd.day0_next_open) == (day("2022-05-04"), day("2022-05-05"))
    assert len(day0_table(catalogue)) == sum(len(e.listings) for e in catalogue.values())


@pytest.mark.parametrize("zone", ["America/St_Johns", "America/Havana", "America/Santiago"])
def test_spans_in_zones_whose_clocks_change_at_midnight(zone):
    # St John's moved its clocks at 00:01 until 2011, so local midnight of 2000-10-29 occurred twice;
    # Havana and Santiago skip midnight when DST starts. Every precision must still give a span.
    for day in ("2000-10-29", "2000-10-30", "2012-03-11", "2019-09-08", "2022-03-13"):
        for precision in ("exact", "date_only", "business_hours"):
            local = pd.Timestamp(f"{day} 12:00").tz_localize(zone)
            start, end = Announcement(time=local, timezone=zone, precision=precision).span()
            assert start <= end
