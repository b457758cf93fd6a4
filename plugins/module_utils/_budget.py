# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""A request budget shared by every process on the controller that uses the same credential and base URL: at most
``budget`` requests in any ``window`` seconds. Standard library only; it knows nothing of HTTP.

The state is a sliding-window log of send times (Cloudflare's own model) in a sqlite3 file under a directory private
to the effective user, named by a hash of the credential's fingerprint, the budget and the window; it holds no secret.

Why no window ever sees more than ``budget`` sends: every send time is reserved inside one ``BEGIN IMMEDIATE``
transaction (one writer at a time), never earlier than any time reserved before it, and only when fewer than
``budget`` reserved times lie in the ``window`` seconds before it. So the times are sorted in the order they were
reserved, and any ``budget`` + 1 consecutive ones span more than ``window`` seconds: a window holding ``budget`` + 1
sends would hold the last of them with ``budget`` others in the window before it, which its reservation excluded.
Entries that lower the budget (the server's remaining count, until the server's window resets) only add to the log,
and nothing ever removes an entry that is still inside a window, so nothing adds slots. A wall clock that went
backwards counts as no time passed: the whole log moves back by the same amount, which keeps its order and its gaps,
so it cannot reopen a window either.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import sqlite3
import stat
import tempfile
import time

LOW_WATER = 0.1  # of the server's quota: below it, the server's remaining count lowers the free slots
_EPSILON = 1e-6  # keeps a reserved time strictly past the window it waited for, whatever the float rounding
_SCHEMA = ('CREATE TABLE IF NOT EXISTS sends (at REAL NOT NULL, kind TEXT NOT NULL)',
           'CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 0), clock REAL NOT NULL,'
           ' closed_until REAL NOT NULL)',
           'INSERT OR IGNORE INTO state VALUES (0, 0, 0)')
REASONS = {'send': 'budget', 'remaining': 'remaining count'}


def directory():
    """Where budget files live: $XDG_RUNTIME_DIR/zerotrust.cloudflare when that directory is the effective user's,
    else <temp dir>/zerotrust.cloudflare-<euid>; created 0700. Raises OSError when it is not safe to use."""
    euid = os.geteuid()
    runtime = os.environ.get('XDG_RUNTIME_DIR')
    try:
        use_runtime = bool(runtime) and os.path.isabs(runtime) and os.lstat(runtime).st_uid == euid
    except OSError:
        use_runtime = False
    path = (os.path.join(runtime, 'zerotrust.cloudflare') if use_runtime
            else os.path.join(tempfile.gettempdir(), 'zerotrust.cloudflare-%d' % euid))
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    # Another user may have made it first in a shared temp dir, or made it a symlink: then it is not ours.
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != euid or stat.S_IMODE(info.st_mode) & 0o077:
        raise OSError('%s is not a directory private to this user (owner, mode 0700, no symlink)' % path)
    return path


class Budget(object):
    """One process's handle on a shared budget. ``warn`` receives the one warning when the file cannot be used (the
    budget is then this process's own); ``clock`` and ``sleep`` are the wall clock and the sleep, for tests."""

    def __init__(self, key, budget, window, warn, clock=None, sleep=None, path=None):
        self.budget = budget
        self.window = float(window)
        self._warn = warn
        self._clock = clock  # None: time.time and time.sleep, looked up when used
        self._sleep = sleep
        name = hashlib.sha256(('%s\n%d\n%r' % (key, budget, self.window)).encode('utf-8')).hexdigest()[:32]
        self._path = path
        self._name = 'budget-%s.sqlite3' % name
        self._db = None
        self._file = None
        self._identity = None  # (device, inode) of the file opened
        self._recreated = False
        self._reopened = 0
        self.shared = True
        self.last_send = None  # the send time the last acquire() reserved
        self.waits = []  # (reason, seconds) of each wait, budget and 429 alike

    # --- the three things a caller does --------------------------------------------

    def acquire(self):
        """Reserve the earliest send time the budget allows and sleep until it; returns the seconds waited."""
        start, now, reason = self._run(self._reserve)
        self.last_send = start
        if start <= now:
            return 0.0
        (self._sleep or time.sleep)(start - now)  # outside the transaction: the others reserve meanwhile, no polling
        self.waits.append((reason, start - now))
        return start - now

    def lower(self, remaining, quota, reset=None):
        """The server's remaining count (of ``quota``, until its window resets in ``reset`` seconds): below the
        low-water mark the free slots drop to it until then, never rise."""
        if remaining is None or not quota or remaining >= LOW_WATER * quota:
            return
        hold = self.window if reset is None else min(max(0.0, float(reset)), self.window)
        self._run(lambda db, now: self._lower(db, now, max(0, int(remaining)), hold))

    def close(self, seconds):
        """A 429 asked to wait ``seconds``: no process of this budget sends before then."""
        self._run(lambda db, now: db.execute('UPDATE state SET closed_until = max(closed_until, ?)', (now + seconds,)))

    # --- the log ---------------------------------------------------------------------

    def _reserve(self, db, now):
        db.execute('DELETE FROM sends WHERE at <= ?', (now - self.window,))  # past every window from now on
        closed_until = db.execute('SELECT closed_until FROM state').fetchone()[0]
        log = db.execute('SELECT at, kind FROM sends ORDER BY at').fetchall()
        start, reason = max(now, closed_until), '429'
        if log and log[-1][0] > start:
            start, reason = log[-1][0], REASONS[log[-1][1]]
        inside = [entry for entry in log if entry[0] > start - self.window]
        if len(inside) >= self.budget:
            # The oldest entry that must leave the window first; the server's count is the reason if it took slots.
            start = inside[len(inside) - self.budget][0] + self.window + _EPSILON
            reason = REASONS['remaining' if any(kind == 'remaining' for _at, kind in inside) else 'send']
        db.execute('INSERT INTO sends VALUES (?, ?)', (start, 'send'))
        return start, now, reason

    def _lower(self, db, now, remaining, hold):
        count = db.execute('SELECT count(*) FROM sends WHERE at > ?', (now - self.window,)).fetchone()[0]
        extra = self.budget - count - remaining
        if extra > 0:
            # Entries that leave the window when the server's own window resets (``hold`` seconds from now). They
            # may sort before sends: sends are still reserved after every entry, which is what the bound needs.
            db.executemany('INSERT INTO sends VALUES (?, ?)', [(now + hold - self.window, 'remaining')] * extra)

    # --- the file ----------------------------------------------------------------------

    def _run(self, work):
        """``work(db, now)`` in one BEGIN IMMEDIATE transaction; a corrupt file is recreated once, an unusable one
        replaced by this process's own budget, with one warning."""
        while True:
            db = self._connection()
            try:
                db.execute('BEGIN IMMEDIATE')
                try:
                    now, clock = (self._clock or time.time)(), db.execute('SELECT clock FROM state').fetchone()[0]
                    if now < clock:
                        # A clock that went backwards: no time passed. The whole log moves back with it, so every
                        # entry keeps its distance from now and sleeps stay real.
                        db.execute('UPDATE sends SET at = at - ?', (clock - now,))
                        db.execute('UPDATE state SET closed_until = closed_until - ?', (clock - now,))
                    db.execute('UPDATE state SET clock = ?', (now,))
                    result = work(db, now)
                except BaseException:
                    if db.in_transaction:
                        db.execute('ROLLBACK')
                    raise
                db.execute('COMMIT')
                return result
            except sqlite3.DatabaseError as exc:
                if not self.shared:
                    raise
                self._recover(exc)

    def _connection(self):
        while self._db is None:
            try:
                self._db = self._open()
            except (OSError, sqlite3.DatabaseError) as exc:
                self._recover(exc)
        return self._db

    def _open(self):
        path = os.path.join(self._path or directory(), self._name)
        # Created 0600 without following a symlink; one that exists must be this user's plain file.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600))
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise OSError('%s is not a file of this user' % path)
        self._file, self._identity = path, (info.st_dev, info.st_ino)
        return self._connect(path)

    def _replaced(self):
        """Whether the file at the path is no longer the one this process opened (another process recreated it)."""
        try:
            info = os.lstat(self._file)
        except OSError:
            return True
        return (info.st_dev, info.st_ino) != self._identity

    def _connect(self, path):
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE), not Python's implicit ones. The default
        # rollback journal, never WAL, which fails on NFS. 30 s: how long to wait for another process's transaction.
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        # SQLite's default synchronous=FULL stays. With it off, the scaled-down fleet of the benchmark (50 per 10 s
        # against a limit of 60) was locked out 1 and 3 times in two runs, against 0 with it on: likely because a
        # burst's reservations then fall within milliseconds, and the server receives such a burst later than reserved.
        for statement in _SCHEMA:
            db.execute(statement)
        return db

    def _recover(self, exc):
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._file and self._identity and self._reopened < 3 and self._replaced():
            # Another process recreated a corrupt file meanwhile (SQLite then says "readonly database"): use its file.
            self._reopened += 1
            return
        corrupt = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
        if corrupt and self._file and not self._recreated:
            self._recreated = True
            try:
                os.unlink(self._file)  # the file this process opened: _replaced() said the path still holds it
                return
            except OSError as error:
                exc = error
        self.shared = False
        self._warn('The request budget shared by the processes on this controller cannot be used (%s): this process'
                   ' keeps its own budget of %d requests per %g s, which the other processes do not see.'
                   % (exc, self.budget, self.window))
        self._db = self._connect(':memory:')
