# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records every task result, as Ansible hands it to callbacks, for the reliability tests.

Enabled with ANSIBLE_CALLBACK_PLUGINS pointing at this directory and
ANSIBLE_CALLBACKS_ENABLED=result_recorder; appends one JSON line per result to
the file named by RESULT_RECORDER_OUTPUT: {"host", "task", "status", "result"}.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: result_recorder
type: aggregate
short_description: write every task result to a JSON-lines file
description:
  - Appends each task result to the file named by the RESULT_RECORDER_OUTPUT environment variable.
requirements:
  - enabled with callbacks_enabled
'''


class CallbackModule(CallbackBase):
    """One JSON line per task result."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_recorder'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get('RESULT_RECORDER_OUTPUT')
        if not path:
            return
        record = {'host': result._host.get_name(), 'task': result._task.get_name(),  # pylint: disable=protected-access
                  'status': status, 'result': result._result}  # pylint: disable=protected-access
        with open(path, 'a', encoding='utf-8') as output:
            output.write(json.dumps(record, default=repr) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'changed' if result._result.get('changed') else 'ok')  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._write(result, 'unreachable')
