"""Why firms differ: the cross-sectional regression of CARs on the listings' characteristics.

``results.regress("car ~ role + us_revenue_share", window=(0, 1), data=...)`` regresses the CARs
of one window on the columns of a formula (statsmodels formulas, patsy syntax) by OLS,

    CAR_i = x_i' gamma + u_i,        i = 1..N listing-events with a CAR in the window,

and gives three standard errors of gamma (MacKinlay 1997, section 8, on cross-sectional models):

* ``hc``: heteroskedasticity-robust, HC3 by default (MacKinnon and White 1985; Long and Ervin
  2000 recommend HC3 below 250 observations), t with N - k degrees of freedom;
* ``cluster``: clustered by event (Liang and Zeger 1986; statsmodels' small-sample factor
  G/(G-1) (N-1)/(N-k)), t with G - 1 degrees of freedom, for G >= 2 events;
* ``portfolio``: the portfolio approach of Sefcik and Thompson (1986) for listings that share a
  date. The OLS estimate is a weighted sum of CARs, gamma_j = sum_i w_ji CAR_i with
  W = (X'X)^-1 X'; the same weights make k portfolios whose estimation-window abnormal returns
  P_jt = sum_i w_ji AR_it carry every cross-correlation of the listings. Then
  se_j = s(P_j) sqrt(tau), with s the sample standard deviation over the estimation days on which
  every listing has an abnormal return and tau the window's length, and t_j = gamma_j / se_j is
  referred to t with (days - 1) degrees of freedom: the crude dependence adjustment of Brown and
  Warner (1980, 1985) applied to each weight portfolio, as Sefcik and Thompson's time-series
  regression of the portfolio returns on the market and an event dummy does when the model's
  parameters are known.

Characteristics come from ``data``: a CSV path or a DataFrame keyed by ``ticker`` or by
``event_id`` and ``ticker``. Without it the columns are ``event_id``, ``ticker``, ``role``
(designated, peer, supplier, other_line, partner), ``car``, ``bhar`` and ``scar`` (the CAR over
its prediction-error standard deviation).

References
----------
Brown, S. J. and Warner, J. B. (1980, 1985), see :mod:`research.study.significance`.
Liang, K.-Y. and Zeger, S. L. (1986). Longitudinal data analysis using generalized linear
    models. Biometrika 73(1), 13-22.
Long, J. S. and Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors in
    the linear regression model. The American Statistician 54(3), 217-224.
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic
    Literature 35(1), 13-39.
MacKinnon, J. G. and White, H. (1985). Some heteroskedasticity-consistent covariance matrix
    estimators with improved finite sample properties. Journal of Econometrics 29(3), 305-325.
Sefcik, S. E. and Thompson, R. (1986). An approach to statistical inference in cross-sectional
    models with security abnormal returns as dependent variable. Journal of Accounting Research
    24(2), 316-334.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from research.errors import ResearchError
from research.files import read_text
from research.study.windows import window_label

#: The columns every regression has without a user file.
BUILT_IN = ("event_id", "ticker", "role", "car", "bhar", "scar")
#: The heteroskedasticity-robust covariance types statsmodels offers.
HC_TYPES = ("HC0", "HC1", "HC2", "HC3")


@dataclass
class CrossSection:
    """A cross-sectional regression of CARs (:func:`regress`).

    ``frame`` holds the rows used (built-in columns and the characteristics); ``ols``, ``hc`` and
    ``cluster`` are statsmodels results (``cluster`` is None with one event); ``table`` has one
    row per term: ``coef`` and, for ``ols``, ``hc``, ``cluster`` and ``portfolio``, ``se_*``,
    ``t_*`` and ``p_*``; ``portfolio_days`` is the number of estimation days behind the
    Sefcik-Thompson standard errors; ``notes`` what a reader should know (a listing with
    leverage one, alone in its category, leaves HC2 and HC3 undefined: their columns are NaN).
    """

    formula: str
    window: tuple[int, int]
    frame: pd.DataFrame
    ols: object
    hc: object
    cluster: object
    table: pd.DataFrame
    portfolio_days: int
    notes: list

    def summary(self):
        """statsmodels' summary of the heteroskedasticity-robust fit (OLS when it is undefined)."""
        fit = self.hc if self.hc is not None else self.ols
        return fit.summary(title=f"CAR{window_label(self.window)} cross-section, {fit.cov_type} errors")


