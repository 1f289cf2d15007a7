"""Issue 15 item 7: a listing designated in several events is one observation per event.

Hikvision (002415.SZ) is in three episodes. Pooled over them it must count three times, once
per event, and never more: a peer package inflated BMP, Patell and the Kolari-Pynnönen
statistics by counting a firm's rows once per event *and* per ticker. The independent check
here: the same study with the repeated firm's return column copied under a new name for each
further event (so every listing-event has its own ticker) must give every pooled statistic,
to the last bit, and ``n`` must be the number of listing-events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research.study import event_study
from synthetic import make_data

DAYS = (300, 520, 760)          # the repeated firm's three day-0 rows, 240 days of estimation apart
WINDOWS = [(0, 0), (-1, 1), (0, 5)]


@pytest.fixture(scope="module")
def data():
    return make_data(n_days=900, tickers=("HIK", "B", "C", "D"), seed=7)


def _events(returns, twins: bool):
    """HIK in three events (as HIK, HIK_2, HIK_3 when ``twins``), B, C and D in one each."""
    d = returns.index
    rows = []
    for k, day in enumerate(DAYS):
        rows.append((f"E{k + 1}", "HIK" if k == 0 or not twins else f"HIK_{k + 1}", d[day], "designated"))
        rows.append((f"E{k + 1}", "BCD"[k], d[day], "peer"))
    return pd.DataFrame(rows, columns=["event_id", "ticker", "day0", "role"])


def _run(data, twins, convention):
    returns, market = data
    if twins:
        returns = returns.assign(HIK_2=returns["HIK"], HIK_3=returns["HIK"])
    return event_study(returns, market, _events(returns, twins), windows=WINDOWS, convention=convention,
                       estimation=(-240, -11) if convention == "textbook" else (-240, -2), seed=5, n_boot=199)


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_a_firm_in_three_events_is_three_observations(data, convention):
    once, twins = _run(data, False, convention), _run(data, True, convention)
    assert once.panel.n == 6 and list(once.keys.ticker).count("HIK") == 3
    cols = ["group", "window", "test", "statistic", "p_value", "n", "estimate", "rbar"]
    a, b = once.tests[cols], twins.tests[cols]
    pd.testing.assert_frame_equal(a, b)
    by_a, by_b = once.tests_by("event_id")[cols], twins.tests_by("event_id")[cols]
    pd.testing.assert_frame_equal(by_a, by_b)
    pd.testing.assert_frame_equal(once.daily, twins.daily)
    # every pooled test counts each listing-event once: n is 6, never 3 (per firm) nor 9 or 12
    assert set(a.loc[a["group"] == "all", "n"]) == {6}
    # the mean CAR is the plain mean over the six listing-events (an independent computation)
    checked = 0
    for window, part in once.car.groupby("window"):
        est = a[(a["window"] == window) & (a["test"] == "csect_t")]["estimate"]
        if len(est):        # estudy2 has no cross-sectional t for a CAR window
            np.testing.assert_allclose(est, part["car"].mean(), rtol=1e-12)
            checked += 1
    assert checked >= 1
    pd.testing.assert_frame_equal(once.caar(), twins.caar())


def test_hikvision_in_every_one_of_its_events_is_one_listing_event_each(real_store):
    """On the catalogue: the events that list Hikvision, studied together, give one listing-event each."""
    from research.events.catalogue import load_catalogue
    from research.study.bridge import study_events

    catalogue = load_catalogue()
    ids = [e.id for e in catalogue.values() if any(x.ticker == "002415.SZ" for x in e.listings)]
    assert len(ids) >= 2       # the catalogue lists its A share in two events (it is named in more)
    res = study_events(ids, catalogue=catalogue, listings=["002415.SZ"], windows=[(0, 0), (0, 1)], seed=1)
    studied = len(res.keys)
    assert studied + len(res.excluded) == len(ids) and studied >= 2
    assert list(res.keys.ticker) == ["002415.SZ"] * studied
    assert set(res.tests["n"]) <= {studied} and studied in set(res.tests["n"])
