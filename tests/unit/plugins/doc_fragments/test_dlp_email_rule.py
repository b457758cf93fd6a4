# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rule options are documented once, in the doc fragment dlp_email_rule (and in the role's argument spec, which
cannot use fragments): every place must say what _rules.rule_options() accepts. Likewise the profile modules' options
say what _profiles' option functions accept."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.zerotrust.cloudflare.plugins.doc_fragments.dlp_email_rule import ModuleDocFragment
from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles, _rules
from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_predefined_profile, cloudflare_dlp_profile

ROLE_SPEC = Path(__file__).resolve().parents[4] / 'roles' / 'dlp_email' / 'meta' / 'argument_specs.yml'
KEYS = ('type', 'elements', 'choices', 'required', 'default')


def shape(options):
    """What an argument spec (or its documentation) says about each option, suboptions included."""
    return {name: dict({key: spec[key] for key in KEYS if spec.get(key) not in (None, False)},
                       options=shape(spec.get('suboptions') or spec.get('options') or {}))
            for name, spec in options.items()}


def rule_module_options():
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']


def rules_module_option():
    return yaml.safe_load(ModuleDocFragment.RULES)['options']['rules']


def role_variable(name):
    return yaml.safe_load(ROLE_SPEC.read_text(encoding='utf-8'))['argument_specs']['main']['options'][name]


def role_rules_variable():
    return role_variable('dlp_email_rules')


@pytest.mark.parametrize('documented', [
    rule_module_options(),
    rules_module_option()['suboptions'],
    role_rules_variable()['options'],
], ids=['cloudflare_dlp_email_rule', 'cloudflare_dlp_email_rules-rules', 'role-dlp_email_rules'])
def test_documented_options_are_the_rule_options(documented):
    assert shape(documented) == shape(_rules.rule_options())


@pytest.mark.parametrize('documented, options', [
    (yaml.safe_load(cloudflare_dlp_profile.DOCUMENTATION)['options'], _profiles.profile_options()),
    (yaml.safe_load(cloudflare_dlp_predefined_profile.DOCUMENTATION)['options'], _profiles.predefined_options()),
    (role_variable('dlp_email_profiles')['options'], _profiles.role_profile_options()),
], ids=['cloudflare_dlp_profile', 'cloudflare_dlp_predefined_profile', 'role-dlp_email_profiles'])
def test_documented_options_are_the_profile_options(documented, options):
    assert shape(documented) == shape(options)


def test_the_rules_option_is_a_required_list_of_rules():
    option = rules_module_option()
    assert (option['type'], option['elements'], option['required']) == ('list', 'dict', True)
    assert role_rules_variable()['type'] == 'list' and role_rules_variable()['elements'] == 'dict'


def test_a_difference_is_found():
    options = _rules.rule_options()
    options['conditions']['options']['operator']['choices'].append('Contains')
    assert shape(rule_module_options()) != shape(options)
