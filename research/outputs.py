"""Where the kit writes its results: one rule for every output folder, and atomic writes.

An output folder (``research run --out``, ``report --out``, ``paper --out``, and the folder of
``simulate --out FILE``) is checked before anything is computed or printed:

- it is not inside the price store (:func:`research.config.store_dir`): results never mix
  with the data;
- it is a folder, or does not exist yet and can be created: a file, a read-only folder or a
  pseudo file system (``/proc``) is refused; writability is probed, not guessed, since
  permission bits say nothing to root or about ``/proc``;
- it is empty, or an earlier output of the kit, unless ``force`` is given. An earlier output
  holds the marker file :data:`MARKER`, which every output folder receives, or (outputs
  written before the marker existed) a ``run.json`` with the kit's signature.

The files of one output are staged beside their targets and renamed into place only once all
are written (:func:`write_files`, through :mod:`research.files`), so an interrupted or failed
write leaves the earlier output or the new one, never half a file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from research import config
from research.errors import ResearchError
from research.files import stage, write_text

#: Written into every output folder; its presence lets a later run write there again.
MARKER = ".research-output"


def check_output_folder(path, *, force: bool = False, option: str = "--out") -> Path:
    """``path`` as an absolute folder the kit may write into; :class:`ResearchError` if not.

    Nothing is created. ``force`` allows a non-empty folder that is not an earlier output;
    it never allows the price store, a file, or a folder that cannot be written.
    """
    folder = _resolved(path, option)
    where = f"{option} {path}"
    _check_outside_store(folder, where)
    if folder.exists() and not folder.is_dir():
        raise ResearchError(f"{where} is a file, not a folder; name a folder for the output files")
    _probe(folder, where)
    if folder.is_dir() and not force and not is_kit_output(folder):
        try:
            entries = sorted(p.name for p in folder.iterdir())
        except OSError as exc:
            raise ResearchError(f"{where}: cannot list the folder ({exc.strerror})") from None
        if entries:
            raise ResearchError(
                f"{where} holds other files ({len(entries)} entries, e.g. {entries[0]!r}) and is not an earlier "
                f"output of research; name a new or empty folder, or give "
                f"{'--force' if option.startswith('--') else 'force=True'} to write into it")
    return folder


def check_output_file(path, *, option: str = "--out") -> Path:
    """``path`` as an absolute file the kit may write (replacing a file of that name).

    The user named the file itself, so an existing file is replaced; its folder follows the
    rule of :func:`check_output_folder` except that it may hold other files.
    """
    target = _resolved(path, option)
    where = f"{option} {path}"
    _check_outside_store(target, where)
    if target.is_dir():
        raise ResearchError(f"{where} is a folder; name a file, e.g. {Path(path) / 'table.csv'}")
    if target.parent.exists() and not target.parent.is_dir():
        raise ResearchError(f"{where}: {target.parent} is a file, not a folder")
    _probe(target.parent, where)
    return target


def is_kit_output(folder: Path) -> bool:
    """True when ``folder`` holds the :data:`MARKER` or a ``run.json`` the kit wrote."""
    folder = Path(folder)
    if (folder / MARKER).is_file():
        return True
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if not isinstance(run, dict):
        return False
    provenance = run.get("provenance")
    # research run / EventStudyResults.write, and research report (notebooks.execute)
    return (isinstance(provenance, dict) and str(provenance.get("function", "")).startswith("research.")) \
        or "research_version" in run


def mark(folder: Path) -> None:
    """Create ``folder`` (checked by :func:`check_output_folder`) and leave the marker in it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResearchError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    if not (folder / MARKER).is_file():
        write_text(folder / MARKER, _marker_text())


def write_files(folder: Path, texts: Mapping[str, str]) -> Path:
    """Write ``texts`` (file name -> content) and the marker into ``folder``, all or nothing.

    Every file is first staged beside its target (:func:`research.files.stage`: written and
    flushed); only when all are staged are they renamed into place. On a failure the staged
    files are removed, and a folder this call created is removed again.
    """
    folder = Path(folder)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResearchError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    staged = []
    try:
        for name, text in {**texts, MARKER: _marker_text()}.items():
            staged.append(stage(folder / name, text))
    except BaseException:
        for item in staged:
            item.discard()
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        for item in staged:
            item.commit()
    finally:
        for item in staged:
            item.discard()          # nothing left after a commit; the rest after a failed one
    return folder


# --------------------------------------------------------------------------------------------

def _resolved(path, option: str = "--out") -> Path:
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError, ValueError) as exc:   # a symlink loop, a NUL byte
        raise ResearchError(f"{option} {path}: not a usable path ({exc})") from None


def _check_outside_store(path: Path, where: str) -> None:
    store = _resolved(config.store_dir())
    if path == store or store in path.parents:
        raise ResearchError(f"{where} is inside the price store {store}; write results outside it "
                            f"(default: the results folder {config.results_dir()})")


def _probe(folder: Path, where: str) -> None:
    """Create and remove a folder in ``folder`` (or its nearest existing ancestor)."""
    base = folder
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise ResearchError(f"{where}: {base} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".research-probe-", dir=base))
    except OSError as exc:
        raise ResearchError(f"{where}: cannot write in {base} ({exc.strerror or exc})") from None


def _marker_text() -> str:
    import research

    return (f"written by research {research.__version__}: a later `research run/report/paper --out` "
            f"may write into this folder again\n")
