# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared request budget on real files: with a fake clock, no window ever holds more than the budget, whatever
several processes sharing the file do; with real processes, the send times they reserve keep to the window."""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import stat

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _budget


class FakeClock:
    """A wall clock the test moves; sleeping records the wait without moving it (other processes go on meanwhile)."""

    def __init__(self, now=1000.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)


def budget(tmp_path, clock, size=5, window=10, key='credential', warnings=None):
    warn = warnings.append if warnings is not None else pytest.fail
    return _budget.Budget(key, size, window, warn, clock=clock, sleep=clock.sleep, path=str(tmp_path))


def assert_within_budget(times, size, window):
    """No window of ``window`` seconds (from a moment on, up to but not including its end) holds more than ``size`` of
    ``times``: any ``size`` + 1 of them span at least ``window``."""
    times = sorted(times)
    for first, last in zip(times, times[size:]):
        assert last - first >= window - 1e-9


def test_below_the_budget_nothing_waits(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    assert [shared.acquire() for dummy in range(5)] == [0.0] * 5
    assert shared.waits == []


def test_a_full_window_waits_until_its_oldest_send_leaves_it(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock), budget(tmp_path, clock)
    for step in range(5):
        first.acquire()
        clock.now += 1
    assert second.acquire() == pytest.approx(5.0)  # the send at 1000 leaves the window at 1010; now is 1005
    assert second.waits == [('budget', pytest.approx(5.0))]
    assert second.acquire() == pytest.approx(6.0)  # queued behind the first waiter, never beside it


@pytest.mark.parametrize('seed', range(20))
def test_no_window_ever_sees_more_than_the_budget(tmp_path, seed):
    """Many random reservations, lowerings, 429s and a clock that sometimes goes back, from several processes."""
    rng = random.Random(seed)
    clock = FakeClock()
    size, window = rng.randint(1, 8), rng.choice([1, 5, 10, 2.5])
    processes = [budget(tmp_path, clock, size, window) for dummy in range(4)]
    sends = []
    # A clock that goes back counts as no time passed: the budget moves its log back with it. The sends are compared
    # on a clock that never goes back (the wall clock plus every step back so far).
    last_seen, offset = clock.now, 0.0
    for dummy in range(300):
        process = rng.choice(processes)
        clock.now += rng.choice([0, 0, 0.01, 0.3, 1, 4, -3])
        offset += max(0.0, last_seen - clock.now)
        last_seen = clock.now
        action = rng.random()
        if action < 0.8:
            process.acquire()
            sends.append(process.last_send + offset)
        elif action < 0.95:
            process.lower(rng.randint(0, 10), 60, rng.choice([None, 0, 1, 5, 100]))
        else:
            process.close(rng.random() * 3)
    assert_within_budget(sends, size, window)


def test_a_clock_that_went_back_counts_as_no_time_passed(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, size=1)
    shared.acquire()
    clock.now -= 3600
    assert shared.acquire() == pytest.approx(10.0)


class SleepingClock(FakeClock):
    """A clock that sleeping moves, as the real one does for a lone process."""

    def sleep(self, seconds):
        super().sleep(seconds)
        self.now += seconds


def test_after_a_clock_went_back_the_waits_stay_one_window_per_budget(tmp_path):
    # An hour ahead for one request, then set right: the log moves back with the clock, so sleeping moves time on
    # again (before, each budget's worth of requests waited one window longer than the one before, for good).
    clock = SleepingClock()
    shared = budget(tmp_path, clock, size=2)
    clock.now += 3600
    shared.acquire()
    clock.now -= 3600
    waits = [shared.acquire() for dummy in range(10)]
    assert max(waits) <= 10.0 + 1e-3
    assert sum(waits) == pytest.approx(50.0, abs=0.01)  # 11 sends at 2 per 10 s: the 3rd, 5th ... 11th wait 10 s


def test_the_remaining_count_lowers_the_free_slots_below_the_low_water_mark_only(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, size=10)
    shared.lower(6, 60)  # 10 % of 60 is the mark: not below it
    shared.lower(50, 60)  # never raises
    assert [shared.acquire() for dummy in range(10)] == [0.0] * 10
    clock.now += 20
    shared.lower(2, 60)
    assert [shared.acquire() for dummy in range(3)] == [0.0, 0.0, pytest.approx(10.0)]
    assert shared.waits[-1][0] == 'remaining count'


def test_the_lowered_slots_come_back_when_the_server_window_resets(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, size=10, window=300)
    shared.lower(0, 60, reset=4)  # nothing left until the server's window resets in 4 s, not in our 300
    assert shared.acquire() == pytest.approx(4.0)
    assert shared.waits == [('remaining count', pytest.approx(4.0))]


def test_a_429_closes_the_budget_for_every_process(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock), budget(tmp_path, clock)
    first.close(7)
    assert second.acquire() == pytest.approx(7.0)
    assert second.waits == [('429', pytest.approx(7.0))]


def test_another_credential_or_budget_has_its_own_file(tmp_path):
    clock = FakeClock()
    for key, size in (('one', 1), ('two', 1), ('one', 2)):
        assert budget(tmp_path, clock, size=size, key=key).acquire() == 0.0
    names = os.listdir(tmp_path)
    assert len(names) == 3
    assert not any('one' in name or 'two' in name for name in names)


def test_the_file_is_private_and_holds_no_secret(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, key='secret-token-value')
    shared.acquire()
    (name,) = os.listdir(tmp_path)
    assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
    assert b'secret-token-value' not in (tmp_path / name).read_bytes()


def test_a_corrupt_file_is_recreated_once(tmp_path):
    clock = FakeClock()
    budget(tmp_path, clock).acquire()
    (name,) = os.listdir(tmp_path)
    (tmp_path / name).write_bytes(b'not a database at all' * 100)
    shared = budget(tmp_path, clock)
    assert shared.acquire() == 0.0
    assert shared.shared
    with sqlite3.connect(str(tmp_path / name)) as db:
        assert db.execute('SELECT count(*) FROM sends').fetchone() == (1,)


def test_an_unusable_file_degrades_to_a_budget_of_this_process_with_one_warning(tmp_path):
    clock = FakeClock()
    warnings = []
    shared = budget(tmp_path, clock, size=2, warnings=warnings)
    os.mkdir(tmp_path / shared._name)  # a directory where the file should be: no user, root included, can open it
    assert [shared.acquire() for dummy in range(3)] == [0.0, 0.0, pytest.approx(10.0)]
    assert not shared.shared
    assert len(warnings) == 1 and 'own budget of 2 requests per 10 s' in warnings[0]


def test_processes_on_a_corrupt_file_end_up_sharing_the_recreated_one(tmp_path):
    # Both have the file open when it is corrupted: the first recreates it, and the second must follow it there,
    # neither unlinking the new file nor falling back to a budget of its own.
    clock = FakeClock()
    warnings = []
    first, second = budget(tmp_path, clock, size=3, warnings=warnings), budget(tmp_path, clock, size=3, warnings=warnings)
    first.acquire()
    second.acquire()
    (name,) = os.listdir(tmp_path)
    (tmp_path / name).write_bytes(b'not a database at all' * 100)
    first.acquire()
    second.acquire()
    assert first.shared and second.shared and warnings == []
    assert os.listdir(tmp_path) == [name]
    with sqlite3.connect(str(tmp_path / name)) as db:
        assert db.execute('SELECT count(*) FROM sends').fetchone() == (2,)  # both sends since the recreation
    assert [first.acquire(), second.acquire()] == [0.0, pytest.approx(10.0)]  # 3 per window, together


def test_the_directory_is_private_to_the_user(tmp_path, monkeypatch):
    runtime = tmp_path / 'run'
    runtime.mkdir()
    monkeypatch.setenv('XDG_RUNTIME_DIR', str(runtime))
    path = _budget.directory()
    assert path == str(runtime / 'zerotrust.cloudflare')
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o700
    os.chmod(path, 0o755)
    with pytest.raises(OSError):
        _budget.directory()
    os.rmdir(path)
    os.symlink(str(tmp_path), path)
    with pytest.raises(OSError):
        _budget.directory()


def _process(path, size, window, count, results):
    shared = _budget.Budget('credential', size, window, warn=print, path=path)
    sends = []
    for dummy in range(count):
        shared.acquire()
        sends.append(shared.last_send)
    results.put((shared.shared, sends))


def test_real_processes_share_the_window(tmp_path):
    size, window, count = 3, 1.0, 3
    results = multiprocessing.get_context('spawn').Queue()
    processes = [multiprocessing.get_context('spawn').Process(target=_process, args=(str(tmp_path), size, window, count, results))
                 for dummy in range(4)]
    for process in processes:
        process.start()
    answers = [results.get(timeout=60) for dummy in processes]
    for process in processes:
        process.join(timeout=60)
    assert all(shared for shared, dummy in answers)
    sends = [at for dummy, times in answers for at in times]
    assert len(sends) == 12
    assert_within_budget(sends, size, window)
