"""Command-line commands of the report layer: ``report``, ``paper``, ``new-event`` and ``lab``.

:func:`add_commands` registers them on the main CLI's subparsers; each handler takes the parsed
arguments, prints what it wrote, returns an exit code, and raises
:class:`~research.errors.ResearchError` for user mistakes (an unknown episode, a notebook never
executed, a missing TeX toolchain, an event the catalogue rejects).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from research import config
from research.commands import add_command
from research.errors import ResearchError



def add_commands(subparsers: argparse._SubParsersAction, only: str | None = None) -> None:
    """Register ``report``, ``paper`` and ``new-event`` (handlers in ``handler``); a command's options
    are built only when it runs (``only``; None: all)."""
    add_command(subparsers, "report",
                "execute an episode's notebook: executed notebook, tables (CSV), figures (PNG, PDF)", _report_parser,
                only)
    add_command(subparsers, "paper", "an executed notebook as a paper: PDF (XeLaTeX) and HTML", _paper_parser, only)
    add_command(subparsers, "new-event", "add an event to the catalogue and write its notebook from the template",
                _new_event_parser, only)
    add_command(subparsers, "lab", "JupyterLab on the project folder, the notebooks/*.py opening as notebooks",
                _lab_parser, only)


def _report_parser(p: argparse.ArgumentParser) -> None:
    p.description = ("Execute the notebook of an episode (e1-entity-list-2019 ... e5-hikvision-2022, overview) "
                     "or of a new event, top to bottom, and write the executed notebook, its tables as CSV and its "
                     "figures as PNG and PDF into the results folder (data/results/ID, moved by --out).")
    p.add_argument("id", nargs="?", metavar="ID", help="episode id, 'overview', or a catalogue event id")
    p.add_argument("--all", action="store_true", help="every episode and the overview")
    p.add_argument("--out", metavar="DIR", help="write here (with --all: one folder per notebook under DIR)")
    p.add_argument("--strict", action="store_true", default=None,
                   help="warnings are errors (as in CI; also RESEARCH_STRICT=1)")
    p.add_argument("--require-adjusted", action="store_true",
                   help="a study of a series that is not an index with neither an adjusted close nor a previous "
                        "close is an error (also RESEARCH_REQUIRE_ADJUSTED=1)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="notebooks run at once with --all (default: the cores)")
    p.add_argument("--catalogue", metavar="PATH", help="event catalogue (default data/events.yaml or $RESEARCH_CATALOGUE)")
    p.add_argument("--notebooks", metavar="DIR", help="folder of notebook sources (default notebooks/)")
    p.add_argument("--force", action="store_true", help="write into an --out folder that holds other files")
    p.set_defaults(handler=cmd_report)


def _paper_parser(p: argparse.ArgumentParser) -> None:
    p.description = ("Lay out the executed notebook of ID (run `research report ID` first) as a paper: title, "
                     "authors, abstract, numbered sections, figures and tables, references, appendix with the data "
                     "provenance and the run's parameters. Writes ID.pdf and ID.html into the run folder or --out.")
    p.add_argument("id", nargs="?", metavar="ID", help="episode id, 'overview', or a new event's id")
    p.add_argument("--all", action="store_true", help="every episode and the overview")
    p.add_argument("--out", metavar="DIR", help="write the paper here")
    p.add_argument("--run", metavar="DIR", help="the run folder of `research report --out DIR` (default data/results/ID)")
    p.add_argument("--html", action="store_true", help="the HTML only (no TeX needed)")
    p.add_argument("--author", action="append", metavar="NAME",
                   help="an author (repeat; default the notebook's, then $RESEARCH_AUTHOR, then git's user.name)")
    p.add_argument("--force", action="store_true", help="write into an --out folder that holds other files")
    p.set_defaults(handler=cmd_paper)


def _new_event_parser(p: argparse.ArgumentParser) -> None:
    from research.events.catalogue import EPISODES, MEASURES, PRECISIONS, ROLES

    p.description = ("Append an event to the catalogue, validated like the whole file, and write "
                     "notebooks/<id>.py from the template. Options not given are asked for on a terminal.")
    p.add_argument("--id", help="lower-case slug, e.g. entity-list-2023")
    p.add_argument("--episode", metavar="EPISODE",
                   help=f"join one of the five episodes ({', '.join(EPISODES)}); default: the event stands on its "
                        f"own, an episode of its own whose notebook is notebooks/<id>.py")
    p.add_argument("--title", help="one line")
    p.add_argument("--announced", metavar="TIME", help="local time 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'")
    p.add_argument("--timezone", help="IANA zone of that time, e.g. America/New_York")
    p.add_argument("--precision", choices=list(PRECISIONS), help="how well the time is known")
    p.add_argument("--authority", help="who acted")
    p.add_argument("--programme", help="the designation regime (e.g. entity-list; `research events` lists them)")
    p.add_argument("--instrument", help="the kind of act (e.g. entity-list, executive-order, press-report)")
    p.add_argument("--listing", action="append", metavar="TICKER:ROLE[:ENTITY]",
                   help=f"a listing (repeat); roles: {', '.join(ROLES)}")
    p.add_argument("--entity", action="append", help="a named entity (repeat; default the listings' entities)")
    p.add_argument("--source", action="append", help="a source: seed file name, document or URL (repeat)")
    p.add_argument("--note", default="", help="the evidence for the announcement time")
    p.add_argument("--claim", action="append", metavar="FIELD=VALUE,...",
                   help="a number a source states about a listing's price (repeat): 'text=..., ticker=..., "
                        "measure=..., value=..., tolerance=...[, date=..., quote=..., source=...]'; measures: "
                        f"{', '.join(MEASURES)} (close_price and market_value need currency=...); returns as -0.10 "
                        "or -10%%; "
                        "date defaults to the listing's day 0, source to the first --source; checked by "
                        "`research claims`")
    p.add_argument("--author", action="append", metavar="NAME",
                   help="an author of the notebook and its paper (repeat; default $RESEARCH_AUTHOR, then git's "
                        "user.name)")
    p.add_argument("--catalogue", metavar="PATH", help="catalogue to append to (default data/events.yaml or "
                                                       "$RESEARCH_CATALOGUE)")
    p.add_argument("--notebooks", metavar="DIR", help="where the notebook goes (default notebooks/)")
    p.add_argument("--force", action="store_true", help="overwrite an existing notebook of that id")
    p.set_defaults(handler=cmd_new_event)


def _lab_parser(p: argparse.ArgumentParser) -> None:
    p.description = ("Start JupyterLab (`jupyter lab`) on the project folder with the kit's setting: the notebooks' "
                     "jupytext text files (notebooks/*.py) open as notebooks on a double-click or by their URL. "
                     "`pip install` puts the setting in the environment, so a plain `jupyter lab` does the same; "
                     "this command also reads it where the kit was installed without it. Stop it with Ctrl-C.")
    p.add_argument("path", nargs="?", help="a notebook to open at start, e.g. notebooks/e5-hikvision-2022.py")
    p.add_argument("--port", type=int, help="the port (default 8888, or the next free one)")
    p.add_argument("--no-browser", action="store_true", help="print the URL instead of opening a browser")
    p.set_defaults(handler=cmd_lab)


def cmd_lab(args: argparse.Namespace) -> int:
    """Replace this process by ``jupyter lab`` on the project folder, the kit's Jupyter configuration
    (config.JUPYTER_CONFIG) put first on the path, whether or not the environment holds its setting."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={config.PROJECT_ROOT}"]
    command += [f"--port={args.port}"] if args.port else []
    command += ["--no-browser"] if args.no_browser else []
    command += ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []   # containers, CI
    command += [args.path] if args.path else []
    sys.stdout.flush()
    os.execve(sys.executable, command, {**os.environ, "JUPYTER_CONFIG_PATH": config.jupyter_config_path()})
    return 0    # not reached: the process is JupyterLab now


