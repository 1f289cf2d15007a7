"""The event catalogue: the real file loads and says what EPISODES.md says; bad files load nothing
and every message names the file, the event and the field."""

from __future__ import annotations

import re
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from own_event import add_own_event

from research import cli, config
from research.calendars import covered_span
from research.errors import ResearchError
from research.events.catalogue import EPISODES, ROLES, load_catalogue

REQUIRED_IDS = {"entity-list-2019", "dahua-investment-2020", "nyse-delisting-2020", "nyse-reversal-2021",
                "nyse-re-reversal-2021", "ns-cmic-2021", "hikvision-sdn-report-2022", "hfcaa-additions-2022"}
#: The events the kit ships, each sourced by hand; a researcher's own events come on top.
SHIPPED_IDS = REQUIRED_IDS | {"eo-13959-2020", "sensetime-ns-cmic-2021", "ft-ns-cmic-report-2021"}


@pytest.fixture(scope="module", params=["shipped", "with an own event"])
def catalogue(request, tmp_path_factory):
    """The shipped catalogue, and a copy with a researcher's own event added by `research new-event`:
    every catalogue-wide check must hold for both."""
    if request.param == "shipped":
        return load_catalogue()
    return load_catalogue(add_own_event(tmp_path_factory.mktemp("own-event")))


def test_the_catalogue_holds_every_event_of_the_five_episodes(catalogue):
    assert SHIPPED_IDS <= set(catalogue)
    shipped = [catalogue[e] for e in SHIPPED_IDS]
    assert {e.episode for e in shipped} == set(EPISODES)
    assert all(listing.role in ROLES for e in catalogue.values() for listing in e.listings)
    # beyond the five episodes, the catalogue's other events (issue 18) are grouped by programme,
    # and a researcher's own event stands on its own: its episode is its id
    assert all(e.episode in EPISODES or e.episode in (f"catalogue-{e.programme}", e.id) for e in catalogue.values())


def test_listings_of_each_episode_are_those_the_episode_page_names(catalogue):
    tickers = lambda eid: set(catalogue[eid].tickers)  # noqa: E731
    assert tickers("entity-list-2019") == {"002415.SZ", "002236.SZ", "002230.SZ", "300188.SZ", "AMBA"}
    assert tickers("dahua-investment-2020") == {"002236.SZ", "BABA", "9988.HK"}
    for eid in ("nyse-delisting-2020", "nyse-reversal-2021", "nyse-re-reversal-2021"):
        assert tickers(eid) == {"CHL", "CHA", "CHU", "0941.HK", "0728.HK", "0762.HK"}
    assert tickers("ns-cmic-2021") == {"603019.SS", "300603.SZ", "300367.SZ", "300188.SZ"}
    assert tickers("hikvision-sdn-report-2022") == {"002415.SZ", "002236.SZ"}
    assert tickers("hfcaa-additions-2022") == {"JD", "PDD", "BILI", "NTES"}
    assert catalogue["entity-list-2019"].listing("AMBA").role == "supplier"
    assert catalogue["nyse-delisting-2020"].listing("0941.HK").role == "other_line"


def test_announcement_times_carry_their_zone_and_precision(catalogue):
    a = catalogue["entity-list-2019"].announced
    assert (a.timezone, a.precision, str(a.time)) == ("America/New_York", "after_us_close", "2019-10-07 16:00:00-04:00")
    assert catalogue["dahua-investment-2020"].announced.precision == "date_only"
    assert catalogue["dahua-investment-2020"].announced.is_span
    assert catalogue["ns-cmic-2021"].announced.precision == "date_only"  # the release's hour is not sourced
    assert not catalogue["nyse-delisting-2020"].announced.is_span


def test_every_claim_names_a_source_of_its_event(catalogue):
    claims = catalogue.claims
    assert {c.id for c in claims} >= {"amba-after-hours-12pct", "baba-close-277.96", "hikvision-down-10pct",
                                      "hikvision-market-value-42bn"}
    for claim in claims:
        event = catalogue[claim.event_id]
        assert claim.source in {s.key for s in event.sources}
        assert claim.ticker in event.tickers


