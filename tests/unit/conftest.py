# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the unit tests: a real local HTTP server and a way to run a module's main(). The clean environment
and the importable collection come from tests/conftest.py; the scripted answers from plugins/scripted_api.py.

Module arguments go in through ansible-core's public ``ansible.module_utils.testing.patch_module_args`` (2.19 and
later; ``basic._ANSIBLE_ARGS`` before, where that is what it patches), and under ansible-test the collection comes
from ansible-test's own collection loader. Three private names remain, each because nothing public does the job:
``_AnsibleCollectionFinder`` only for plain pytest (ansible-test installs it itself, and plain pytest has no public
collection finder); ``warnings._global_warnings``/``_global_deprecations``, because module warnings are process-wide
and have no public reset, while every test here runs a module in the same process; and ``_internal.is_controller``
(2.19 and later), because the inventory plugin's tests run controller code in that process too, which would send
module warnings to the controller's display instead of the result.
"""

from __future__ import annotations

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
from pytest_httpserver import HTTPServer

import harness

# Ansible loads plugins by name (the inventory plugin's tests do) only from collections its own loader imported.
# ansible-test installs it; plain pytest needs it before anything imports the collection, and has no public way.
if AnsibleCollectionConfig.collection_finder is None:
    _AnsibleCollectionFinder(paths=[str(harness.collections_path())])._install()  # pylint: disable=protected-access

# pylint: disable-next=wrong-import-position
from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _transport  # noqa: E402

try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core < 2.19
    module_utils_internal = None

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield


@pytest.fixture(autouse=True)
def fresh_warnings():
    """Warnings are process-global in Ansible; each module run here starts with none."""
    warnings._global_warnings.clear()  # pylint: disable=protected-access
    warnings._global_deprecations.clear()  # pylint: disable=protected-access


@pytest.fixture(autouse=True)
def own_request_budget(monkeypatch, tmp_path):
    """Each test has its own request budget files: the server and the token are the same for every test."""
    monkeypatch.setenv('XDG_RUNTIME_DIR', str(tmp_path))


@pytest.fixture(scope='session')
def make_httpserver():
    """pytest-httpserver's server, threaded so that a slow answer does not block the retries after it."""
    server = HTTPServer(host='127.0.0.1', threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def no_sleep(monkeypatch):
    """Record the helper's waits instead of sleeping through them."""
    waits = []
    monkeypatch.setattr(_transport.time, 'sleep', waits.append)
    return waits


class ModuleResult(dict):
    """The JSON a module printed (its raw text in ``out``), plus whether it failed."""

    out = ''

    @property
    def failed(self):
        return bool(self.get('failed'))

    @property
    def warnings(self):
        """Warning texts (ansible-core 2.19 returns them as event dicts, older versions as strings)."""
        return [w['event']['msg'] if isinstance(w, dict) else w for w in self.get('warnings', [])]


@pytest.fixture
def run_module(capsys, monkeypatch):
    """Run a module's main() with the given arguments, as Ansible would, and return what it printed."""
    if hasattr(module_utils_internal, 'is_controller'):  # ansible-core 2.19 and later
        # A module runs in a process of its own, never where controller code (the inventory plugin's tests) ran,
        # which sends module warnings to the controller's display instead of the result.
        monkeypatch.setattr(module_utils_internal, 'is_controller', False)

    def run(main, args):
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                main()
        out = capsys.readouterr().out
        result = ModuleResult(json.loads(out))
        result.out = out
        return result

    return run
