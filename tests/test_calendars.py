"""The exchange calendars against the traded days of the data, 2018-2023.

Shenzhen has no calendar of its own in exchange_calendars and uses Shanghai's (XSHG): it must
match the Shenzhen Component index's (399001.SZ) and Hikvision's traded days, except Hikvision's
documented suspension (../shared/data/prices/PROVENANCE.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

from research.calendars import CALENDAR_OF, get_calendar, sessions
from research.errors import ResearchError
from research.prices import get_prices

START, END = "2018-01-01", "2023-12-31"

#: Sessions the listing did not trade (suspensions), from PROVENANCE.md.
SUSPENDED = {"002415.SZ": ["2019-10-08", "2019-10-09"]}

#: Hong Kong closures exchange_calendars 4.13.2 does not know: typhoon Saola (2023-09-01) and the
#: black rainstorm (2023-09-08). No event of the catalogue is near them.
XHKG_UNKNOWN_CLOSURES = ["2023-09-01", "2023-09-08"]


def traded_days(ticker):
    index = get_prices(ticker).index
    return index[(index >= START) & (index <= END)]


def compare(ticker, mic):
    days = traded_days(ticker)
    expected = sessions(mic, days[0], days[-1])
    return sorted(d.date().isoformat() for d in expected.difference(days)), list(days.difference(expected))


def test_shenzhen_uses_the_shanghai_calendar_and_nasdaq_nyse():
    assert CALENDAR_OF["XSHE"] == "XSHG"
    for mic, same in (("XSHE", "XSHG"), ("XNAS", "XNYS")):
        assert get_calendar(mic).name == get_calendar(same).name == same
        assert get_calendar(mic).schedule.equals(get_calendar(same).schedule)
    with pytest.raises(ResearchError, match="no trading calendar for exchange 'XLON'"):
        get_calendar("XLON")


def test_shenzhen_index_trades_exactly_the_shanghai_sessions(real_store):
    missing, extra = compare("399001.SZ", "XSHE")
    assert (missing, extra) == ([], [])
    assert traded_days("399001.SZ")[[0, -1]].strftime("%Y-%m-%d").tolist() == ["2018-01-02", "2023-12-29"]


def test_hikvision_trades_every_shenzhen_session_but_its_suspension(real_store):
    missing, extra = compare("002415.SZ", "XSHE")
    assert missing == SUSPENDED["002415.SZ"]
    assert extra == []


def test_the_mainland_holidays_of_the_episodes_are_closed():
    mainland = sessions("XSHE", "2019-09-30", "2019-10-08")
    assert mainland.strftime("%Y-%m-%d").tolist() == ["2019-09-30", "2019-10-08"]  # National Day
    assert sessions("XSHE", "2022-04-29", "2022-05-05").strftime("%Y-%m-%d").tolist() == ["2022-04-29", "2022-05-05"]


@pytest.mark.parametrize("ticker, mic, unknown", [("^GSPC", "XNYS", []), ("^IXIC", "XNAS", []),
                                                  ("000300.SS", "XSHG", []),
                                                  ("^HSI", "XHKG", XHKG_UNKNOWN_CLOSURES)])
def test_other_benchmarks_trade_their_exchange_sessions(real_store, ticker, mic, unknown):
    missing, extra = compare(ticker, mic)
    assert (missing, extra) == (unknown, [])


def test_sessions_are_clipped_to_the_calendar():
    assert len(sessions("XSHG", "1800-01-01", "1991-01-03")) == 2
    assert sessions("XSHG", "2030-01-01", "2030-12-31").empty
    assert isinstance(sessions("XNYS", "2021-01-04", "2021-01-08"), pd.DatetimeIndex)


def test_covers_answers_like_the_covered_span_without_building_calendars_for_recent_days():
    """The fast path of covers() must agree with covered_span(): every calendar starts before
    SURELY_COVERED_FROM and the span runs past today."""
    import pandas as pd

    from research.calendars import SURELY_COVERED_FROM, covered_span, covers

    first, last = covered_span()
    assert first <= SURELY_COVERED_FROM and last >= pd.Timestamp.today().normalize()
    for day in (first, last, SURELY_COVERED_FROM, pd.Timestamp("2021-06-03"), first - pd.Timedelta(days=1),
                last + pd.Timedelta(days=1)):
        assert covers(day) == (first <= day <= last)


class TestCalendarCache:
    """A built calendar is kept on disk, keyed by the library's version, and read back whole; a
    damaged file is rebuilt, never an error."""

    @pytest.fixture
    def cache(self, tmp_path, monkeypatch):
        monkeypatch.setenv("RESEARCH_CACHE", str(tmp_path))
        get_calendar.cache_clear()
        yield tmp_path / "calendars"
        get_calendar.cache_clear()

    def test_the_first_build_is_kept_keyed_by_the_versions_and_read_back_the_same(self, cache):
        import exchange_calendars as xcals

        built = get_calendar("XHKG")
        (path,) = cache.glob("XHKG-*.pickle")
        assert f"xcals{xcals.__version__}-pandas{pd.__version__}" in path.name
        assert not list(cache.glob(".*.tmp"))                  # written through a temporary file
        get_calendar.cache_clear()
        read = get_calendar("XHKG")
        assert read is not built
        pd.testing.assert_index_equal(read.sessions, built.sessions)
        pd.testing.assert_frame_equal(read.schedule, built.schedule)
        assert read.last_session >= pd.Timestamp.today().normalize() + pd.DateOffset(months=11)

    @pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05N."])   # empty, garbage, None
    def test_a_damaged_cache_file_is_rebuilt(self, cache, damage):
        reference = get_calendar("XHKG").sessions
        (path,) = cache.glob("XHKG-*.pickle")
        path.write_bytes(damage)
        get_calendar.cache_clear()
        pd.testing.assert_index_equal(get_calendar("XHKG").sessions, reference)
        get_calendar.cache_clear()
        assert len(path.read_bytes()) > 100_000 and get_calendar("XHKG").sessions.equals(reference)

    def test_a_cache_folder_that_cannot_be_written_costs_time_not_correctness(self, tmp_path, monkeypatch):
        blocker = tmp_path / "file"
        blocker.write_text("a file where the cache folder should be")
        monkeypatch.setenv("RESEARCH_CACHE", str(blocker))
        get_calendar.cache_clear()
        try:
            assert get_calendar("XSHE").name == "XSHG"
        finally:
            get_calendar.cache_clear()
