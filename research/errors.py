"""The one exception type for user mistakes and missing data.

Anything raised as :class:`ResearchError` is a problem the user can fix (a bad file, an unknown
ticker, an event without prices). The command line prints its message and exits with status 2,
without a traceback; anything else is a bug and keeps its traceback.
"""


class ResearchError(Exception):
    """A problem with the user's input or data, reported by its message alone."""
