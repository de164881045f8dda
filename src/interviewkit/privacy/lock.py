"""A project-wide lock for the pseudonym key: load key → pseudonymise → save key → commit.

Two ingestions of one project (two notebooks, a notebook and the command line) would each load the key,
give pseudonyms and save: the later one would find its new pseudonyms clashing with the other's (E605).
Holding this lock, the second run waits until the first has committed, then reads the key the first saved.

The lock is ``PROJECT/private/pseudonymise.lock``, taken with ``fcntl.flock`` (Linux, macOS; released by the
system when the process ends, so a killed run never leaves it behind). On Windows ``msvcrt.locking`` is used.
A network file system that does not support ``flock`` (some NFS set-ups) gives no protection: the key's merge
at save then still refuses a clash with E605 and stores nothing (re-run the import).
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = "pseudonymise.lock"


@contextlib.contextmanager
def project_lock(private_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[Path]:
    """Hold the project's pseudonymisation lock (blocking); ``on_wait()`` is called once if it must wait."""
    path = Path(private_dir) / LOCK_NAME
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _acquire(fd, on_wait)
        try:
            yield path
        finally:
            _release(fd)
    finally:
        os.close(fd)


try:
    import fcntl

    def _acquire(fd: int, on_wait) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _acquire(fd: int, on_wait) -> None:
        waited = False
        while True:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if on_wait and not waited:
                    on_wait()
                waited = True
                time.sleep(0.2)

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
