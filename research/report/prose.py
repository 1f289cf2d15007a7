"""The text of one event's paper written from its results: the abstract, what happened, and the
conclusion of the template notebook (``notebooks/template.py``), so that a new event's paper
names its firms, dates and numbers instead of describing the kit.

Every number is copied from the cell of the table that prints it (the tables are built here by
the same :class:`~research.report.episode.Episode` methods the notebook displays) and carries
that cell's reference, ``−9.77 %<!-- ar: Hikvision 海康威视 (002415.SZ) | day 0 -->``, so
:func:`research.report.notebooks.check_prose` reads each one back against the executed
notebook's own table. Words follow the stars: "significant" only for a cell with two or more
(the 5 % level), as the check demands; a number from a table of abnormal returns is never called
a loss or a rise.

The text is a starting point: a researcher replaces the cell that displays it by a markdown
cell with the same tag and edits that (``print(ep.abstract())`` gives the text with its
references).
"""

from __future__ import annotations

import re

import pandas as pd

from research.report.format import MISSING
from research.report.notebooks import NUMBER, find_cell
from research.report.text import Markdown
from research.securities import exchange_name

#: The CAR window the abstract reports (the first of the notebook's windows if it lacks this one).
MAIN_WINDOW = (0, 1)
#: The pooled test of a mean CAR: the BMP test adjusted for cross-correlation (Kolari and
#: Pynnönen 2010), since the listings of one event share its date; the CAR table's mean row uses it.
POOLED_TEST = "bmp_kp"

ROLE_WORDS = {"designated": "the named firm's listing", "partner": "a partner or investor of a named firm",
              "supplier": "a supplier of a named firm", "other_line": "another listing of a named firm",
              "peer": "a peer named alongside"}

#: What each issue of the limitations table implies for the numbers, said of its listings (the
#: verbs turn plural by :func:`agree`: write "has", "was", "is", "its" only of the listings).
IMPLICATIONS = {
    "price limit": "closed at the daily price limit, which caps the day-0 abnormal return; the reaction spills "
                   "into the following days",
    "no prices": "has no prices and is not studied",
    "short history": "was not yet listed on day 0 and is not studied",
    "no trade after day 0": "did not trade after day 0 and is not studied",
    "suspension": "was suspended on day 0, so the day-0 return spans several sessions (trade to trade)",
    "unadjusted prices": "has prices without dividend and split adjustment, which biases a window holding an "
                         "ex-date",
    "partial day 0": "was trading when the news came out, so part of its day-0 return predates the news",
    "day 0 uncertain": "has a day 0 that depends on the unknown hour of the news, so the reaction may fall on "
                       "day 1",
    "excluded": "is left out of the study",
    "short estimation window": "has under 200 returns in its estimation window, which makes the normal return "
                               "imprecise",
    "news in the estimation window": "had other catalogue events in its estimation window, which the "
                                     "normal-return model partly absorbs",
}

_PRECISION_WORDS = {"date_only": "the hour is unknown", "business_hours": "during business hours, the hour unknown",
                    "after_us_close": "after the New York close"}


# --------------------------------------------------------------------------------------------
# numbers quoted from the cells that print them
# --------------------------------------------------------------------------------------------

class Cells:
    """The printed cells of one displayed table, each quoted with its cell reference."""

    def __init__(self, table):
        self.label = table.label
        self.cells = table.cells()

    def printed(self, row: str, column: str, stat: bool = False) -> str | None:
        """The cell's text as the table prints it (``−9.77***``), or None when it has no number."""
        try:
            shown = find_cell(self.cells, row, column, "stat" if stat else "row")
        except LookupError:
            return None
        return shown if NUMBER.search(shown) else None

    def quote(self, row: str, column: str, stat: bool = False, unit: str = "") -> str:
        """``−9.77 %<!-- label: row | column -->``: the cell's number (stars and brackets off); an
        em dash where the cell has none."""
        shown = self.printed(row, column, stat)
        if shown is None:
            return MISSING
        number = NUMBER.search(shown).group(0)
        return f"{number}{unit}<!-- {self.label}: {row} | {column}{' | stat' if stat else ''} -->"

    def stars(self, row: str, column: str) -> int:
        return (self.printed(row, column) or "").count("*")


