"""Checking the numbers the source articles state against the prices.

Each :class:`~research.events.catalogue.Claim` names a listing, a trading day, a measure and a
value with a tolerance. Return claims are measured from daily prices with
:func:`research.events.reaction.day_return`, and the other two return measures are shown beside
them: an "after-hours" fall is an opening gap (close-to-open), and a check against the
close-to-close return would wrongly reject it. Claims daily prices cannot check (a market value
needs shares outstanding) say so instead of passing or failing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from research.events.catalogue import RETURN_MEASURES, Catalogue, Claim
from research.events.reaction import PriceBook, day_return
from research.securities import Registry

AGREES, DISAGREES, UNCHECKABLE = "agrees", "DISAGREES", "cannot check"
_LABEL = {"close_to_close": "close-to-close", "close_to_open": "close-to-open gap",
          "open_to_close": "open-to-close", "low_vs_prev_close": "low vs previous close",
          "high_vs_prev_close": "high vs previous close", "close_price": "close", "market_value": "market value"}
#: The measures shown beside a return claim: the day's return and its two parts.
_SPLIT = ("close_to_close", "close_to_open", "open_to_close")


@dataclass(frozen=True)
class ClaimCheck:
    """A claim, what the prices say, and the verdict.

    Attributes
    ----------
    measured : the claimed measure from the prices (NaN when it cannot be measured).
    verdict : ``agrees`` (within the tolerance), ``DISAGREES``, or ``cannot check``.
    reason : why it cannot be checked, or context (e.g. the day's close for a market value).
    others : the other return measures of that day, for return claims.
    """

    claim: Claim
    measured: float
    verdict: str
    reason: str = ""
    others: tuple[tuple[str, float], ...] = ()

    @property
    def difference(self) -> float:
        return self.measured - self.claim.value

    def others_text(self) -> str:
        """``close-to-close -9.49 % (would not agree)`` for each other return measure."""
        parts = []
        for measure, value in self.others:
            if math.isnan(value):
                continue
            ok = abs(value - self.claim.value) <= self.claim.tolerance + 1e-12
            parts.append(f"{_LABEL[measure]} {_fmt(measure, value, '')} ({'would agree' if ok else 'would not agree'})")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        c = self.claim
        return {"event_id": c.event_id, "claim_id": c.id, "source": c.source, "claim": c.text, "quote": c.quote,
                "ticker": c.ticker, "date": c.date.isoformat(), "measure": c.measure, "claimed": c.value,
                "tolerance": c.tolerance, "measured": None if math.isnan(self.measured) else self.measured,
                "verdict": self.verdict, "reason": self.reason,
                "others": {m: (None if math.isnan(v) else v) for m, v in self.others}}


def check_claim(claim: Claim, registry: Registry, book: PriceBook | None = None) -> ClaimCheck:
    """Measure ``claim`` from the prices of its listing and compare within its tolerance."""
    book = book or PriceBook()
    sec = registry.get_security(claim.ticker, context=f"claim {claim.id}")
    day = pd.Timestamp(claim.date)
    prices = book.get(claim.ticker)
    if claim.measure == "market_value":
        context = ""
        if prices is not None and day in prices.index:
            context = f"; close that day {prices.at[day, 'Close']:.2f} {sec.currency}"
        return ClaimCheck(claim, math.nan, UNCHECKABLE,
                          "a market value needs shares outstanding (and an exchange rate), which daily prices "
                          "do not hold" + context)
    if prices is None:
        return ClaimCheck(claim, math.nan, UNCHECKABLE, book.why_missing(claim.ticker).splitlines()[0])
    if day not in prices.index:
        return ClaimCheck(claim, math.nan, UNCHECKABLE, f"{claim.ticker} did not trade on {claim.date} "
                          f"(suspended, holiday, or outside {prices.index[0]:%Y-%m-%d}..{prices.index[-1]:%Y-%m-%d})")
    if claim.measure == "close_price":
        measured = float(prices.at[day, "Close"])
        return ClaimCheck(claim, measured, _verdict(measured, claim))
    reaction = day_return(prices, day, sec.exchange)
    if reaction is None:
        return ClaimCheck(claim, math.nan, UNCHECKABLE, f"{claim.date} is {claim.ticker}'s first row: no previous close")
    values = {m: getattr(reaction, m) for m in RETURN_MEASURES}
    measured = values[claim.measure]
    reason = ""
    if math.isnan(measured):
        field = {"low_vs_prev_close": "Low", "high_vs_prev_close": "High"}.get(claim.measure, "Open")
        return ClaimCheck(claim, measured, UNCHECKABLE, f"{claim.ticker} has no {field} on {claim.date}")
    if reaction.span > 1:
        reason = f"trade-to-trade since {reaction.previous:%Y-%m-%d} ({reaction.span} sessions)"
    others = tuple((m, values[m]) for m in _SPLIT if m != claim.measure)
    return ClaimCheck(claim, measured, _verdict(measured, claim), reason, others)


def check_claims(catalogue: Catalogue, event_id: str | None = None, book: PriceBook | None = None) -> list[ClaimCheck]:
    """Check every claim of the catalogue, or of one event."""
    book = book or PriceBook()
    events = [catalogue[event_id]] if event_id else list(catalogue.values())
    return [check_claim(claim, catalogue.registry, book) for event in events for claim in event.claims]


def claims_table(checks: list[ClaimCheck]) -> pd.DataFrame:
    """One row per claim: source, claim, ticker, date, measure, claimed, measured, verdict, context."""
    rows = []
    for check in checks:
        c = check.claim
        rows.append({
            "event": c.event_id,
            "source": c.source,
            "claim": c.text,
            "ticker": c.ticker,
            "date": c.date.isoformat(),
            "measure": _LABEL[c.measure],
            "claimed": _fmt(c.measure, c.value, c.currency),
            "measured": _fmt(c.measure, check.measured, c.currency),
            "tolerance": _fmt(c.measure, c.tolerance, c.currency, sign=False),
            "verdict": check.verdict,
            "other measures / reason": "; ".join(x for x in (check.others_text(), check.reason) if x),
        })
    return pd.DataFrame(rows)


def _verdict(measured: float, claim: Claim) -> str:
    return AGREES if abs(measured - claim.value) <= claim.tolerance + 1e-12 else DISAGREES


def _fmt(measure: str, value: float, currency: str, sign: bool = True) -> str:
    if value is None or math.isnan(value):
        return ""
    if measure in RETURN_MEASURES:
        return f"{100 * value:+.2f} %" if sign else f"{100 * value:.2f} pp"
    if measure == "market_value":
        return f"{value / 1e9:.1f}bn {currency}"
    return (f"{value:.2f} {currency}" if sign else f"{value:g} {currency}").strip()

