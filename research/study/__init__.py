"""Event studies: expected-return models, abnormal returns and the tests of the literature.

The entry point is :func:`event_study` (returns in, :class:`EventStudyResults` out); the models
are in :mod:`research.study.models`, event time and CAR/BHAR in :mod:`research.study.abnormal`,
the tests in :mod:`research.study.significance`, all joined by the
:class:`~research.study.panel.AbnormalReturnPanel`.
"""

from research.study.engine import DEFAULT_MIN_ESTIMATION, DEFAULT_SEED, event_study
from research.study.models import (
    MODELS,
    ConstantMean,
    Dimson,
    ExpectedReturnModel,
    FactorModel,
    Garch,
    MarketAdjusted,
    MarketModel,
    ScholesWilliams,
    read_factors_csv,
)
from research.study.panel import AbnormalReturnPanel
from research.study.results import EventStudyResults, compare
from research.study.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, parse_window, window_label

__all__ = [
    "AbnormalReturnPanel",
    "ConstantMean",
    "DEFAULT_ESTIMATION",
    "DEFAULT_MIN_ESTIMATION",
    "DEFAULT_SEED",
    "DEFAULT_WINDOWS",
    "Dimson",
    "EventStudyResults",
    "ExpectedReturnModel",
    "FactorModel",
    "Garch",
    "MODELS",
    "MarketAdjusted",
    "MarketModel",
    "ScholesWilliams",
    "compare",
    "event_study",
    "parse_window",
    "read_factors_csv",
    "window_label",
]
