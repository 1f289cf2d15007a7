"""The registry of the tests: their names in the ``test`` column, the names the literature gives
them, the papers behind them (keys of :data:`research.report.references.REFERENCES`), which
convention defines which test, and the significance stars of every table."""

from __future__ import annotations

import numpy as np

from research.errors import ResearchError

TEXTBOOK_TESTS = ("csect_t", "brown_warner_1980", "brown_warner_1985", "patell", "bmp",
                  "patell_kp", "bmp_kp", "corrado", "modified_rank", "grank", "grank_scar", "sign",
                  "gsign", "corrado_sign", "wilcoxon", "bootstrap")
#: Tests for a few listings sharing one date (:mod:`research.study.significance.joint`): run only
#: when asked for by name, so the default tests cost what they did.
JOINT_TESTS = ("placebo_portfolio", "sur_wald", "sur_wald_mean", "sur_boot", "sur_boot_mean")
ESTUDY2_DAILY_TESTS = ("brown_warner_1980", "brown_warner_1985", "csect_t", "patell", "bmp",
                       "lamb", "sign", "gsign", "corrado_sign", "corrado", "modified_rank",
                       "wilcoxon")
ESTUDY2_CAR_TESTS = ("brown_warner_1985", "lamb", "corrado")
ESTUDY2_CAR_PERCENTAGE = 90.0
"""estudy2's CAR tests use only days with more than this percentage of listings present."""
#: estudy2's tests whose variance has the single-index market model's prediction-error term
#: 1 + 1/L + (R_mt - Rbar_m)^2 / SS_m; estudy2 refuses them for its mean_adj and mrkt_adj models.
ESTUDY2_MARKET_MODEL_TESTS = ("patell", "bmp", "lamb")
#: The kit's name of the single-index market model (estudy2's ``sim``).
MARKET_MODEL = "market"

#: Tests that measure the variance of the sample's mean over time or adjust for the correlation of
#: listings that share their event date (the validation notebook's clustered design, Kolari and
#: Pynnönen 2010): the adjusted Patell and BMP tests, Brown and Warner's crude dependence
#: adjustment, the Corrado rank test, the generalised rank test on the SCARs and the
#: Corrado-Zivney sign test. Which of them is well-sized depends on the number of listings.
SHARED_DATE_TESTS = ("patell_kp", "bmp_kp", "brown_warner_1985", "corrado", "grank_scar", "corrado_sign")

CONVENTIONS = ("textbook", "estudy2")
COLUMNS = ("group", "window", "test", "statistic", "p_value", "df", "n", "estimate", "ci_low",
           "ci_high", "rbar", "null", "signif", "convention")
#: Two-sided p below each level earns its stars, in every table and in the ``signif`` column.
SIGNIF_LEVELS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))

#: The papers of each test (``test`` column), keys of ``research.report.references.REFERENCES``.
TEST_REFERENCES: dict[str, tuple[str, ...]] = {
    "csect_t": ("brown_warner1985",),
    "brown_warner_1980": ("brown_warner1980",),
    "brown_warner_1985": ("brown_warner1980", "brown_warner1985"),
    "patell": ("patell1976",),
    "bmp": ("bmp1991",),
    "patell_kp": ("patell1976", "kolari_pynnonen2010"),
    "bmp_kp": ("bmp1991", "kolari_pynnonen2010"),
    "corrado": ("corrado1989", "cowan1992", "campbell_wasley1993"),
    "modified_rank": ("corrado_zivney1992",),
    "grank": ("kolari_pynnonen2011",),
    "grank_scar": ("kolari_pynnonen2011",),
    "sign": ("cowan1992",),
    "gsign": ("cowan1992",),
    "corrado_sign": ("corrado_zivney1992",),
    "wilcoxon": ("wilcoxon1945",),
    "bootstrap": ("efron1987",),
    "lamb": ("lamb1995",),
    "placebo_portfolio": ("gelbach_helland_klick2013", "phipson_smyth2010", "riskmetrics1996", "savickas2003"),
    "sur_wald": ("schipper_thompson1983", "binder1985"),
    "sur_wald_mean": ("schipper_thompson1983", "binder1985"),
    "sur_boot": ("schipper_thompson1983", "hein_westfall2004"),
    "sur_boot_mean": ("schipper_thompson1983", "hein_westfall2004"),
    "single_t": ("mackinlay1997",),
    "ghk": ("gelbach_helland_klick2013",),
}