def cmd_report(args: argparse.Namespace) -> int:
    """Execute one notebook (or all) and print the files written."""
    from research.report import notebooks
    from research.report.newevent import catalogue_path

    if not args.require_adjusted:
        return _report(args, notebooks, catalogue_path)
    with config.adjusted_required():  # the notebooks' kernels inherit it
        return _report(args, notebooks, catalogue_path)


def _report(args, notebooks, catalogue_path) -> int:
    names = _names(args)
    strict = args.strict
    failures = []
    if args.jobs is not None and args.jobs < 1:
        raise ResearchError(f"--jobs {args.jobs}: run at least one notebook at a time")
    if args.all:
        folders = _output_folders(args.out, [Path(args.out) / n for n in names] if args.out else
                                  [config.results_dir() / n for n in names], args.force)
    else:
        stem = Path(names[0]).stem if Path(names[0]).suffix else names[0]
        folders = _output_folders(None, [Path(args.out) if args.out else config.results_dir() / stem], args.force)
    if args.all:
        _mark(folders)
        jobs = args.jobs or os.cpu_count() or 1
        print(f"running {len(names)} notebooks, {jobs} at a time", flush=True)
        finished = []

        def progress(item):
            finished.append(item)
            failed = isinstance(item, notebooks.Failure)
            state = f"FAILED after {item.seconds:.0f} s" if failed else f"done in {item.seconds:.0f} s"
            print(f"  [{len(finished)}/{len(names)}] {item.name} {state}", flush=True)

        runs = notebooks.execute_many(names, args.out, jobs=jobs, strict=strict, notebooks=args.notebooks,
                                      progress=progress, failures=failures)
    else:
        name = names[0]
        parameters, source = _report_target(name, args, notebooks, catalogue_path)
        _mark(folders)
        print(f"running {name} ...", flush=True)
        runs = [notebooks.execute(name, args.out, parameters, strict=strict, notebooks=args.notebooks,
                                  source=source)]
    for run in runs:
        print(f"{run.name}: executed in {run.seconds:.1f} s -> {run.folder}")
        print(f"  notebook {run.notebook.name}; {len(run.tables)} tables (tables/*.csv), "
              f"{len([f for f in run.figures if f.suffix == '.png'])} figures (figures/*.png, *.pdf)")
        problems = notebooks.check_run(run.notebook)
        if problems:  # the numbers of the abstract and conclusion against the cells they name
            print(f"  prose: {len(problems)} problem(s) with the numbers of the abstract and conclusion:",
                  file=sys.stderr)
            for problem in problems:
                print(f"    {problem}", file=sys.stderr)
    for failure in failures:
        print(f"{failure.name}: FAILED: {failure.message}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} of {len(names)} notebooks failed ({', '.join(f.name for f in failures)}); the "
              f"others' outputs are written", file=sys.stderr)
        return 1
    return 0


