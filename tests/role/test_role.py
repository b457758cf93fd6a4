# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role dlp_email run by ansible-playbook against the emulator: requests sent, facts set, hosts and accounts.

What the molecule scenario extensions/molecule/dlp_email checks (every field of every rule reaches the API, an
exclusive run deletes exactly the unlisted rules) is not repeated here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from role_runner import ROOT, TOKEN

ACCOUNT_A = "023e105f4ecef8ad9ca31a8372d0c353"
ACCOUNT_B = "0123456789abcdef0123456789abcdef"
ORGS = ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"]
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def twenty_rules() -> list[dict]:
    """20 rules with every kind of field, priorities given for most."""
    rules = []
    for number in range(1, 21):
        rule = {
            "name": "Rule %02d" % number,
            "conditions": [{"selector": "Recipients", "operator": "InList", "value": ["user%d@example.com" % number]}],
        }
        if number % 2:
            rule["description"] = "Odd rule %d" % number
            rule["action_message"] = "Blocked by rule %d" % number
        if number % 3 == 0:
            rule["enabled"] = False
            rule["conditions"].append({"selector": "Sender", "operator": "MatchRegex", "value": ".*@example\\.org$"})
        if number % 5:
            rule["priority"] = 100 + number
        rules.append(rule)
    return rules


def role_vars(emu, **overrides) -> dict:
    """The role's variables for one account on the emulator."""
    variables = {
        "dlp_email_api_token": TOKEN,
        "dlp_email_api_base_url": emu.base_url,
        "dlp_email_auth_type": "Org",
        "dlp_email_allowed_microsoft_organizations": ORGS,
        "dlp_email_rules": twenty_rules(),
    }
    variables.update(overrides)
    return variables


def sent_requests(emu) -> list[str]:
    """The API requests the emulator received, as 'METHOD path' without the account prefix, then clears the log."""
    sent = ["%s %s" % (entry["method"], entry["path"].split("/dlp/", 1)[1].replace("email/", "")) for entry in emu.log()]
    emu.clear_log()
    return sent


def accounts_of(emu) -> list[str]:
    return [entry["path"].split("/")[4] for entry in emu.log()]


def test_noop_with_a_mapping_and_20_rules_sends_two_requests(role, emu):
    """The figure the README quotes: a second run, with nothing to change, reads the mapping and the rules once each."""
    hosts = {"localhost_api": {"dlp_email_account_id": ACCOUNT_A}}
    first = role.run(hosts, role_vars(emu))
    assert first.rc == 0, first.output
    assert first.recap["localhost_api"]["changed"] == 2
    created = sent_requests(emu)
    assert created[:3] == ["GET account_mapping", "POST account_mapping", "GET rules"]
    assert created[3:] == ["POST rules"] * 20 + ["PATCH rules"]

    second = role.run(hosts, role_vars(emu))
    assert second.rc == 0, second.output
    assert second.recap["localhost_api"]["changed"] == 0
    sent = sent_requests(emu)
    print("\nno-op run of the role with a mapping and 20 rules: %d requests (%s)" % (len(sent), ", ".join(sent)))
    assert sent == ["GET account_mapping", "GET rules"]

    facts = second.facts["localhost_api"]
    state = emu.state()["accounts"][ACCOUNT_A]
    assert facts["token"] == state["mapping"]["addin_identifier_token"]
    assert facts["auth_requirements"] == {"type": "Org", "allowed_microsoft_organizations": ORGS}
    assert facts["rules_result"]["changed"] is False
    assert facts["rules_result"]["created"] == facts["rules_result"]["updated"] == facts["rules_result"]["deleted"] == []
    assert [rule["name"] for rule in facts["rules_result"]["rules"]] == ["Rule %02d" % number for number in range(1, 21)]