#: The names of the tests as the literature writes them.
TEST_NAMES: dict[str, str] = {
    "csect_t": "Cross-sectional t",
    "brown_warner_1980": "Brown-Warner (1980)",
    "brown_warner_1985": "Brown-Warner crude dependence adj. (1985)",
    "patell": "Patell Z (1976)",
    "bmp": "BMP t (1991)",
    "patell_kp": "Patell Z, Kolari-Pynnönen adj. (2010)",
    "bmp_kp": "BMP t, Kolari-Pynnönen adj. (2010)",
    "corrado": "Corrado rank (1989)",
    "modified_rank": "Corrado-Zivney rank (1992)",
    "grank": "Generalised rank (Kolari-Pynnönen 2011)",
    "grank_scar": "Generalised rank, SCAR not re-standardised",
    "sign": "Sign test",
    "gsign": "Generalised sign (Cowan 1992)",
    "corrado_sign": "Corrado-Zivney sign (1992)",
    "wilcoxon": "Wilcoxon signed rank (1945)",
    "bootstrap": "Bootstrap BCa (Efron 1987)",
    "lamb": "Lamb (1995)",
    "placebo_portfolio": "Portfolio placebo (Gelbach-Helland-Klick 2013)",
    "sur_wald": "SUR Wald, all effects zero (Binder 1985)",
    "sur_wald_mean": "SUR Wald, average effect zero (Binder 1985)",
    "sur_boot": "SUR bootstrap, all effects zero (Hein-Westfall 2004)",
    "sur_boot_mean": "SUR bootstrap, average effect zero (Hein-Westfall 2004)",
}


def literature_name(test: str) -> str:
    """The test as the literature names it (:data:`TEST_NAMES`), or its ``test`` column name."""
    return TEST_NAMES.get(test, test)


def check_convention(convention: str) -> None:
    """A clear error for a convention that is not one of :data:`CONVENTIONS`."""
    if convention not in CONVENTIONS:
        raise ResearchError(f"unknown convention {convention!r}; use one of {CONVENTIONS}")


def select(tests, available, convention) -> list[str]:
    """The tests asked for (default: all available), without repeats; a clear error for unknown ones."""
    if tests is None:
        return list(available)
    tests = list(dict.fromkeys(tests))
    unknown = [t for t in tests if t not in available]
    if unknown:
        raise ResearchError(f"tests {unknown} are not defined under convention "
                            f"{convention!r}; available: {list(available)}")
    return tests


def estudy2_select(tests, available, label, model) -> list[str]:
    """:func:`select` under estudy2 for a panel of ``model``: without the single-index market model,
    the default leaves out :data:`ESTUDY2_MARKET_MODEL_TESTS` and asking for one is refused, as
    estudy2 refuses them ("applicable only for the single-index market model")."""
    chosen = select(tests, available, label)
    if model == MARKET_MODEL:
        return chosen
    refused = [t for t in chosen if t in ESTUDY2_MARKET_MODEL_TESTS]
    if refused and tests is not None:
        raise ResearchError(f"tests {refused} are applicable only for the single-index market model under "
                            f"convention 'estudy2' (as estudy2 says), not model {model!r}; use model='market' "
                            f"or convention='textbook'")
    return [t for t in chosen if t not in refused]


def signif(p) -> np.ndarray:
    """The stars of :data:`SIGNIF_LEVELS` for each p ("" above 0.10 or missing)."""
    p = np.asarray(p, float)
    flags = np.full(p.shape, "", dtype=object)
    for level, flag in reversed(SIGNIF_LEVELS):
        flags[p < level] = flag
    return flags
