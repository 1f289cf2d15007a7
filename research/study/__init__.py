"""Event studies: expected-return models, abnormal returns and the tests of the literature.

The entry point is :func:`event_study` (returns in, :class:`EventStudyResults` out); the models
are in :mod:`research.study.models`, event time and CAR/BHAR in :mod:`research.study.abnormal`,
the tests in :mod:`research.study.significance`, all joined by the
:class:`~research.study.panel.AbnormalReturnPanel`.
"""

from __future__ import annotations

from importlib import import_module

#: Each public name and its module, loaded on first use (the command line lists its commands
#: without numpy or pandas).
_HOMES = {
    **dict.fromkeys(["DEFAULT_MIN_ESTIMATION", "DEFAULT_SEED", "event_study"], "engine"),
    **dict.fromkeys(["MODELS", "ConstantMean", "Dimson", "ExpectedReturnModel", "FactorModel", "Garch",
                     "MarketAdjusted", "MarketModel", "ScholesWilliams", "read_factors_csv"], "models"),
    "AbnormalReturnPanel": "panel",
    **dict.fromkeys(["EventStudyResults", "compare"], "results"),
    **dict.fromkeys(["DEFAULT_ESTIMATION", "DEFAULT_WINDOWS", "parse_window", "window_label"], "windows"),
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"research.study.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