def test_noop_with_a_dlp_profile_by_name_sends_three_requests(role, emu):
    """A rule that names a DLP profile: the rules module reads the profile list first, and sends the profile's ID."""
    rules = twenty_rules()[:2]
    rules[0]["conditions"].append({"selector": "DLPProfiles", "operator": "InList", "value": ["Credit Card Numbers"]})
    hosts = {"localhost_api": {"dlp_email_account_id": ACCOUNT_A}}
    first = role.run(hosts, role_vars(emu, dlp_email_rules=rules))
    assert first.rc == 0, first.output
    log = emu.log()
    assert [entry["body"]["conditions"][-1]["value"] for entry in log if entry["method"] == "POST" and entry["path"].endswith("/rules")][0] == [
        "56a8c060-01bb-4f89-ba1e-3ad42770a342"]  # the emulator's predefined Credit Card Numbers
    assert sent_requests(emu)[:4] == ["GET account_mapping", "POST account_mapping", "GET profiles", "GET rules"]

    second = role.run(hosts, role_vars(emu, dlp_email_rules=rules))
    assert second.rc == 0, second.output
    assert second.recap["localhost_api"]["changed"] == 0
    sent = sent_requests(emu)
    print("\nno-op run of the role with a DLP profile by name: %d requests (%s)" % (len(sent), ", ".join(sent)))
    assert sent == ["GET account_mapping", "GET profiles", "GET rules"]


def test_profiles_come_before_the_rules_that_name_them_and_a_noop_sends_three_plus_one_per_profile(role, emu):
    """A rule that names a custom profile made in the same run; then the no-op: 3 + P requests."""
    profiles = [{"name": "Employee IDs", "ocr_enabled": True, "entries": [{"name": "Badge", "regex": "EMP-[0-9]{6}"}]},
                {"name": "Project names", "description": "Code names"}]
    rules = twenty_rules()[:1]
    rules[0]["conditions"].append({"selector": "DLPProfiles", "operator": "InList", "value": ["Employee IDs"]})
    hosts = {"localhost_api": {"dlp_email_account_id": ACCOUNT_A}}
    first = role.run(hosts, role_vars(emu, dlp_email_profiles=profiles, dlp_email_rules=rules))
    assert first.rc == 0, first.output
    made = {profile["name"]: profile for profile in emu.state()["accounts"][ACCOUNT_A]["profiles"]}
    assert made["Employee IDs"]["ocr_enabled"] is True and made["Project names"]["description"] == "Code names"
    assert [entry["pattern"]["regex"] for entry in made["Employee IDs"]["entries"]] == ["EMP-[0-9]{6}"]
    created = [re.sub(r"[0-9a-f-]{36}", "ID", request) for request in sent_requests(emu)]
    assert created == ["GET account_mapping", "POST account_mapping",
                       "GET profiles/custom", "POST patterns/validate", "POST profiles/custom", "GET profiles/custom/ID",
                       "GET profiles/custom", "POST profiles/custom", "GET profiles/custom/ID",
                       "GET profiles", "GET rules", "POST rules", "PATCH rules"]
    assert emu.state()["accounts"][ACCOUNT_A]["rules"][0]["conditions"][-1]["value"] == [made["Employee IDs"]["id"]]
    assert first.facts["localhost_api"]["profiles_result"]["changed"] is True

    second = role.run(hosts, role_vars(emu, dlp_email_profiles=profiles, dlp_email_rules=rules))
    assert second.rc == 0, second.output
    assert second.recap["localhost_api"]["changed"] == 0
    sent = sent_requests(emu)
    print("\nno-op run of the role with 2 profiles and a rule that names one: %d requests (%s)" % (len(sent), ", ".join(sent)))
    assert sent == ["GET account_mapping", "GET profiles/custom", "GET profiles/custom", "GET profiles", "GET rules"]
    facts = second.facts["localhost_api"]["profiles_result"]
    assert facts["changed"] is False and [profile["name"] for profile in facts["profiles"]] == ["Employee IDs", "Project names"]

    third = role.run(hosts, role_vars(emu, dlp_email_profiles=profiles, dlp_email_rules=twenty_rules()[1:2]))
    assert third.rc == 0, third.output
    assert sent_requests(emu) == ["GET account_mapping", "GET profiles/custom", "GET profiles/custom", "GET rules", "POST rules"]