def test_table_has_one_row_per_event(catalogue):
    table = catalogue.table()
    assert list(table["id"]) == list(catalogue)


# --- sourced timing ------------------------------------------------------------------------------

AFTER_CLOSE_WORDS = re.compile(r"\blate\b|after[- ]hours|extended trading|evening|after the (?:US |market )?close", re.I)
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def date_words(day) -> set[str]:
    """The ways a page can name ``day``: ISO, weekday, month and day (either order), d/m/y, Chinese."""
    return {day.isoformat(), day.strftime("%A"), f"{day:%B} {day.day}", f"{day.day} {day:%B}", f"{day:%b} {day.day}",
            f"{day.day} {day:%b}", day.strftime("%d/%m/%Y"), f"{day.month}月{day.day}日"}


def timing_problems(event) -> list[str]:
    """Why an event's time is not backed by what a read web page says (empty when it is)."""
    says = [s.says for s in event.sources if s.url.startswith(("http://", "https://")) and s.says]
    if not says:
        return ["no http(s) source with a quoted `says`"]
    a = event.announced
    problems = [] if a.note else ["no note giving the timing evidence"]
    if not any(w in text for text in says for w in date_words(a.date)):
        problems.append(f"no source names the date {a.date} (or its weekday)")
    if a.precision == "exact" and not any(CLOCK.search(t) for t in says):
        problems.append("precision exact but no source quotes a clock time")
    if a.precision == "after_us_close" and not any(AFTER_CLOSE_WORDS.search(t) for t in says):
        problems.append("precision after_us_close but no source says late/after hours/evening")
    return problems


def test_every_event_has_a_read_web_source_quoting_its_timing_and_a_matching_precision(catalogue):
    shipped = [catalogue[e] for e in SHIPPED_IDS]  # the kit's own sourcing rule, not a researcher's
    assert {e.id: timing_problems(e) for e in shipped if timing_problems(e)} == {}
    assert "ft-ns-cmic-report-2021" in catalogue  # the FT's leak, studied apart from Treasury's act


def test_the_timing_check_fails_on_unsupported_precision(catalogue):
    from dataclasses import replace
    event = catalogue["ns-cmic-2021"]
    assert timing_problems(event) == []
    as_exact = replace(event, announced=replace(event.announced, precision="exact"))
    assert timing_problems(as_exact) == ["precision exact but no source quotes a clock time"]
    as_after_close = replace(event, announced=replace(event.announced, precision="after_us_close"))
    assert "after_us_close" in timing_problems(as_after_close)[0]
    no_web = replace(event, sources=tuple(s for s in event.sources if not s.url))
    assert timing_problems(no_web) == ["no http(s) source with a quoted `says`"]


# --- bad catalogues ------------------------------------------------------------------------------

GOOD = """\
events:
- id: good-event
  episode: e1-entity-list-2019
  title: A good event
  announced:
    time: "2019-10-07"
    timezone: America/New_York
    precision: after_us_close
  authority: Commerce
  programme: entity-list
  instrument: entity-list
  entities: [Hikvision]
  listings:
    - {ticker: 002415.SZ, role: designated, entity: Hikvision}
  sources:
    - seed: 001_42f1083407e3e2f6.txt
  claims:
    - id: a-claim
      text: fell
      quote: It fell.
      source: 001_42f1083407e3e2f6.txt
      ticker: 002415.SZ
      date: "2019-10-10"
      measure: close_to_close
      value: "-0.04"
      tolerance: "0.01"
"""


