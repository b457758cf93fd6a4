# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One module run, cut into phases, for the benchmark's profile.

    python profile_run.py ANSIBALLZ_FILE

ANSIBALLZ_FILE is a module payload kept by ANSIBLE_KEEP_REMOTE_FILES and
exploded by ``python AnsiballZ_x.py explode`` (its ``debug_dir/args`` file holds
the task's arguments). This runs the module as
AnsiballZ's loader would and prints, as JSON, the seconds spent importing
``ansible.module_utils.basic``, importing the module with its module_utils
(requests included, as the module imports it), in HTTP calls (time inside
``requests.Session.send``, when the module uses requests), and in the rest of
the module run.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import sys
import time


def main():
    wrapper = sys.argv[1]
    with open(wrapper, encoding='utf-8') as wrapper_file:
        source = wrapper_file.read()
    module_fqn = re.search(r"module_fqn='([^']+)'", source).group(1)
    serialization_profile = re.search(r"profile='([^']+)'", source).group(1)
    debug_dir = os.path.join(os.path.dirname(os.path.abspath(wrapper)), 'debug_dir')
    sys.path.insert(0, debug_dir)
    with open(debug_dir + '/args', 'rb') as args_file:
        json_params = args_file.read()
    phases = {}

    started = time.perf_counter()
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    phases['import ansible.module_utils.basic'] = time.perf_counter() - started

    started = time.perf_counter()
    module = importlib.import_module(module_fqn)
    phases['import the module and its module_utils'] = time.perf_counter() - started

    http = [0.0, 0]
    requests_module = sys.modules.get('requests')
    if requests_module is not None:
        send = requests_module.Session.send

        def timed_send(self, request, **kwargs):
            began = time.perf_counter()
            try:
                return send(self, request, **kwargs)
            finally:
                http[0] += time.perf_counter() - began
                http[1] += 1

        requests_module.Session.send = timed_send

    basic._ANSIBLE_ARGS = json_params  # pylint: disable=protected-access
    basic._ANSIBLE_PROFILE = serialization_profile  # pylint: disable=protected-access
    output = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(output):
        try:
            module.main()
        except SystemExit:
            pass
    run = time.perf_counter() - started
    phases['HTTP'] = http[0]
    phases['rest of the run (arguments, checks, result)'] = run - http[0]
    result = json.loads(output.getvalue())
    print(json.dumps({'phases': phases, 'requests': http[1], 'failed': bool(result.get('failed')), 'msg': result.get('msg')}))


if __name__ == '__main__':
    main()