def test_hosts_of_one_account_share_one_run_and_every_account_gets_its_own(role, emu):
    """A play against managed hosts: three share account A, one has account B. No host is ever contacted."""
    hosts = {
        "web1": {"dlp_email_account_id": ACCOUNT_A},
        "web2": {"dlp_email_account_id": ACCOUNT_A},
        "web3": {"dlp_email_account_id": ACCOUNT_A},
        "branch": {"dlp_email_account_id": ACCOUNT_B},
    }
    first = role.run(hosts, role_vars(emu, dlp_email_rules=twenty_rules()[:2]))
    assert first.rc == 0, first.output
    assert sorted(accounts_of(emu)) == sorted([ACCOUNT_A] * 6 + [ACCOUNT_B] * 6)  # GET+POST mapping, GET, 2 POST, PATCH
    emu.clear_log()
    state = emu.state()["accounts"]
    for host, account in (("web1", ACCOUNT_A), ("web2", ACCOUNT_A), ("web3", ACCOUNT_A), ("branch", ACCOUNT_B)):
        assert first.facts[host]["token"] == state[account]["mapping"]["addin_identifier_token"]
        assert first.facts[host]["rules_result"]["created"] == ["Rule 01", "Rule 02"]
    assert first.facts["web1"]["token"] != first.facts["branch"]["token"]
    assert first.recap["web1"]["changed"] == 2 and first.recap["branch"]["changed"] == 2
    assert first.recap["web2"]["changed"] == first.recap["web3"]["changed"] == 0

    second = role.run(hosts, role_vars(emu, dlp_email_rules=twenty_rules()[:2]))
    assert second.rc == 0, second.output
    assert sorted(accounts_of(emu)) == sorted([ACCOUNT_A] * 2 + [ACCOUNT_B] * 2)
    assert all(recap["changed"] == 0 and recap["unreachable"] == 0 for recap in second.recap.values())


def test_hosts_of_one_account_with_different_values_fail_before_any_request(role, emu):
    hosts = {
        "web1": {"dlp_email_account_id": ACCOUNT_A},
        "web2": {"dlp_email_account_id": ACCOUNT_A, "dlp_email_rules_exclusive": True},
        "branch": {"dlp_email_account_id": ACCOUNT_B},
    }
    result = role.run(hosts, role_vars(emu, dlp_email_rules=[]))
    assert result.rc != 0
    assert "web1, web2 share the Cloudflare account %s but set different" % ACCOUNT_A in result.output
    assert result.recap["web1"]["failed"] == result.recap["web2"]["failed"] == 1
    assert result.recap["branch"]["failed"] == 0
    assert set(accounts_of(emu)) == {ACCOUNT_B}


def test_when_the_run_for_an_account_fails_every_host_of_that_account_fails(role, emu):
    emu.add_fault(method="GET", path="/client/v4/accounts/%s/dlp/email/account_mapping" % ACCOUNT_A, status=403)
    hosts = {"web1": {"dlp_email_account_id": ACCOUNT_A}, "web2": {"dlp_email_account_id": ACCOUNT_A}}
    result = role.run(hosts, role_vars(emu))
    assert result.rc != 0
    assert result.recap["web1"]["failed"] == result.recap["web2"]["failed"] == 1
    assert "was applied by web1, and it failed there" in result.output
    assert sent_requests(emu) == ["GET account_mapping"]


def test_check_mode_only_reads(role, emu):
    result = role.run({"api": {"dlp_email_account_id": ACCOUNT_A}}, role_vars(emu), args=("--check", "--diff"))
    assert result.rc == 0, result.output
    assert sent_requests(emu) == ["GET account_mapping", "GET rules"]
    assert emu.state()["accounts"].get(ACCOUNT_A, {"mapping": None, "rules": []}) == {"mapping": None, "rules": []}
    facts = result.facts["api"]
    assert facts["token"] is None
    assert len(facts["rules_result"]["created"]) == 20


