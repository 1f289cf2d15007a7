"""The bibliography of the kit: the papers behind its models and tests, cited by key.

Tables and figures name the keys of the papers their numbers rest on (output metadata
``research.references``); the paper exporter prints the union, with MacKinlay (1997) always
first. The tests' papers and names live with the tests, in
:mod:`research.study.significance.registry` (``TEST_REFERENCES``, ``TEST_NAMES``, re-exported
here); :data:`MODEL_REFERENCES` maps the expected-return models to theirs.
"""

from __future__ import annotations

from research.study.significance.registry import TEST_NAMES, TEST_REFERENCES

__all__ = ["MODEL_REFERENCES", "REFERENCES", "TEST_NAMES", "TEST_REFERENCES", "bibliography",
           "references_of_tests"]

#: key -> (author-year label, full reference).
REFERENCES: dict[str, tuple[str, str]] = {
    "mackinlay1997": ("MacKinlay (1997)",
                      "MacKinlay, A. C. (1997). Event studies in economics and finance. "
                      "Journal of Economic Literature 35(1), 13-39."),
    "brown_warner1980": ("Brown and Warner (1980)",
                         "Brown, S. J. and Warner, J. B. (1980). Measuring security price performance. "
                         "Journal of Financial Economics 8(3), 205-258."),
    "brown_warner1985": ("Brown and Warner (1985)",
                         "Brown, S. J. and Warner, J. B. (1985). Using daily stock returns: the case of event "
                         "studies. Journal of Financial Economics 14(1), 3-31."),
    "patell1976": ("Patell (1976)",
                   "Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior: "
                   "empirical tests. Journal of Accounting Research 14(2), 246-276."),
    "bmp1991": ("Boehmer, Musumeci and Poulsen (1991)",
                "Boehmer, E., Musumeci, J. and Poulsen, A. B. (1991). Event-study methodology under "
                "conditions of event-induced variance. Journal of Financial Economics 30(2), 253-272."),
    "kolari_pynnonen2010": ("Kolari and Pynnönen (2010)",
                            "Kolari, J. W. and Pynnönen, S. (2010). Event study testing with cross-sectional "
                            "correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025."),
    "kolari_pynnonen2011": ("Kolari and Pynnönen (2011)",
                            "Kolari, J. W. and Pynnönen, S. (2011). Nonparametric rank tests for event studies. "
                            "Journal of Empirical Finance 18(5), 953-971."),
    "corrado1989": ("Corrado (1989)",
                    "Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in "
                    "event studies. Journal of Financial Economics 23(2), 385-395."),
    "corrado_zivney1992": ("Corrado and Zivney (1992)",
                           "Corrado, C. J. and Zivney, T. L. (1992). The specification and power of the sign "
                           "test in event study hypothesis tests using daily stock returns. Journal of "
                           "Financial and Quantitative Analysis 27(3), 465-478."),
    "cowan1992": ("Cowan (1992)",
                  "Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and "
                  "Accounting 2(4), 343-358."),
    "campbell_wasley1993": ("Campbell and Wasley (1993)",
                            "Campbell, C. J. and Wasley, C. E. (1993). Measuring security price performance "
                            "using daily NASDAQ returns. Journal of Financial Economics 33(1), 73-92."),
    "wilcoxon1945": ("Wilcoxon (1945)",
                     "Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin "
                     "1(6), 80-83."),
    "efron1987": ("Efron (1987)",
                  "Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American "
                  "Statistical Association 82(397), 171-185."),
    "lamb1995": ("Lamb (1995)",
                 "Lamb, R. P. (1995). An exposure-based analysis of property-liability insurer stock values "
                 "around Hurricane Andrew. Journal of Risk and Insurance 62(1), 111-123."),
    "maynes_rumsey1993": ("Maynes and Rumsey (1993)",
                          "Maynes, E. and Rumsey, J. (1993). Conducting event studies with thinly traded "
                          "stocks. Journal of Banking and Finance 17(1), 145-157."),
    "gelbach_helland_klick2013": ("Gelbach, Helland and Klick (2013)",
                                  "Gelbach, J. B., Helland, E. and Klick, J. (2013). Valid inference in "
                                  "single-firm, single-event studies. American Law and Economics Review "
                                  "15(2), 495-541."),
    "phipson_smyth2010": ("Phipson and Smyth (2010)",
                          "Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero: "
                          "calculating exact p-values when permutations are randomly drawn. Statistical "
                          "Applications in Genetics and Molecular Biology 9(1), article 39."),
    "schipper_thompson1983": ("Schipper and Thompson (1983)",
                              "Schipper, K. and Thompson, R. (1983). The impact of merger-related regulations "
                              "on the shareholders of acquiring firms. Journal of Accounting Research 21(1), "
                              "184-221."),
    "binder1985": ("Binder (1985)",
                   "Binder, J. J. (1985). On the use of the multivariate regression model in event studies. "
                   "Journal of Accounting Research 23(1), 370-383."),
    "hein_westfall2004": ("Hein and Westfall (2004)",
                          "Hein, S. E. and Westfall, P. (2004). Improving tests of abnormal returns by "
                          "bootstrapping the multivariate regression model with event parameters. Journal of "
                          "Financial Econometrics 2(3), 451-471."),
    "riskmetrics1996": ("J.P. Morgan/Reuters (1996)",
                        "J.P. Morgan/Reuters (1996). RiskMetrics - Technical Document, 4th edition. New York: "
                        "Morgan Guaranty Trust Company."),
    "savickas2003": ("Savickas (2003)",
                     "Savickas, R. (2003). Event-induced volatility and tests for abnormal performance. Journal "
                     "of Financial Research 26(2), 165-178."),
    "scholes_williams1977": ("Scholes and Williams (1977)",
                             "Scholes, M. and Williams, J. (1977). Estimating betas from nonsynchronous "
                             "data. Journal of Financial Economics 5(3), 309-327."),
    "dimson1979": ("Dimson (1979)",
                   "Dimson, E. (1979). Risk measurement when shares are subject to infrequent trading. "
                   "Journal of Financial Economics 7(2), 197-226."),
    "barber_lyon1997": ("Barber and Lyon (1997)",
                        "Barber, B. M. and Lyon, J. D. (1997). Detecting long-run abnormal stock returns: the "
                        "empirical power and specification of test statistics. Journal of Financial "
                        "Economics 43(3), 341-372."),
    "bollerslev1986": ("Bollerslev (1986)",
                       "Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity. "
                       "Journal of Econometrics 31(3), 307-327."),
    # issue 15: multiple testing, abnormal volume and volatility
    "holm1979": ("Holm (1979)",
                 "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian "
                 "Journal of Statistics 6(2), 65-70."),
    "benjamini_hochberg1995": ("Benjamini and Hochberg (1995)",
                               "Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a "
                               "practical and powerful approach to multiple testing. Journal of the Royal "
                               "Statistical Society B 57(1), 289-300."),
    "campbell_wasley1996": ("Campbell and Wasley (1996)",
                            "Campbell, C. J. and Wasley, C. E. (1996). Measuring abnormal daily trading volume for "
                            "samples of NYSE/ASE and NASDAQ securities using parametric and nonparametric test "
                            "statistics. Review of Quantitative Finance and Accounting 6(3), 309-326."),
}

#: The papers of each expected-return model (``research.study.models.MODELS`` names).
MODEL_REFERENCES: dict[str, tuple[str, ...]] = {
    "market": ("mackinlay1997",),
    "market_adjusted": ("brown_warner1985",),
    "constant_mean": ("brown_warner1985",),
    "scholes_williams": ("scholes_williams1977",),
    "dimson": ("dimson1979",),
    "garch": ("bollerslev1986",),
}


def bibliography(keys) -> list[tuple[str, str, str]]:
    """``(key, label, reference)`` for MacKinlay (1997) and every known key in ``keys``,
    MacKinlay first and the rest in alphabetical order of the reference."""
    wanted = {k for k in keys if k in REFERENCES} - {"mackinlay1997"}
    rest = sorted(wanted, key=lambda k: REFERENCES[k][1])
    return [(k, *REFERENCES[k]) for k in ["mackinlay1997", *rest]]


def references_of_tests(tests) -> tuple[str, ...]:
    """The reference keys of ``tests`` (names of the ``test`` column), in order, without repeats."""
    return tuple(dict.fromkeys(k for t in tests for k in TEST_REFERENCES.get(t, ())))
