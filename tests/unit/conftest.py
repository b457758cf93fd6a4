# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures: a real local HTTP server, a clean environment, and a way to run a module's main()."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import sys
import tempfile

import pytest

try:  # ansible-test units makes the collection importable; plain pytest from the repo root does not
    import ansible_collections.zerotrust.cloudflare  # noqa: F401  pylint: disable=unused-import
except ImportError:
    _ROOT = tempfile.mkdtemp(prefix='zerotrust-cloudflare-')
    atexit.register(shutil.rmtree, _ROOT, True)
    os.makedirs(os.path.join(_ROOT, 'ansible_collections', 'zerotrust'))
    os.symlink(os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')),
               os.path.join(_ROOT, 'ansible_collections', 'zerotrust', 'cloudflare'))
    sys.path.insert(0, _ROOT)

from ansible.module_utils import basic  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils.common import warnings  # noqa: E402  pylint: disable=wrong-import-position
from pytest_httpserver import HTTPServer  # noqa: E402  pylint: disable=wrong-import-position

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield

STRAY_VARIABLES = ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy',
                   'no_proxy', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No CLOUDFLARE_* or proxy variable from the caller's shell may reach a test."""
    for name in list(os.environ):
        if name.startswith('CLOUDFLARE_') or name in STRAY_VARIABLES:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def fresh_warnings():
    """Warnings are process-global in Ansible; each module run here starts with none."""
    warnings._global_warnings.clear()  # pylint: disable=protected-access
    warnings._global_deprecations.clear()  # pylint: disable=protected-access


@pytest.fixture(scope='session')
def make_httpserver():
    """pytest-httpserver's server, threaded so that a slow answer does not block the retries after it."""
    server = HTTPServer(host='127.0.0.1', threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


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
def run_module(capsys):
    """Run a module's main() with the given arguments, as Ansible would, and return what it printed."""

    def run(main, args):
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                main()
        out = capsys.readouterr().out
        result = ModuleResult(json.loads(out))
        result.out = out
        return result

    return run