def test_no_rules_and_not_exclusive_reads_only_the_mapping(role, emu):
    hosts = {"api": {"dlp_email_account_id": ACCOUNT_A}}
    variables = role_vars(emu, dlp_email_auth_type="NoAuth", dlp_email_allowed_microsoft_organizations=[])
    del variables["dlp_email_rules"]
    first = role.run(hosts, variables)
    assert first.rc == 0, first.output
    assert sent_requests(emu) == ["GET account_mapping", "POST account_mapping"]
    second = role.run(hosts, variables)
    assert second.rc == 0, second.output
    assert sent_requests(emu) == ["GET account_mapping"]
    assert second.facts["api"]["auth_requirements"] == {"type": "NoAuth"}
    assert second.facts["api"]["rules_result"]["rules"] is None


def test_account_and_credentials_from_the_environment(role, emu):
    """Unset (or empty) role variables are left out, so the modules read CLOUDFLARE_* on the controller."""
    variables = {"dlp_email_auth_type": "Org", "dlp_email_allowed_microsoft_organizations": ORGS[:1],
                 "dlp_email_api_token": "", "dlp_email_rules": twenty_rules()[:1]}
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emu.base_url, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT_A}
    result = role.run({"web1": {}, "web2": {}}, variables, env=env)
    assert result.rc == 0, result.output
    assert sent_requests(emu) == ["GET account_mapping", "POST account_mapping", "GET rules", "POST rules", "PATCH rules"]
    assert result.facts["web1"]["token"] is not None
    assert result.facts["web1"]["token"] == result.facts["web2"]["token"]


def test_account_from_the_inventory_plugin_host_variable(role, emu):
    """cloudflare_account_id (set by the inventory plugin) is the account unless dlp_email_account_id is set."""
    hosts = {"a": {"cloudflare_account_id": ACCOUNT_A}, "b": {"cloudflare_account_id": ACCOUNT_B},
             "c": {"cloudflare_account_id": ACCOUNT_B, "dlp_email_account_id": ACCOUNT_A}}
    variables = role_vars(emu)
    del variables["dlp_email_rules"]
    result = role.run(hosts, variables)
    assert result.rc == 0, result.output
    assert sorted(accounts_of(emu)) == sorted([ACCOUNT_A] * 2 + [ACCOUNT_B] * 2)  # GET + POST of each mapping, once
    state = emu.state()["accounts"]
    assert result.facts["a"]["token"] == result.facts["c"]["token"] == state[ACCOUNT_A]["mapping"]["addin_identifier_token"]
    assert result.facts["b"]["token"] == state[ACCOUNT_B]["mapping"]["addin_identifier_token"]


def test_invalid_variables_fail_before_any_request(role, emu):
    result = role.run({"api": {"dlp_email_account_id": ACCOUNT_A}}, role_vars(emu, dlp_email_auth_type="Everyone"))
    assert result.rc != 0
    assert "dlp_email_auth_type" in result.output
    assert not emu.log()


# The role's argument spec documents what it passes to the modules: it must say what the modules accept. (Its
# dlp_email_rules is checked against the rule options in tests/unit/plugins/doc_fragments/test_dlp_email_rule.py.)

def _documentation(path: Path, name: str = "DOCUMENTATION") -> dict:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == name for target in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("no %s in %s" % (name, path))


def _role_spec() -> dict:
    return yaml.safe_load((ROOT / "roles" / "dlp_email" / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]


def test_mapping_variables_match_the_mapping_module():
    module = _documentation(ROOT / "plugins" / "modules" / "cloudflare_dlp_email_mapping.py")["options"]
    role_spec = _role_spec()
    assert role_spec["dlp_email_auth_type"]["choices"] == module["auth_type"]["choices"]
    assert role_spec["dlp_email_allowed_microsoft_organizations"]["elements"] == module["allowed_microsoft_organizations"]["elements"]


def test_every_connection_option_has_a_role_variable_of_the_same_type():
    fragment = ROOT / "plugins" / "doc_fragments" / "cloudflare.py"
    common = dict(_documentation(fragment)["options"], **_documentation(fragment, "CONNECTION")["options"])
    role_spec = _role_spec()
    for name, spec in common.items():
        variable = role_spec.get("dlp_email_" + name)
        assert variable is not None, "no role variable dlp_email_%s" % name
        assert variable["type"] == spec["type"], name
        assert not variable.get("required") and "default" not in variable, "dlp_email_%s must fall back to the module" % name