def _report_target(name: str, args, notebooks, catalogue_path):
    """(parameters, source) for ``research report name``: its own notebook, or the template."""
    folder = notebooks.notebooks_dir(args.notebooks)
    own = folder / f"{name}.py"
    parameters = {}
    cat = catalogue_path(args.catalogue)
    from research import config

    if own.is_file():
        declared = notebooks.parameters_of(notebooks.read_source(own))
        if "catalogue" in declared and cat != config.EVENTS_FILE:
            parameters["catalogue"] = str(cat)
        return parameters, own
    from research.events.catalogue import load_catalogue

    catalogue = load_catalogue(cat)
    if name in list(catalogue):  # Catalogue.__contains__ raises for a missing id
        parameters = {"event": name}
        if cat != config.EVENTS_FILE:
            parameters["catalogue"] = str(cat)
        return parameters, notebooks.source_path(notebooks.TEMPLATE, config.NOTEBOOKS_DIR)
    episodes = list(dict.fromkeys(e.episode for e in catalogue.values()))
    raise ResearchError(f"unknown episode or event {name!r}: episodes are {', '.join(episodes)} and overview; "
                        f"events are listed by `research events`; a new event is added with `research new-event`")


def cmd_paper(args: argparse.Namespace) -> int:
    """Export the paper of one executed notebook (or all) and print the files written."""
    from research.report import paper

    names = _names(args)
    formats = ("html",) if args.html else ("html", "pdf")
    if args.all and args.run:
        raise ResearchError("--run names one run folder; with --all each notebook's is data/results/ID")
    if args.out:
        root = _output_folders(args.out, [], args.force) if args.all else []
        outs = _output_folders(None, [Path(args.out) / n for n in names] if args.all else [args.out], args.force)
    for i, name in enumerate(names):
        if not (paper.run_folder(name, args.run) / f"{name}.ipynb").is_file():
            _check_known(name)
        out = None
        if args.out:
            paper.executed_notebook(name, args.run)     # it exists and ran: only then create --out
            _mark(root + [outs[i]])
            out = outs[i]
        result = paper.export(name, run=args.run, out=out, formats=formats, authors=args.author)
        written = ", ".join(str(p) for p in (result.pdf, result.html) if p)
        print(f"{name}: \"{result.title}\", {result.figures} figures, {result.tables} tables, "
              f"{len(result.references)} references -> {written}")
    return 0


def _output_folders(root, folders, force: bool) -> list[Path]:
    """Every output folder (and ``root``, the --out of --all) checked before any work by the
    kit's one rule (:func:`research.outputs.check_output_folder`); nothing is created."""
    from research.outputs import check_output_folder

    return ([check_output_folder(root, force=force)] if root else []) + \
        [check_output_folder(f, force=force) for f in folders]


def _mark(folders) -> None:
    """Create the folders with the kit's marker, so a later run may write there again."""
    from research.outputs import mark

    for folder in folders:
        mark(folder)


