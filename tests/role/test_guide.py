# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbook of the guide "Set up DLP for email from scratch" (docs/docsite/rst/dlp_email_from_scratch.rst), exactly
as the guide shows it, run by ansible-playbook against the emulator: profiles, rule, mapping and token, then again as a
no-op."""

from __future__ import annotations

import re
import textwrap

from role_runner import ROOT, TOKEN

GUIDE = ROOT / "docs" / "docsite" / "rst" / "dlp_email_from_scratch.rst"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"  # the account the guide exports
CARDS = "56a8c060-01bb-4f89-ba1e-3ad42770a342"  # the emulator's predefined Credit Card Numbers


def guide_playbook() -> str:
    """The guide's one yaml+jinja block, dedented."""
    blocks = re.findall(r"^\.\. code-block:: yaml\+jinja\n\n((?:(?: {4}.*)?\n)+)", GUIDE.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(blocks) == 1
    return textwrap.dedent(blocks[0])


def test_the_guide_exports_the_account_the_test_uses():
    assert "export CLOUDFLARE_ACCOUNT_ID=%s" % ACCOUNT in GUIDE.read_text(encoding="utf-8")


def test_the_guides_playbook_sets_up_everything_then_changes_nothing(ansible, emu, tmp_path):
    playbook = tmp_path / "dlp_email.yml"
    playbook.write_text(guide_playbook(), encoding="utf-8")
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emu.base_url, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}

    first = ansible.run(playbook, env=env)
    assert first.returncode == 0, first.output
    # The emulator's Credit Card Numbers has just the two entries, already enabled: the predefined task is ok.
    assert first.recap["localhost"]["changed"] == 3 and first.recap["localhost"]["failed"] == 0
    state = emu.state()["accounts"][ACCOUNT]
    profile = state["profiles"][0]
    assert profile["name"] == "Employee IDs" and [entry["name"] for entry in profile["entries"]] == ["Employee badge", "Contractor badge"]
    assert state["rules"][0]["conditions"][0]["value"] == [CARDS, profile["id"]]
    assert state["mapping"]["auth_requirements"] == {"type": "Org", "allowed_microsoft_organizations": ["contoso.onmicrosoft.com"]}
    assert "Add-in identifier token: %s" % state["mapping"]["addin_identifier_token"] in first.output
    emu.clear_log()

    second = ansible.run(playbook, env=env)
    assert second.returncode == 0, second.output
    assert second.recap["localhost"]["changed"] == 0
    sent = [entry["method"] for entry in emu.log()]
    print("\nthe guide's playbook, run again: %d requests" % len(sent))
    assert sent == ["GET"] * 6  # predefined: list + profile; custom: list; rule: profiles + rules; mapping
