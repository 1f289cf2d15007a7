"""Figures, tables, episode notebooks and papers: the results, as a reader sees them.

``style``       the CJK font, the colour of each listing, the rcParams of every figure
``figures``     every figure: timeline, price paths, abnormal returns, the overview, size and power
                (returned, never shown; a single panel draws into a given ``ax=``)
``tables``      every table builder; result tables as LaTeX (booktabs, stars, t-statistics) and
                HTML, with their numbers
``format``      how numbers print: true minus, percent, p-values, significance stars
``text``        prose computed from results (a template's summary, before day 0, size verdicts)
``references``  the bibliography: the papers behind each model and test
``episode``     :class:`Episode`: one episode (or event) end to end, one method per notebook cell
``overview``    :class:`Overview`: the episodes compared by role and exchange
``notebooks``   executing the jupytext notebooks with papermill into a run folder
``paper``       an executed notebook as a paper: PDF through XeLaTeX, and HTML
``newevent``    a new catalogue event and its notebook from the template
``commands``    ``research report``, ``research paper``, ``research new-event``
"""

from __future__ import annotations

__all__ = ["Episode", "Overview", "PaperFigure", "ResultTable"]


def __getattr__(name: str):
    # Lazy: the command line imports this package without paying for matplotlib and the study.
    if name == "Episode":
        from research.report.episode import Episode
        return Episode
    if name == "Overview":
        from research.report.overview import Overview
        return Overview
    if name == "PaperFigure":
        from research.report.figures import PaperFigure
        return PaperFigure
    if name == "ResultTable":
        from research.report.tables import ResultTable
        return ResultTable
    raise AttributeError(f"module 'research.report' has no attribute {name!r}")