def write(tmp_path, text, name="events.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ResearchError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert str(path) in message and "no event was loaded" in message
    return message


def test_a_source_quotes_what_it_says_about_the_time(tmp_path):
    text = GOOD.replace("""    - seed: 001_42f1083407e3e2f6.txt
""", """    - seed: 001_42f1083407e3e2f6.txt
    - url: https://example.org/report
      says: "Shares fell in extended trading on Monday"
""")
    source = load_catalogue(write(tmp_path, text))["good-event"].sources[1]
    assert (source.url, source.says) == ("https://example.org/report", "Shares fell in extended trading on Monday")


def test_the_good_fixture_loads(tmp_path):
    catalogue = load_catalogue(write(tmp_path, GOOD))
    assert list(catalogue) == ["good-event"]
    assert catalogue.claims[0].value == -0.04


@pytest.mark.parametrize("old, new, field, problem", [
    ("    timezone: America/New_York\n", "", "announced.timezone", "missing"),
    ("timezone: America/New_York", "timezone: Asia/Beijing", "announced.timezone", "unknown timezone 'Asia/Beijing'"),
    ("ticker: 002415.SZ, role", "ticker: 002415.XX, role", "listings[0].ticker", "not in the securities registry"),
    ("ticker: 002415.SZ, role", "ticker: 000300.SS, role", "listings[0].ticker", "is an index"),
    ("role: designated", "role: victim", "listings[0].role", "unknown role 'victim'"),
    ('time: "2019-10-07"', 'time: "2019-10-32"', "announced.time", "cannot parse '2019-10-32'"),
    ('time: "2019-10-07"', 'time: "7 Oct 2019"', "announced.time", "cannot parse '7 Oct 2019'"),
    ('date: "2019-10-10"', 'date: "10/10/2019"', "claims[0].date", "cannot parse '10/10/2019'"),
    ("      source: 001_42f1083407e3e2f6.txt\n", "", "claims[0].source", "missing"),
    ("      source: 001_42f1083407e3e2f6.txt", "      source: 999_elsewhere.txt", "claims[0].source",
     "not one of this event's sources"),
    ("      ticker: 002415.SZ\n", "      ticker: AMBA\n", "claims[0].ticker", "not one of this event's listings"),
    ("measure: close_to_close", "measure: after_hours", "claims[0].measure", "unknown measure 'after_hours'"),
    ('value: "-0.04"', 'value: "-4"', "claims[0].value", "not a return fraction"),
    ('value: "-0.04"', 'value: "about four"', "claims[0].value", "not a finite number"),
    ('tolerance: "0.01"', 'tolerance: "0"', "claims[0].tolerance", "must be positive"),
    ("precision: after_us_close", "precision: roughly", "announced.precision", "unknown precision 'roughly'"),
    ("precision: after_us_close", "precision: exact", "announced.time", "exact needs an hour"),
    ('time: "2019-10-07"', 'time: "2019-10-07 15:00"', "announced.time", "before the New York close"),
    ("timezone: America/New_York", "timezone: Asia/Shanghai", "announced.timezone", "defined in America/New_York"),
    ("episode: e1-entity-list-2019", "episode: E9 new", "episode", "'E9 new' is not a lower-case slug"),
    ("instrument: entity-list", "instrument: tweet", "instrument", "unknown instrument 'tweet'"),
    ("programme: entity-list", "programme: tweets", "programme", "unknown programme 'tweets'"),
    ("  title: A good event\n", "", "title", "missing"),
    ("    timezone: America/New_York\n", "    timezone: America/New_York\n    tz: UTC\n", "announced.tz", "unknown field"),
    ("    - seed: 001_42f1083407e3e2f6.txt\n", "    - title: an article\n", "sources[0]", "needs a seed"),
    ("id: good-event", "id: Good Event", "id", "lower-case letters"),
])
def test_each_bad_field_is_named_with_file_event_and_field(tmp_path, old, new, field, problem):
    assert old in GOOD
    message = load_error(tmp_path, GOOD.replace(old, new, 1))
    event_id = "Good Event" if "Good Event" in new else "good-event"
    assert f"event {event_id!r}: {field}: " in message
    assert problem in message


def test_a_dst_gap_time_is_rejected_not_guessed(tmp_path):
    text = GOOD.replace('time: "2019-10-07"', 'time: "2021-03-14 02:30"').replace("after_us_close", "exact")
    message = load_error(tmp_path, text)
    assert "event 'good-event': announced.time:" in message and "nonexistent" in message


def test_line_numbers_point_at_the_bad_field(tmp_path):
    message = load_error(tmp_path, GOOD.replace("role: designated", "role: victim"))
    line = GOOD.splitlines().index("    - {ticker: 002415.SZ, role: designated, entity: Hikvision}") + 1
    assert f"events.yaml:{line}: event 'good-event': listings[0].role" in message


def test_duplicate_ids_are_an_error(tmp_path):
    second = GOOD.split("events:\n", 1)[1]
    message = load_error(tmp_path, GOOD + second)
    assert "event 'good-event': id: duplicate id (first used at line 2)" in message


def test_duplicate_keys_are_an_error_not_silently_lost(tmp_path):
    message = load_error(tmp_path, GOOD.replace("  title: A good event\n", "  title: A good event\n  title: Another\n"))
    assert "title: key appears twice" in message


def test_a_bad_catalogue_loads_nothing_and_lists_every_problem(tmp_path):
    second = GOOD.split("events:\n", 1)[1].replace("good-event", "other-event")
    text = GOOD + second.replace("role: designated", "role: victim").replace("America/New_York", "Nowhere/City")
    message = load_error(tmp_path, text)
    assert "2 problems" in message
    assert "event 'other-event': listings[0].role" in message
    assert "event 'other-event': announced.timezone" in message
    assert "good-event" not in message  # the good event has no problem, and was not loaded either


def test_not_yaml_and_not_a_catalogue(tmp_path):
    assert "not valid YAML" in load_error(tmp_path, "events: [\n")
    assert "must be a mapping with an `events:` list" in load_error(tmp_path, "- just a list\n")
    with pytest.raises(ResearchError, match="cannot read the event catalogue"):
        load_catalogue(tmp_path / "absent.yaml")


def test_membership_does_not_raise():
    catalogue = load_catalogue()
    assert "entity-list-2019" in catalogue and "no-such-event" not in catalogue


# --- issue 11: entries dropped or accepted wrongly ---------------------------------------------------

class TestIdsAndYears:
    """An id that is no slug is an error naming the line and field, never a silently dropped event;
    a date the trading calendars cannot hold is refused with the range they cover."""

    @pytest.mark.parametrize("value, problem", [
        ('""', "id: is empty"),
        ("", "id: is empty"),                                   # `id:` with nothing: null to YAML
        ("{a: b}", "id: must be text, not a list or mapping"),
        ("[good-event]", "id: must be text, not a list or mapping"),
        ("~", "is not a lower-case slug"),
        ("null", "'null' reads as null in YAML"),
        ("5", "'5' reads as a number in YAML"),
        ("1.5", "'1.5' reads as a number in YAML"),
        ("no", "'no' reads as a boolean in YAML"),
        ("2019-10-07", "'2019-10-07' reads as a date in YAML"),
    ])
    def test_an_event_id_that_is_no_slug_is_an_error_not_a_dropped_event(self, tmp_path, value, problem):
        message = load_error(tmp_path, GOOD.replace("id: good-event", f"id: {value}"))
        assert "events.yaml:2: " in message and problem in message

    def test_claim_ids_and_episodes_follow_the_same_rule(self, tmp_path):
        message = load_error(tmp_path, GOOD.replace("id: a-claim", "id: 5").replace("episode: e1-entity-list-2019",
                                                                                       "episode: null"))
        assert "claims[0].id: '5' reads as a number" in message
        assert "episode: 'null' reads as null" in message

    @pytest.mark.parametrize("year", ["0001", "1677", "1884", "2262", "2300", "9999"])
    def test_an_announcement_outside_the_calendars_is_refused_with_their_range(self, tmp_path, year):
        first, last = covered_span()
        message = load_error(tmp_path, GOOD.replace('time: "2019-10-07"', f'time: "{year}-10-07"'))
        assert (f"event 'good-event': announced.time: {year}-10-07 is outside the dates the trading calendars "
                f"cover ({first:%Y-%m-%d} to {last:%Y-%m-%d})") in message

    @pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
    def test_a_claim_date_outside_the_calendars_is_refused(self, tmp_path, day):
        message = load_error(tmp_path, GOOD.replace('date: "2019-10-10"', f'date: "{day}"'))
        assert f"claims[0].date: {day} is outside the dates the trading calendars cover" in message

    def test_the_range_is_the_calendars_and_inside_what_pandas_holds(self, tmp_path):
        first, last = covered_span()
        assert pd.Timestamp.min < first < pd.Timestamp("1900-01-01") and pd.Timestamp("2040-01-01") < last < pd.Timestamp.max
        edge = GOOD.replace('time: "2019-10-07"', f'time: "{first:%Y-%m-%d}"').replace("after_us_close", "date_only")
        assert load_catalogue(write(tmp_path, edge))["good-event"].announced.date == first.date()

    @pytest.mark.parametrize("year", ["0001", "9999"])
    def test_align_exits_2_with_the_message_instead_of_crashing(self, tmp_path, capsys, year):
        path = write(tmp_path, GOOD.replace('time: "2019-10-07"', f'time: "{year}-10-07"'))
        assert cli.main(["align", "good-event", "--catalogue", str(path)]) == 2
        err = capsys.readouterr().err
        assert "is outside the dates the trading calendars cover" in err and "Traceback" not in err


# --- issue 11: YAML attacks and encodings ------------------------------------------------------------

def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + f"\nevents: *{chr(96 + levels)}\n"


@pytest.fixture(params=["libyaml", "python"])
def composer(request, monkeypatch):
    """The catalogue is composed by libyaml when PyYAML has it, by PyYAML's Python composer
    otherwise: every refusal must hold for both."""
    import yaml

    if request.param == "python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    elif not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


def test_both_composers_read_the_catalogue_alike(monkeypatch):
    import yaml

    fast = load_catalogue()
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    slow = load_catalogue()
    assert list(fast) == list(slow) and all(fast[e] == slow[e] for e in fast)


@pytest.mark.usefixtures("composer")
class TestYamlAttacksAndEncoding:
    """Anchors, aliases and tags are refused while the YAML is composed, before anything is built
    from them; bytes that are not UTF-8 are named by line and offset."""

    def test_a_billion_laughs_is_refused_at_once(self, tmp_path):
        started = time.perf_counter()
        message = load_error(tmp_path, _laughs())
        assert time.perf_counter() - started < 2          # was a MemoryError after 39 s
        assert "events.yaml:1: catalogue: YAML anchors and aliases (&name, *name) are not allowed" in message

    def test_a_recursive_alias_is_refused(self, tmp_path):
        assert "anchors and aliases" in load_error(tmp_path, "events: &loop [*loop]\n")

    def test_even_a_harmless_alias_is_refused_where_it_is_defined(self, tmp_path):
        text = GOOD.replace("  authority: Commerce", "  authority: &who Commerce").replace(
            "  title: A good event", "  title: *who")
        message = load_error(tmp_path, text)
        line = text.splitlines().index("  title: *who") + 1
        assert f"events.yaml:{line}: catalogue: YAML anchors and aliases" in message

    @pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!int", "!custom"])
    def test_tags_are_refused_not_ignored(self, tmp_path, tag):
        assert "YAML tags" in load_error(tmp_path, GOOD.replace("id: good-event", f"id: {tag} good-event"))

    def test_deep_nesting_is_refused_before_the_stack_overflows(self, tmp_path):
        message = load_error(tmp_path, "events: " + "[" * 20000 + "]" * 20000 + "\n")
        assert "nested deeper than" in message

    def test_a_catalogue_that_is_not_utf8_names_line_and_byte(self, tmp_path):
        path = tmp_path / "events.yaml"
        raw = GOOD.replace("A good event", "A g\u00f6od event").encode("latin-1")
        path.write_bytes(raw)
        with pytest.raises(ResearchError) as info:
            load_catalogue(path)
        offset = raw.index(b"\xf6")
        assert str(info.value) == (f"{path}, line 4: byte {offset} (0xf6) is not UTF-8; "
                                   f"save the event catalogue as UTF-8 text")

    def test_a_utf8_byte_order_mark_is_dropped(self, tmp_path):
        path = tmp_path / "events.yaml"
        path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
        assert list(load_catalogue(path)) == ["good-event"]

    def test_a_folder_in_place_of_the_catalogue(self, tmp_path):
        with pytest.raises(ResearchError, match="cannot read the event catalogue"):
            load_catalogue(tmp_path)

    def test_the_cli_exits_2_without_a_traceback(self, tmp_path, capsys):
        path = write(tmp_path, _laughs())
        assert cli.main(["events", "--catalogue", str(path)]) == 2
        err = capsys.readouterr().err
        assert "anchors and aliases" in err and "Traceback" not in err


# --- issue 11: the loader never raises anything but ResearchError -----------------------------------

REAL = config.EVENTS_FILE.read_bytes()
# fragments that have broken YAML loaders: YAML syntax, nulls, numbers, dates, zones, bytes
TOKENS = ["", " ", "~", "null", "5", "-1e400", "&a", "*a", "!!int", "!x", "[", "]", "{", "}", ": ", "- ", "? ",
          "#", "'", '"', "|", ">-", "\t", "\r", "\n", "\x00", "\x85", "\ufeff", "0001-01-01", "9999-12-31",
          "2019-10-07 25:61", "Asia", "Asia/", "../../etc/passwd", "America/New_York\nx: 1", "---", "...",
          "%YAML 1.1", "<<: *a", "\U0001f600"]


@st.composite
def mutated_catalogue(draw) -> bytes:
    """The real catalogue with a few cuts, insertions, swaps and duplications of bytes and lines."""
    data = bytearray(REAL)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, min(len(data), i + 400)))
        op = draw(st.sampled_from(["cut", "token", "bytes", "duplicate", "move"]))
        if op == "cut":
            del data[i:j]
        elif op == "token":
            data[i:j] = draw(st.sampled_from(TOKENS)).encode("utf-8")
        elif op == "bytes":
            data[i:j] = draw(st.binary(max_size=20))
        elif op == "duplicate":
            data[i:i] = data[i:j]
        else:
            piece = data[i:j]
            del data[i:j]
            k = draw(st.integers(0, len(data)))
            data[k:k] = piece
    return bytes(data)


