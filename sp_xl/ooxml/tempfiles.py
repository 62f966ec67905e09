"""Temporary files beside a target: complete and synced before they get a name, and never left
behind for good by a process that was killed.

Where the system allows it (Linux, O_TMPFILE), the data is written into an unnamed file in the
target's folder and only linked to a name once it is complete, just before the rename into
place: a kill during the long write leaves nothing at all. Elsewhere (and for the moment
between link and rename) the temporary name carries the writer's process id,
``.<target>.<pid>.<random>.sp-xl-tmp``, and the next write beside the same target removes the
files of writers that no longer run.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import time
from pathlib import Path

TEMP_SUFFIX = ".sp-xl-tmp"
_STALE_AFTER = 24 * 3600              # where a process cannot be asked whether it lives: a day


def temp_name(folder: Path, target_name: str) -> Path:
    """A name beside the target that says whose it is (and that it may be removed later)."""
    return folder / f".{target_name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


class Pending:
    """``data`` written and synced in the target's folder, given its place by ``commit``.

    Where the system allows, the file has no name until ``commit`` links it and renames it
    into place in one step; a kill before that leaves nothing behind. ``discard`` (safe to call
    after ``commit``) drops it. Raises OSError (nothing left behind) when the folder cannot
    take the data.
    """

    def __init__(self, folder: Path, target_name: str, data: bytes):
        remove_stale(folder, target_name)
        self.tmp = temp_name(folder, target_name)
        self.fd = _unnamed(folder)
        self.named = self.fd is None
        if self.named:
            self.fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            _write(self.fd, data)
        except BaseException:
            self.discard()
            raise

    def commit(self, target: Path, mode: int | None = None) -> None:
        """Put the data at ``target`` (replacing it) with permissions ``mode``."""
        if mode is not None:
            os.chmod(self.tmp, mode) if self.named else os.fchmod(self.fd, mode)
        if not self.named:
            _link(self.fd, self.tmp)
            self.named = True
        os.replace(self.tmp, target)
        self._close()

    def discard(self) -> None:
        self._close()
        if self.named:
            self.tmp.unlink(missing_ok=True)

    def _close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


def _link(fd: int, name: Path) -> None:
    """Give the unnamed file ``fd`` the name ``name`` (linkat through /proc, following the
    link: Python's os.link does not follow /proc's magic links)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_symlink_follow = -100, 0x400
    if libc.linkat(at_fdcwd, f"/proc/self/fd/{fd}".encode(), at_fdcwd, os.fsencode(name), at_symlink_follow) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(name))


def _write(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb", closefd=False) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _unnamed(folder: Path) -> int | None:
    """An unnamed file in ``folder`` (O_TMPFILE), or None where the system has none."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd") or not sys.platform.startswith("linux"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o600)
    except (IsADirectoryError, NotADirectoryError):
        return None                    # some file systems do not support it
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.EISDIR):
            return None
        raise


_NAME = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$")


def remove_stale(folder: Path, target_name: str) -> None:
    """Remove temporary files for ``target_name`` whose writer no longer runs."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        m = _NAME.match(entry.name)
        if m is None or m.group("target") != target_name:
            continue
        pid = int(m.group("pid"))
        if pid == os.getpid() or _alive(pid, entry):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int, entry: os.DirEntry) -> bool:
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True                # it runs, under another user
        return True
    try:
        return time.time() - entry.stat().st_mtime < _STALE_AFTER
    except OSError:
        return True