def regress(results, formula: str, window, data=None, *, cov_type: str = "HC3") -> CrossSection:
    """Regress the CARs of ``window`` on characteristics (see the module docstring).

    ``results`` is an :class:`~research.study.results.EventStudyResults`; ``data`` a CSV path or
    a DataFrame keyed by ``ticker`` or by ``event_id`` and ``ticker`` (every listing-event
    needs a row); ``cov_type`` one of :data:`HC_TYPES`.
    """
    import statsmodels.formula.api as smf
    from patsy import PatsyError

    if cov_type not in HC_TYPES:
        raise ResearchError(f"cov_type must be one of {', '.join(HC_TYPES)}, not {cov_type!r}")
    a, b = (int(x) for x in window)
    panel = results.panel
    panel.window_index(a, b)
    car, variance = panel.car(a, b)
    frame = panel.keys.reset_index(drop=True).copy()
    frame["car"] = car
    frame["bhar"] = np.nan      # BHAR needs the returns: known for the results' own windows
    if (a, b) in results.windows:
        frame["bhar"] = results.car.loc[results.car["window"] == window_label((a, b)), "bhar"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["scar"] = car / np.sqrt(variance)
    if data is not None:
        frame = _join(frame, data)
    used = np.flatnonzero(np.isfinite(car))
    frame = frame.iloc[used].reset_index(drop=True)
    try:
        model = smf.ols(formula, frame, eval_env={"np": np})
    except PatsyError as exc:
        raise ResearchError(_formula_message(formula, exc, frame.columns)) from None
    if len(model.exog) != len(frame):
        raise ResearchError(f"formula {formula!r}: {len(frame) - len(model.exog)} listing-event(s) have a "
                            f"missing value in its columns; fill them or leave the column out")
    n, k = model.exog.shape
    if n <= k:
        raise ResearchError(f"formula {formula!r} has {k} terms for {n} listing-events with a CAR"
                            f"{window_label((a, b))}; use fewer terms")
    ols = model.fit()
    hc = model.fit(cov_type=cov_type, use_t=True)
    events = pd.factorize(frame["event_id"])[0]
    cluster = None
    if events.max() >= 1:
        cluster = model.fit(cov_type="cluster", cov_kwds={"groups": events}, use_t=True)
    table = pd.DataFrame({"term": model.exog_names, "coef": ols.params.to_numpy()})
    notes = []
    leverage = ols.get_influence().hat_matrix_diag
    alone = frame.loc[leverage > 1 - 1e-8, ["event_id", "ticker"]]
    if len(alone) and cov_type in ("HC2", "HC3"):
        hc = None       # u_i / (1 - h_ii) is 0 / 0 for a listing with leverage one
        notes.append(f"{', '.join(f'{r.ticker} ({r.event_id})' for r in alone.itertuples())} alone in its "
                     f"category (leverage one): {cov_type} is undefined (HC0 and HC1 would treat its CAR as known"
                     f" exactly); merge the category with another")
    for name, fit in (("ols", ols), ("hc", hc), ("cluster", cluster)):
        table[f"se_{name}"] = np.nan if fit is None else fit.bse.to_numpy()
        table[f"t_{name}"] = np.nan if fit is None else fit.tvalues.to_numpy()
        table[f"p_{name}"] = np.nan if fit is None else fit.pvalues.to_numpy()
    se, days = portfolio_se(model.exog, panel.est_ar[used], b - a + 1)
    table["se_portfolio"] = se
    table["t_portfolio"] = table["coef"] / se
    table["p_portfolio"] = 2 * stats.t.sf(np.abs(table["t_portfolio"]), days - 1)
    return CrossSection(formula, (a, b), frame, ols, hc, cluster, table, days, notes)


def portfolio_se(exog: np.ndarray, est_ar: np.ndarray, tau: int) -> tuple[np.ndarray, int]:
    """Sefcik-Thompson (1986) standard errors of the OLS coefficients of CARs on ``exog`` (N, k):
    s(W AR_t) sqrt(tau) with W = (X'X)^-1 X' over the estimation days (columns of ``est_ar``,
    N x L) on which every listing has an abnormal return; also the number of those days."""
    weights = np.linalg.pinv(exog)                      # (X'X)^-1 X' for a full-rank X
    full = np.isfinite(est_ar).all(axis=0)
    days = int(full.sum())
    if days < 3:
        raise ResearchError(f"the Sefcik-Thompson portfolios need estimation days on which every listing has a "
                            f"return; there are {days}")
    portfolios = weights @ est_ar[:, full]
    return portfolios.std(axis=1, ddof=1) * np.sqrt(tau), days


def _join(frame: pd.DataFrame, data) -> pd.DataFrame:
    """``frame`` with the characteristics of ``data`` (path or DataFrame), one row per listing-event."""
    where = "characteristics"
    if isinstance(data, (str, Path)):
        where = str(data)
        try:
            data = pd.read_csv(io.StringIO(read_text(Path(data), "the characteristics file")))
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ResearchError(f"{where}: not a CSV table: {exc}") from None
    if not isinstance(data, pd.DataFrame):
        raise ResearchError(f"data must be a CSV path or a DataFrame, not {type(data).__name__}")
    keys = ["event_id", "ticker"] if "event_id" in data.columns else ["ticker"]
    if "ticker" not in data.columns:
        raise ResearchError(f"{where}: needs a 'ticker' column (and optionally 'event_id'); it has "
                            f"{', '.join(map(str, data.columns))}")
    clash = [c for c in data.columns if c in BUILT_IN and c not in keys]
    if clash:
        raise ResearchError(f"{where}: column(s) {', '.join(clash)} are built in; rename them")
    data = data.astype({k: str for k in keys})
    dup = data.duplicated(keys)
    if dup.any():
        row = data[dup].iloc[0]
        raise ResearchError(f"{where}: more than one row for {', '.join(f'{k} {row[k]!r}' for k in keys)}")
    merged = frame.merge(data, on=keys, how="left", indicator=True, validate="many_to_one")
    missing = merged["_merge"] == "left_only"
    if missing.any():
        row = merged[missing].iloc[0]
        raise ResearchError(f"{where}: no row for ticker {row['ticker']!r}" +
                            (f" in event {row['event_id']!r}" if "event_id" in keys else "") +
                            f" ({int(missing.sum())} listing-event(s) without characteristics)")
    return merged.drop(columns="_merge")


def _formula_message(formula: str, exc, columns) -> str:
    found = re.search(r"name '([^']+)' is not defined", str(exc))
    if found:
        return (f"formula {formula!r} names an unknown column {found.group(1)!r}; the columns are "
                f"{', '.join(map(str, columns))}")
    return f"formula {formula!r}: {str(exc).splitlines()[0]}"