def _check_known(name: str) -> None:
    """Raise for an id that is neither a notebook nor a catalogue event, listing what exists."""
    from research.events.catalogue import load_catalogue
    from research.report import notebooks
    from research.report.newevent import catalogue_path

    if (notebooks.notebooks_dir() / f"{name}.py").is_file():
        return
    catalogue = load_catalogue(catalogue_path())
    if name in list(catalogue):
        return
    raise ResearchError(f"unknown episode or event {name!r}: the episodes are {', '.join(notebooks.ALL_NOTEBOOKS)}; "
                        f"`research events` lists the events")


def _names(args) -> list[str]:
    from research.report.notebooks import ALL_NOTEBOOKS

    if args.all and args.id:
        raise ResearchError("give an ID or --all, not both")
    if args.all:
        return list(ALL_NOTEBOOKS)
    if not args.id:
        raise ResearchError(f"name what to run: an ID ({', '.join(ALL_NOTEBOOKS)}, or a new event's id) or --all")
    return [args.id]


def cmd_new_event(args: argparse.Namespace) -> int:
    """Add the event to the catalogue and write its notebook."""
    from research.events.catalogue import EPISODES, INSTRUMENTS, PRECISIONS, PROGRAMMES
    from research.report.newevent import NewEvent, add_event, parse_claim, parse_listing

    ask = _Asker(interactive=sys.stdin.isatty())
    values = {
        "id": ask(args.id, "id", "event id (lower-case slug, e.g. entity-list-2023)"),
        "episode": ask(args.episode, "episode", f"episode ({', '.join(EPISODES)}; empty: its own)", optional=True),
        "title": ask(args.title, "title", "title (one line)"),
        "announced": ask(args.announced, "announced", "announced (local time YYYY-MM-DD or YYYY-MM-DD HH:MM)"),
        "timezone": ask(args.timezone, "timezone", "timezone (IANA, e.g. America/New_York)"),
        "precision": ask(args.precision, "precision", f"precision ({', '.join(PRECISIONS)})"),
        "authority": ask(args.authority, "authority", "authority (who acted)"),
        "programme": ask(args.programme, "programme", f"programme ({', '.join(PROGRAMMES)})"),
        "instrument": ask(args.instrument, "instrument", f"instrument ({', '.join(INSTRUMENTS)})"),
        "listing": ask(args.listing, "listing", "listings, comma-separated TICKER:ROLE[:ENTITY]", many=True),
        "source": ask(args.source, "source", "sources, comma-separated (seed file, document or URL)", many=True),
    }
    ask.finish()
    listings = [parse_listing(x) for x in values["listing"]]
    claims = [parse_claim(x) for x in args.claim or []]
    event = NewEvent(id=values["id"], episode=values["episode"], title=values["title"], time=values["announced"],
                     timezone=values["timezone"], precision=values["precision"], authority=values["authority"],
                     programme=values["programme"], instrument=values["instrument"], listings=listings, sources=values["source"],
                     entities=args.entity or [], note=args.note, claims=claims,
                     authors=args.author or [])
    # checks the catalogue and the notebook target before writing either
    added = add_event(event, args.catalogue, notebooks=args.notebooks, force=args.force)
    new = added.event
    print(f"added {new.id} to {added.catalogue}: {len(new.listings)} listing(s), "
          f"announced {new.announced.describe()}")
    if new.claims:
        print(f"{len(new.claims)} claim(s): " + "; ".join(f"{c.id} ({c.ticker} {c.date})" for c in new.claims))
    print(f"notebook {added.notebook}")
    opts = (f" --catalogue {added.catalogue}" if args.catalogue else "") + (f" --notebooks {args.notebooks}" if args.notebooks else "")
    print(f"next: `research report {new.id}{opts}`, then `research paper {new.id}`")
    return 0


class _Asker:
    """Options given on the command line, or asked for on a terminal; missing ones listed."""

    def __init__(self, interactive: bool):
        self.interactive = interactive
        self.missing: list[str] = []

    def __call__(self, given, option: str, prompt: str, many: bool = False, optional: bool = False):
        if given or (optional and not self.interactive):
            return given or ""
        if not self.interactive:
            self.missing.append(f"--{option}")
            return [] if many else ""
        answer = input(f"{prompt}: ").strip()
        if not answer and not optional:
            self.missing.append(f"--{option}")
        return [a.strip() for a in answer.split(",") if a.strip()] if many else answer

    def finish(self) -> None:
        if self.missing:
            raise ResearchError("new-event needs " + ", ".join(self.missing)
                                + " (give them as options, or run it on a terminal to be asked)")
