"""The sent journal: what a provider accepted, on disk before anything else is done about it.

Recording a send in the database can wait: on SQLite behind the write lock (the inbound pipeline's
group-commit writer, a broadcast fan-out), on PostgreSQL for a pooled connection or a row lock. A
dispatcher killed while it waits would leave accepted messages `sending`, and once their lease ran out
they would go to the resident again (bench/README.md measured seconds of this under inbound load). So
each acceptance is first appended to a file of this dispatcher's own, by one `write` on the event loop as
soon as the provider's answer is read: that survives the process (the kernel has it) whatever the
database is doing. A thread `fdatasync`s the file behind the writes (a few ms later), so that an
operating-system crash loses at most what arrived since the last sync.

Every dispatcher holds an exclusive `flock` on its file while it lives; the kernel drops it when the
process dies. A file that can be locked therefore belongs to a dead dispatcher: before each claim, a
dispatcher reads such files in the same directory, records what they say as sent, and deletes them
(`Orphan`). A dead dispatcher's rows are claimed again only when their lease (minutes) runs out, and a
restarted process, or any other dispatcher on the machine, reads the journal long before that.

A dispatcher empties its own file whenever everything in it has been recorded in the database, so it
holds at most the sends of the pass in progress. The directory must be local (flock over NFS is not
reliable) and belong to one database: `bot/delivery.py` chooses it.
"""

import contextlib
import fcntl
import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import orjson

log = logging.getLogger("kentongan.journal")

SUFFIX = ".journal"
_NEW = ".new"  # a journal being created: not yet locked and renamed into place


@dataclass(frozen=True, slots=True)
class Entry:
    """One acceptance: our outbox row id, the provider's id for it, and when (Unix seconds)."""

    outbox_id: int
    provider_id: str | None
    at: float


@dataclass(slots=True)
class Orphan:
    """A dead dispatcher's journal, locked by us until `SentJournal.release`."""

    path: Path
    fd: int
    entries: list[Entry] = field(default_factory=list)


def encode(entry: Entry) -> bytes:
    """One line; JSON, since a provider id is the provider's text."""
    return orjson.dumps([entry.outbox_id, entry.provider_id, entry.at]) + b"\n"


def decode(data: bytes) -> list[Entry]:
    """The entries of a journal's bytes. A line without its newline (a write cut by a power loss) and
    anything unreadable are skipped: an entry is either whole or was never known."""
    entries = []
    for line in data.split(b"\n")[:-1]:
        try:
            outbox_id, provider_id, at = orjson.loads(line)
        except (orjson.JSONDecodeError, ValueError, TypeError):
            continue
        if (
            isinstance(outbox_id, int)
            and (provider_id is None or isinstance(provider_id, str))
            and isinstance(at, int | float)
        ):
            entries.append(Entry(outbox_id, provider_id, float(at)))
    return entries


def _lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _sync_directory(directory: Path) -> None:
    """Make a created, renamed or removed name durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SentJournal:
    """This dispatcher's journal file in `directory`, and the orphaned ones beside it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path: Path | None = None
        self._fd = -1
        self._size = 0  # bytes written since the file was last emptied
        self._dirty = False
        self._closing = False
        self._changed = threading.Condition()
        self._syncer: threading.Thread | None = None

    # --- this dispatcher's file ---------------------------------------------------------------------

    def open(self) -> None:
        """Create and lock a file of our own (locked before its name can be seen as a journal)."""
        for _ in range(5):
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
            new = self.directory / f".{name}{_NEW}"
            try:
                fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
            except FileNotFoundError:  # the last dispatcher to stop removed the empty directory
                continue
            path = self.directory / f"{name}{SUFFIX}"
            try:
                # Another dispatcher's scan may have taken the brand-new file for a dead one's (it
                # cannot tell before we lock it) and removed it: then start again under a new name.
                if _lock(fd) and os.fstat(fd).st_nlink:
                    os.rename(new, path)
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        else:
            raise OSError(f"could not create a journal in {self.directory}")
        _sync_directory(self.directory)
        self.path, self._fd, self._size = path, fd, 0
        self._closing = False
        self._syncer = threading.Thread(target=self._sync_loop, name="sent-journal-sync", daemon=True)
        self._syncer.start()

    def append(self, entry: Entry) -> None:
        """Write one acceptance now (one `write`: microseconds, no lock but the syncer's flag)."""
        line = encode(entry)
        os.write(self._fd, line)
        self._size += len(line)
        with self._changed:
            self._dirty = True
            self._changed.notify()

    def reset(self) -> None:
        """Empty the file: the database now holds everything it said."""
        if self._size:
            os.ftruncate(self._fd, 0)
            self._size = 0

    def close(self, *, everything_recorded: bool) -> None:
        """Stop syncing; remove the file when nothing in it is missing from the database, else leave it
        (unlocked) for the next dispatcher's recovery."""
        if self._fd < 0:
            return
        with self._changed:
            self._closing = True
            self._changed.notify()
        if self._syncer is not None:
            self._syncer.join(timeout=10)
        assert self.path is not None
        if everything_recorded:
            self.path.unlink(missing_ok=True)
        else:
            os.fdatasync(self._fd)
        os.close(self._fd)  # drops the lock
        self._fd = -1
        _sync_directory(self.directory)
        with contextlib.suppress(OSError):  # another dispatcher's journal is in it
            self.directory.rmdir()

    def _sync_loop(self) -> None:
        # Group sync: a burst of appends costs one fdatasync (~ms), never one each.
        while True:
            with self._changed:
                while not self._dirty and not self._closing:
                    self._changed.wait()
                if not self._dirty:
                    return
                self._dirty = False
            try:
                os.fdatasync(self._fd)
            except OSError:  # the disk is failing; the writes themselves still outlive the process
                log.exception("syncing the sent journal failed")

    # --- dead dispatchers' files --------------------------------------------------------------------

    def orphans(self) -> list[Orphan]:
        """Journals nobody holds (their dispatcher died), each locked by us until `release` or
        `abandon`."""
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            if not name.endswith((SUFFIX, _NEW)) or (self.path is not None and name == self.path.name):
                continue
            path = self.directory / name
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:  # another dispatcher released it meanwhile
                continue
            if not _lock(fd):  # alive
                os.close(fd)
                continue
            with open(fd, "rb", closefd=False) as file:
                data = file.read()
            found.append(Orphan(path, fd, decode(data)))
        return found

    def release(self, orphan: Orphan) -> None:
        """Delete an orphan whose entries are in the database."""
        orphan.path.unlink(missing_ok=True)
        os.close(orphan.fd)
        _sync_directory(self.directory)

    def abandon(self, orphan: Orphan) -> None:
        """Leave an orphan for a later attempt (recording it failed)."""
        os.close(orphan.fd)
