"""The kit's own text files (catalogue, registry, notebooks): read as UTF-8, written atomically.

Reading turns ``OSError`` and ``UnicodeDecodeError`` into a :class:`ResearchError` naming the file
and the line and byte offset of the first byte that is not UTF-8. Writing goes to a temporary file
beside the target, is flushed to disk (``fsync``) and then renamed over the target
(``os.replace``), so a reader sees the old file or the new one, never a half-written one.
:func:`stage` and :meth:`Staged.commit` are the two halves, for commands that write several files
only once every one of them has been written out.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from research.errors import ResearchError

_BOM = b"\xef\xbb\xbf"


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped); ``what`` names the file in
    messages (``the event catalogue``)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ResearchError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = raw[:offset].count(b"\n") + 1
        raise ResearchError(f"{path}, line {line}: byte {offset} (0x{raw[offset]:02x}) is not UTF-8; "
                            f"save {what} as UTF-8 text") from None


@dataclass
class Staged:
    """A file's new content, written and flushed to a temporary file beside it, not yet in place."""

    target: Path
    temp: Path

    def commit(self) -> None:
        """Put the new content in place (one rename) and flush the folder entry."""
        try:
            os.replace(self.temp, self.target)
            _fsync_folder(self.target.parent)
        except OSError as exc:
            self.discard()
            raise ResearchError(f"cannot write {self.target}: {exc.strerror or exc}") from None

    def discard(self) -> None:
        try:
            self.temp.unlink(missing_ok=True)
        except OSError:
            pass


def stage(target: Path, text: str | bytes) -> Staged:
    """Write ``text`` (UTF-8 text, or bytes as they are) to a temporary file beside ``target`` and
    flush it; the file keeps the target's permissions if it exists (the umask's otherwise)."""
    target = Path(target)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = None
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise ResearchError(f"cannot write {target}: {exc.strerror or exc}") from None
    staged = Staged(target, temp)
    try:
        binary = isinstance(text, bytes)
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
    except OSError as exc:
        staged.discard()
        raise ResearchError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        staged.discard()
        raise
    return staged


def write_text(target: Path, text: str | bytes) -> None:
    """Replace ``target`` by ``text`` (or bytes) atomically."""
    stage(target, text).commit()


@contextlib.contextmanager
def locked(path: Path, what: str, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` across a read-modify-write of it, waiting at most
    ``timeout`` seconds for another holder. The lock is the file's own (``flock``), so no lock file
    is left; a writer replaces the file by a rename, so a lock won on a file no longer at ``path``
    is dropped and taken again on the new one."""
    path = Path(path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            handle = open(path, "rb")
        except OSError as exc:
            raise ResearchError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise ResearchError(f"{what} {path} is being changed by another command; gave up after "
                                        f"{timeout:g} s (RESEARCH_LOCK_TIMEOUT): let it finish, then try again") from None
                time.sleep(0.05)
        try:
            current = os.stat(path).st_ino
        except OSError:
            current = None
        if current == os.fstat(handle.fileno()).st_ino:
            break
        handle.close()  # replaced while we waited: lock the file now at path
    with handle:  # closing the file releases the lock
        yield


def _fsync_folder(folder: Path) -> None:
    """Flush the rename itself (POSIX); folders cannot be opened for this on some systems."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
