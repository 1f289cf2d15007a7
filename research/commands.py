"""How each floor registers its commands on ``research``'s parser, lazily.

A command is registered with its one-line help; its arguments, description and handler are
added by ``build(parser)`` only when that command is the one being run (or when every command is
wanted, ``only=None``). So ``research --help`` lists every command without importing what their
options need (the catalogue, the calendars, the models), and each handler imports its own work.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_command(subparsers: argparse._SubParsersAction, name: str, help: str,
                build: Callable[[argparse.ArgumentParser], None], only: str | None = None) -> argparse.ArgumentParser:
    """Register ``name`` (shown with ``help``); call ``build`` on its parser when ``only`` is None or ``name``."""
    parser = subparsers.add_parser(name, help=help)
    if only is None or only == name:
        build(parser)
    return parser
