# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records how long each task and each play take, for the benchmarks.

Enable it with ANSIBLE_CALLBACK_PLUGINS pointing at this directory and
ANSIBLE_CALLBACKS_ENABLED=task_timer; it writes JSON to the file named by
TASK_TIMER_OUTPUT when the playbook ends:

    {"tasks": [{"name", "action", "started", "ended", "seconds", "hosts": {host: status}}],
     "plays": [{"name", "seconds"}]}

A task's time runs from the moment the strategy starts it to the last result
of any host, the same span ansible.posix's profile_tasks reports.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: task_timer
type: aggregate
short_description: write task and play durations to a JSON file
description:
  - Writes the wall time of every task and play to the file named by the TASK_TIMER_OUTPUT environment variable.
requirements:
  - enabled with callbacks_enabled
'''


class CallbackModule(CallbackBase):
    """Task and play durations, written as JSON at the end of the playbook."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = []
        self.plays = []
        self.play_started = None

    def _close_play(self):
        if self.play_started is not None:
            self.plays[-1]['seconds'] = time.perf_counter() - self.play_started
            self.play_started = None

    def v2_playbook_on_play_start(self, play):
        self._close_play()
        self.plays.append({'name': play.get_name(), 'seconds': None})
        self.play_started = time.perf_counter()

    def v2_playbook_on_task_start(self, task, is_conditional):
        now = time.perf_counter()
        self.tasks.append({'name': task.get_name(), 'action': task.action, 'started': now, 'ended': now, 'seconds': 0.0,
                           'hosts': {}})

    def _record(self, result, status):
        if not self.tasks:
            return
        entry = self.tasks[-1]
        entry['ended'] = time.perf_counter()
        entry['seconds'] = entry['ended'] - entry['started']
        entry['hosts'][result._host.get_name()] = status  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record(result, 'changed' if result._result.get('changed') else 'ok')  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._close_play()
        path = os.environ.get('TASK_TIMER_OUTPUT')
        if path:
            with open(path, 'w', encoding='utf-8') as output:
                json.dump({'tasks': self.tasks, 'plays': self.plays}, output, indent=1)
