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

Files are written into a temporary folder beside the target, flushed to disk, and moved into
place by rename (:func:`write_files`), so an interrupted or failed write leaves the earlier
output or the new one, never half a file.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from research import config
from research.errors import ResearchError

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
        if not (folder / MARKER).is_file():
            write_file(folder / MARKER, lambda p: p.write_text(_marker_text(), encoding="utf-8"))
    except OSError as exc:
        raise ResearchError(f"cannot write in {folder}: {exc.strerror or exc}") from None


def write_files(folder: Path, files: Mapping[str, Callable[[Path], object]]) -> Path:
    """Write ``files`` (name -> function writing that path) into ``folder``, all or nothing.

    Every file is written into a temporary folder in ``folder``'s parent and flushed; a new
    folder is then renamed into place in one step, and into an existing folder each file is
    moved by ``os.replace``. On any failure the temporary folder is removed and ``folder`` is
    left as it was.
    """
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(folder)
        tmp.mkdir()          # not mkdtemp: the folder keeps the umask's permissions, not 0700
    except OSError as exc:
        raise ResearchError(f"cannot write in {folder.parent}: {exc.strerror or exc}") from None
    try:
        for name, write in {**files, MARKER: lambda p: p.write_text(_marker_text(), encoding="utf-8")}.items():
            write(tmp / name)
            _fsync(tmp / name)
        _fsync(tmp)
        try:
            os.rename(tmp, folder)          # a new folder appears whole
        except OSError:
            if not folder.is_dir():
                raise
            for name in os.listdir(tmp):    # an existing folder: file by file, each atomically
                os.replace(tmp / name, folder / name)
        _fsync(folder.parent)
    except OSError as exc:
        raise ResearchError(f"cannot write the output files into {folder}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def write_file(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary path)`` then fsync and ``os.replace`` onto ``path``: all or nothing."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResearchError(f"cannot write {path}: {exc.strerror or exc}") from None
    tmp = _temporary(path)       # created by ``write`` with the umask's permissions
    try:
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ResearchError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------------------------

def _temporary(path: Path) -> Path:
    """A fresh name beside ``path`` for its temporary copy."""
    return path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"


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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:         # some file systems cannot sync a folder; the data files are synced
        if not path.is_dir():
            raise
    finally:
        os.close(fd)


def _marker_text() -> str:
    import research

    return (f"written by research {research.__version__}: a later `research run/report/paper --out` "
            f"may write into this folder again\n")
