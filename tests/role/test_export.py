# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/dlp_email_export.yml run by ansible-playbook against the emulator: an account's mapping, custom profiles
and rules, strings that look like templates included, go to a vars file and come back through the role unchanged."""

from __future__ import annotations

import copy
import re

import yaml

from role_runner import ROOT, TOKEN

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
PLAYBOOK = ROOT / "playbooks" / "dlp_email_export.yml"
PROFILE = "56a8c060-01bb-4f89-ba1e-3ad42770a342"  # the emulator's predefined Credit Card Numbers
TWIN_IDS = ("7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d", "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a")
# What Ansible would template, or YAML would misread, if the file did not keep it as it is.
TRICKY = ['{{ lookup("ansible.builtin.pipe", "id") }}', "{% if true %}yes{% endif %}", "{# comment #}", 'a "quoted" \\. value',
          "multi\nline: value", "ünïcødé ✓", "- not a list", "yes", "null", "# not a comment", "  padded  "]


def rule(rule_id: str, name: str, priority: int, **changes) -> dict:
    value = {"rule_id": rule_id, "name": name, "description": None, "enabled": True, "priority": priority,
             "conditions": [{"selector": "DLPProfiles", "operator": "InList", "value": [PROFILE]}],
             "action": {"action": "Block", "message": None}, "created_at": "2025-01-01T12:00:00Z", "updated_at": "2025-01-01T12:00:00Z"}
    value.update(changes)
    return value


PROFILE_TWINS = ("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a")


def entry(entry_id: str, profile_id: str, name: str, regex: str, **changes) -> dict:
    """A regex entry as the emulator keeps it."""
    value = {"id": entry_id, "name": name, "enabled": True, "profile_id": profile_id, "created_at": "2025-01-01T12:00:00Z",
             "updated_at": "2025-01-01T12:00:00Z", "type": "custom", "pattern": {"regex": regex}, "description": None}
    value.update(changes)
    return value


def profiles() -> list[dict]:
    """Custom profiles to export: one with tricky entries and a word list (not exported), two of one name."""
    employee = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
    words = {"id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "name": "Code words", "enabled": True, "profile_id": employee,
             "created_at": "2025-01-01T12:00:00Z", "updated_at": "2025-01-01T12:00:00Z", "type": "word_list",
             "word_list": {"words": ["falcon"]}}
    return [
        {"id": employee, "name": "Employee IDs", "description": TRICKY[1], "allowed_match_count": 2, "ocr_enabled": True,
         "entries": [entry("6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c", employee, "Badge", "EMP-[0-9]{6}", description="Staff"),
                     entry("7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0e", employee, TRICKY[0], "X[0-9]{2}", enabled=False), words]},
        {"id": PROFILE_TWINS[0], "name": "Twins"},
        {"id": PROFILE_TWINS[1], "name": "Twins", "confidence_threshold": "high"},
    ]


def account_state() -> dict:
    rules = [rule("2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d", TRICKY[0], 0, description=TRICKY[1], action={"action": "Block", "message": TRICKY[2]},
                  conditions=[{"selector": "Recipients", "operator": "MatchRegex", "value": TRICKY[3]},
                              {"selector": "Sender", "operator": "NotInList", "value": TRICKY[4:]}]),
             rule(TWIN_IDS[0], "Twins", 1, enabled=False),
             rule(TWIN_IDS[1], "Twins", 2, description="", action={"action": "Block", "message": ""}),
             rule("9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", "Plain", 3, conditions=[{"selector": "Sender", "operator": "InList", "value": "a@example.com"}])]
    mapping = {"addin_identifier_token": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
               "auth_requirements": {"type": "Org", "allowed_microsoft_organizations": ["contoso.onmicrosoft.com", TRICKY[0]]}}
    return {"accounts": {ACCOUNT: {"mapping": mapping, "rules": rules, "profiles": profiles()}}}


def unsafe_loader() -> type:
    """A YAML loader that reads !unsafe as the plain string it tags, and counts the tags."""
    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        tagged = 0

    def unsafe(loader, node):
        Loader.tagged += 1
        return loader.construct_scalar(node)

    Loader.add_constructor("!unsafe", unsafe)
    return Loader


def test_export_then_apply_back_through_the_role_is_a_no_op_of_two_gets_and_one_per_profile(ansible, emu, tmp_path):
    before = emu.set_state(account_state())
    exported = tmp_path / "dlp_email.yml"
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emu.base_url, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}
    run = ansible.run(PLAYBOOK, args=("-e", "dlp_email_export_file=%s" % exported), env=env)
    assert run.returncode == 0, run.output

    sent = [(entry["method"], entry["path"].split("/dlp/", 1)[1].replace("email/", "")) for entry in emu.log()]
    print("\nexport, then the role with the exported file: %s" % sent)
    assert sent == [("GET", "account_mapping"), ("GET", "profiles"), ("GET", "rules"),
                    ("GET", "account_mapping"), ("GET", "profiles/custom"), ("GET", "profiles/custom/" + PROFILE_TWINS[0]),
                    ("GET", "profiles/custom/" + PROFILE_TWINS[1]), ("GET", "rules")]
    assert emu.state() == before
    statuses = {record["task"].rsplit(" : ", 1)[-1]: record["status"] for record in run.task_results}
    assert statuses["Write the vars file"] == "changed"
    assert statuses["Apply the account mapping for the Outlook DLP add-in"] == statuses["Apply the DLP email rules"] == "ok"
    assert statuses["Apply the custom DLP profiles"] == "ok"
    assert run.recap["localhost"]["changed"] == 1 and run.recap["localhost"]["failed"] == 0

    loader = unsafe_loader()
    variables = yaml.load(exported.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a SafeLoader with one tag more
    rules = before["accounts"][ACCOUNT]["rules"]
    assert variables["dlp_email_auth_type"] == "Org"
    assert variables["dlp_email_allowed_microsoft_organizations"] == ["contoso.onmicrosoft.com", TRICKY[0]]
    assert variables["dlp_email_rules_exclusive"] is True
    assert [entry["name"] for entry in variables["dlp_email_rules"]] == [rule["name"] for rule in rules]
    assert [entry.get("rule_id") for entry in variables["dlp_email_rules"]] == [None, *TWIN_IDS, None]
    assert variables["dlp_email_rules"][0] == {
        "name": TRICKY[0], "description": TRICKY[1], "enabled": True, "priority": 0, "conditions": copy.deepcopy(rules[0]["conditions"]),
        "action": "Block", "action_message": TRICKY[2]}
    assert variables["dlp_email_profiles"] == [
        {"name": "Employee IDs", "description": TRICKY[1], "allowed_match_count": 2, "confidence_threshold": "low", "ocr_enabled": True,
         "ai_context_enabled": False, "entries": [
             {"name": "Badge", "regex": "EMP-[0-9]{6}", "enabled": True, "description": "Staff"},
             {"name": TRICKY[0], "regex": "X[0-9]{2}", "enabled": False, "description": None}]},
        {"profile_id": PROFILE_TWINS[0], "name": "Twins", "description": None, "allowed_match_count": 0, "confidence_threshold": "low",
         "ocr_enabled": False, "ai_context_enabled": False, "entries": []},
        {"profile_id": PROFILE_TWINS[1], "name": "Twins", "description": None, "allowed_match_count": 0, "confidence_threshold": "high",
         "ocr_enabled": False, "ai_context_enabled": False, "entries": []}]
    # The strings with a "{": three rule fields, an organization, a profile's description, an entry's name and two regexes.
    assert loader.tagged == 8
    assert not re.search(r"word_list|Code words", exported.read_text(encoding="utf-8"))


def test_export_of_an_account_without_a_mapping_fails_before_writing(ansible, emu, tmp_path):
    exported = tmp_path / "dlp_email.yml"
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emu.base_url, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}
    run = ansible.run(PLAYBOOK, args=("-e", "dlp_email_export_file=%s" % exported), env=env)
    assert run.returncode != 0
    assert "The account has no account mapping" in run.output
    assert not exported.exists()
    assert [entry["method"] for entry in emu.log()] == ["GET"]
