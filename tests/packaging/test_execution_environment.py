# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment, without a container engine: ansible-builder writes the build context of
tests/ee/execution-environment.yml, its galaxy step installs the collection from that context, and its
introspection finds requests from this collection (meta/execution-environment.yml)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from harness import ROOT, executable

FROM_US = re.compile(r"^- '?requests[^A-Za-z0-9_.-].*# from collection zerotrust\.cloudflare", re.M)


@pytest.fixture(scope='module')
def context(tarball, tmp_path_factory):
    """The build context, from the definition as its comment tells users to use it: beside the tarball, renamed."""
    definition = tmp_path_factory.mktemp('definition')
    shutil.copy(ROOT / 'tests' / 'ee' / 'execution-environment.yml', definition)
    shutil.copy(tarball, definition / 'zerotrust-cloudflare.tar.gz')
    path = tmp_path_factory.mktemp('context')
    subprocess.run([executable('ansible-builder'), 'create', '--file', str(definition / 'execution-environment.yml'),
                    '--context', str(path), '--output-filename', 'Containerfile', '-v', '2'],
                   check=True, capture_output=True, text=True)
    return path


@pytest.fixture(scope='module')
def built_collections(context, tmp_path_factory):
    """What the image build's galaxy step does: install the collection from the build context."""
    path = tmp_path_factory.mktemp('ee-collections')
    subprocess.run([executable('ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml', '-p', str(path)],
                   cwd=context / '_build', check=True, capture_output=True, text=True)
    return path


def test_build_context(context):
    for path in ('Containerfile', '_build/requirements.yml', '_build/collections/zerotrust-cloudflare.tar.gz',
                 '_build/scripts/introspect.py', '_build/scripts/assemble'):
        assert (context / path).exists(), path
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'ansible-galaxy collection install' in containerfile and 'introspect.py introspect' in containerfile


def test_introspection_finds_requests_from_this_collection(built_collections, tmp_path):
    assert (built_collections / 'ansible_collections' / 'zerotrust' / 'cloudflare' / 'meta' / 'execution-environment.yml').is_file()
    process = subprocess.run([executable('ansible-builder'), 'introspect', '--sanitize', str(built_collections),
                              '--write-pip', str(tmp_path / 'requirements.txt'), '--write-bindep', str(tmp_path / 'bindep.txt')],
                             check=True, capture_output=True, text=True)
    assert FROM_US.search(process.stdout), process.stdout
    assert re.search(r'^requests\b', (tmp_path / 'requirements.txt').read_text(encoding='utf-8'), re.M)


def test_the_build_contexts_own_introspection_script(context, built_collections, tmp_path):
    """The copy of the script that the image's builder stage runs."""
    subprocess.run([sys.executable, str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect', str(built_collections),
                    '--write-pip', str(tmp_path / 'requirements.txt')], check=True, capture_output=True, text=True)
    assert re.search(r'^requests\b', (tmp_path / 'requirements.txt').read_text(encoding='utf-8'), re.M)