def significance(stars: int) -> str:
    """The words a cell's stars allow: significant at 1 % or 5 %; at 10 % only the level."""
    return {3: ", significant at the 1 % level", 2: ", significant at the 5 % level",
            1: ", which passes the 10 % level only"}.get(stars, "")


def _md(text: str) -> str:
    """A catalogue text as literal markdown (no emphasis, math, links or raw HTML of its own)."""
    return re.sub(r"([\\`*_{}\[\]<>#$|])", r"\\\1", " ".join(str(text).split()))


def _date(day) -> str:
    day = pd.Timestamp(day)
    return f"{day:%A} {day:%Y-%m-%d}"


_PLURAL = {"has": "have", "was": "were", "is": "are", "its": "their"}


def agree(implication: str, plural: bool) -> str:
    """An implication said of several listings (``has`` -> ``have``, ``its`` -> ``their``)."""
    return re.sub(r"\b(has|was|is|its)\b", lambda m: _PLURAL[m.group(1)], implication) if plural else implication


def _day(relative: int) -> str:
    """A relative day as the tables write it: ``0``, ``+1``, ``−2``."""
    return f"{relative:+d}".replace("-", "\u2212") if relative else "0"


def _capital(text: str) -> str:
    """``a US newspaper`` as a sentence starts it."""
    return text[:1].upper() + text[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------------------------
# the parts of the text
# --------------------------------------------------------------------------------------------

class EventText:
    """The generated text of one event of an :class:`~research.report.episode.Episode`."""

    def __init__(self, ep, event):
        self.ep, self.event = ep, event
        self.alignments = ep.alignments[event.id]
        self.many = len(ep.events) > 1
        self.ar = Cells(ep.ar_table())
        self.car = Cells(ep.car_table())
        self.tests = Cells(ep.tests_table())
        self.window = MAIN_WINDOW if MAIN_WINDOW in ep.windows else ep.windows[0]

    def row(self, ticker: str) -> str:
        stub = self.ep.stub(ticker)
        return f"{self.event.id} > {stub}" if self.many else stub

    def studied(self) -> list[str]:
        """Tickers whose day-0 abnormal return the AR table prints."""
        return [a.ticker for a in self.alignments if self.ar.printed(self.row(a.ticker), "day 0")]

    def announcement(self) -> str:
        e = self.event
        a = e.announced
        when = _date(a.time)
        if a.precision == "exact":
            when += f" at {a.time:%H:%M} ({a.timezone})"
        else:
            when += f" ({_PRECISION_WORDS.get(a.precision, a.precision)}; {a.timezone})"
        return (f"We study the stock market's reaction to one event, announced by {_md(e.authority)} on {when}: "
                f"{_md(e.title).rstrip('.')}.")

    def listings(self) -> str:
        parts = []
        for listing in self.event.listings:
            sec = self.ep.registry.get(listing.ticker)
            where = f", {exchange_name(sec.exchange, short=True)}" if sec else ""
            role = ROLE_WORDS.get(listing.role, listing.role.replace("_", " "))
            parts.append(f"{_md(self.ep.base_names.get(listing.ticker, listing.entity))} "
                         f"({listing.ticker}{where}; {role})")
        n = len(parts)
        return f"It concerns {'one listing' if n == 1 else f'{n} listings'}: {_join(parts)}."

    def day0(self) -> str:
        by_exchange: dict[str, set] = {}
        for a in self.alignments:
            if a.calendar_day0 is not None:
                by_exchange.setdefault(exchange_name(a.exchange, short=True), set()).add(a.calendar_day0)
        said = [f"{_join([_date(d) for d in sorted(days)])} on the {name} exchange"
                for name, days in by_exchange.items()]
        return ("Day 0, the first session of each listing's exchange that opens after the announcement, is "
                + _join(said) + ".")

    def day0_ar(self, ticker: str) -> str:
        """``−9.77 % (t = −6.18), significant at the 1 % level``, from the AR table."""
        row = self.row(ticker)
        return (f"{self.ar.quote(row, 'day 0', unit=' %')} (t = {self.ar.quote(row, 'day 0', stat=True)})"
                f"{significance(self.ar.stars(row, 'day 0'))}")

    def day0_ars(self, tickers: list[str]) -> str:
        if not tickers:
            return "No listing has a day-0 abnormal return: see the limitations."
        if len(tickers) == 1:
            return f"The day-0 abnormal return of {_md(self.ep.names.get(tickers[0], tickers[0]))} was " \
                   f"{self.day0_ar(tickers[0])}."
        return "The day-0 abnormal returns were, " + "; ".join(
            f"for {_md(self.ep.names.get(t, t))}, {self.day0_ar(t)}" for t in tickers) + "."

    def main_car(self) -> str:
        """The mean CAR over the main window with the pooled test, or the one listing's CAR and t."""
        from research.report.references import TEST_NAMES
        from research.study.windows import window_label

        w = window_label(self.window)
        studied = self.studied()
        if len(studied) == 1:
            row = self.row(studied[0])
            if not self.car.printed(row, w):
                return ""
            return (f"Its CAR over {w} was {self.car.quote(row, w, unit=' %')} "
                    f"(t = {self.car.quote(row, w, stat=True)}){significance(self.car.stars(row, w))}.")
        mean = f"{self.event.id} > Mean" if self.many else "Mean"
        test = TEST_NAMES.get(POOLED_TEST, POOLED_TEST)
        tests_row = f"{self.event.id} > {test}"
        if not (self.car.printed(mean, w) and self.tests.printed(tests_row, w, stat=True)):
            return ""
        return (f"The mean CAR of its {len(studied)} listings over {w} was {self.car.quote(mean, w, unit=' %')} "
                f"({test} {self.car.quote(mean, w, stat=True)}, p = {self.tests.quote(tests_row, w, stat=True)})"
                f"{significance(self.car.stars(mean, w))}.")

    def confounders(self) -> str:
        found = {}
        for a in self.alignments:
            for c in a.confounders:
                if -5 <= c.relative_day <= 5:
                    found.setdefault(c.event_id, c)
        if not found:
            return ("No other event of the catalogue falls within five sessions of day 0; news outside the "
                    "catalogue is not checked.")
        listed = _join([f"{_md(self.ep.catalogue[i].title).rstrip('.')}, on day {_day(c.relative_day)}"
                        for i, c in found.items()])
        return (f"Other events of the catalogue fall within five sessions of day 0 ({listed}), so the abnormal "
                f"returns of those days hold their news as well as this event's.")

    def limitations(self) -> list[str]:
        """One sentence per issue of the limitations table, saying what it implies."""
        frame = self.ep.limitations_table().data
        frame = frame[(frame["event"] == self.event.id) & frame["issue"].isin(list(IMPLICATIONS))]
        return [f"{_md(r.listing)} {agree(IMPLICATIONS[r.issue], ', ' in r.listing)}." for r in frame.itertuples()]

    def size(self) -> str:
        n = len(self.studied())
        if n == 1:
            return ("With one listing there is no cross-section: the evidence is the listing's own t-test, and "
                    "other news of the same days is not averaged out.")
        if n > 3:
            return ""
        return (f"With {n} listings sharing one date, a pooled test rests on few observations; each listing's "
                f"own t-test carries the evidence.")

    def claims(self) -> str:
        cells = Cells(self.ep.claims_table()).cells
        verdicts = [c["cells"].get("verdict", "") for c in cells if c["line"] == "row" and c["cells"].get("verdict")]
        if not verdicts:
            return "The sources make no numeric claim that the prices can check."
        agreeing = sum(v == "agrees" for v in verdicts)
        if len(verdicts) == 1:
            return (f"The sources' one numeric claim about the prices {'agrees' if agreeing else 'does not agree'} "
                    f"with the data (the claims table).")
        return (f"Of the sources' {len(verdicts)} numeric claims about the prices, {agreeing} "
                f"agree{'s' if agreeing == 1 else ''} with the data (the claims table).")


def _texts(ep) -> list[EventText]:
    return [EventText(ep, e) for e in ep.events]


def abstract(ep) -> Markdown:
    """The abstract: the event, its date and authority, the listings and their roles, day 0, the
    day-0 abnormal returns and the main CAR with their statistics, the confounders and what the
    limitations imply."""
    parts = []
    for t in _texts(ep):
        studied = t.studied()
        shown = studied if len(studied) <= 4 else studied[:3]
        more = "" if shown == studied else " The other listings' are in the table of abnormal returns."
        parts += [t.announcement(), t.listings(), t.day0(), t.day0_ars(shown) + more, t.main_car(),
                  t.confounders(), " ".join(t.limitations())]
    return Markdown(" ".join(p for p in parts if p))


def what_happened(ep) -> Markdown:
    """The event as its catalogue entry tells it: the announcement and the evidence for its time,
    the notes, the listings with their roles, the sources (with what they say) and the claims."""
    out = []
    for e in ep.events:
        a = e.announced
        text = [f"**{_md(e.title).rstrip('.')}.** {_capital(_md(e.authority))} made the news public on "
                f"{_date(a.time)}"
                + (f" at {a.time:%H:%M} ({a.timezone})." if a.precision == "exact"
                   else f" ({_PRECISION_WORDS.get(a.precision, a.precision)}; {a.timezone}).")]
        if a.note:
            text.append(f"The evidence for this time: {_md(a.note)}")
        if e.notes:
            text.append(_md(e.notes))
        out.append(" ".join(text))
        listings = [f"- {_md(ep.base_names.get(x.ticker, x.entity))} ({x.ticker}), "
                    f"{ROLE_WORDS.get(x.role, x.role.replace('_', ' '))}" + (f": {_md(x.note)}" if x.note else "")
                    for x in e.listings]
        out.append("The listings it touches:\n\n" + "\n".join(listings))
        sources = []
        for s in e.sources:
            name = _md(s.title) if s.title else ""
            where = s.seed or s.doc
            link = f"<{s.url}>" if s.url else _md(where)
            said = f" It says: \u201c{_md(s.says)}\u201d" if s.says else ""
            sources.append(f"- {name + ', ' if name else ''}{link}.{said}")
        out.append("The sources:\n\n" + "\n".join(sources))
        if e.claims:
            out.append("What the sources claim about the prices (checked in the claims table):\n\n" + "\n".join(
                f"- \u201c{_md(c.text)}\u201d ({_md(c.source)})" + (f": \u201c{_md(c.quote)}\u201d" if c.quote else "")
                for c in e.claims))
    return Markdown("\n\n".join(out))


def conclusion(ep) -> Markdown:
    """The conclusion: each listing's day-0 abnormal return and CARs with their t-statistics, the
    pooled mean, the claims, the confounders and every limitation with what it implies."""
    from research.study.windows import window_label

    out = []
    for t in _texts(ep):
        studied = t.studied()
        lines = [t.announcement(), t.day0()]
        for ticker in studied:
            row, said = t.row(ticker), []
            for w in [window_label(w) for w in ep.windows if w[0] == 0 and w[1] > 0]:  # from day 0 on
                if t.car.printed(row, w):
                    said.append(f"{t.car.quote(row, w, unit=' %')} over {w} "
                                f"(t = {t.car.quote(row, w, stat=True)}){significance(t.car.stars(row, w))}")
            lines.append(f"{_md(ep.names.get(ticker, ticker))} had a day-0 abnormal return of {t.day0_ar(ticker)}"
                         + (f"; its CAR was {'; '.join(said)}" if said else "") + ".")
        if not studied:
            lines.append(t.day0_ars([]))
        out.append(" ".join(lines))
        out.append(" ".join(p for p in (t.main_car() if len(studied) > 1 else "", t.size(), t.claims()) if p))
        out.append(" ".join([t.confounders(), *t.limitations()]))
    return Markdown("\n\n".join(p for p in out if p))
