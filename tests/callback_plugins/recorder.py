# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records what a playbook run does, for the tests and the benchmark (tests/harness.py enables it).

Appends one JSON line per event to the file named by RECORDER_OUTPUT, each with a ``time`` (seconds, from one
monotonic clock): ``{"event": "play", "name"}``, ``{"event": "task", "name", "action"}``, ``{"event": "result",
"host", "task", "status", "result"}`` and, at the end, ``{"event": "stats"}``.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: recorder
type: aggregate
short_description: write plays, tasks and task results to a JSON-lines file
description:
  - Appends every play, task and task result to the file named by the RECORDER_OUTPUT environment variable.
requirements:
  - enabled with callbacks_enabled
'''


class CallbackModule(CallbackBase):
    """One JSON line per play, task, result and the final stats."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'recorder'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, event, **data):
        path = os.environ.get('RECORDER_OUTPUT')
        if not path:
            return
        data.update(event=event, time=time.perf_counter())
        with open(path, 'a', encoding='utf-8') as output:
            output.write(json.dumps(data, default=repr) + '\n')

    def _result(self, result, status):
        self._write('result', host=result._host.get_name(), task=result._task.get_name(),  # pylint: disable=protected-access
                    status=status, result=result._result)  # pylint: disable=protected-access

    def v2_playbook_on_play_start(self, play):
        self._write('play', name=play.get_name())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write('task', name=task.get_name(), action=task.action)

    def v2_runner_on_ok(self, result):
        self._result(result, 'changed' if result._result.get('changed') else 'ok')  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._result(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._write('stats')