class TestCatalogueProperties:
    """Whatever the bytes, the loader loads or raises ResearchError (hypothesis)."""

    @staticmethod
    def _load(folder: Path, raw: bytes) -> None:
        path = folder / "events.yaml"
        path.write_bytes(raw)
        try:
            load_catalogue(path)
        except ResearchError as exc:
            assert str(path) in str(exc)

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=st.binary(max_size=2000))
    def test_arbitrary_bytes(self, raw):
        with tempfile.TemporaryDirectory() as folder:
            self._load(Path(folder), raw)

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=mutated_catalogue())
    def test_mutations_of_the_real_catalogue(self, raw):
        with tempfile.TemporaryDirectory() as folder:
            self._load(Path(folder), raw)

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(value=st.one_of(st.sampled_from(TOKENS), st.text(max_size=30)),
           field=st.sampled_from(["id: good-event", "timezone: America/New_York", 'time: "2019-10-07"',
                                  "ticker: 002415.SZ", 'date: "2019-10-10"', 'value: "-0.04"', "role: designated"]))
    def test_any_text_in_any_field_of_a_good_event(self, field, value):
        key = field.split(":")[0]
        with tempfile.TemporaryDirectory() as folder:
            self._load(Path(folder), GOOD.replace(field, f"{key}: {value}", 1).encode("utf-8"))
