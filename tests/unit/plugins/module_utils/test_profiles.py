# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The planning of the profile modules: pure functions, no HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._profiles import ProfileError
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import custom_profile, regex_entry

EMPTY = dict((option, None) for option in _profiles.profile_options())
BADGE = regex_entry('e1', 'Badge', 'B[0-9]{4}', description='Staff')
GUEST = regex_entry('e2', 'Guest', 'G[0-9]{4}')
WORDS = {'id': 'e3', 'name': 'Words', 'type': 'word_list', 'enabled': True}
CURRENT = custom_profile('p1', 'Badges', [BADGE, GUEST, WORDS], description='Staff badges', ocr_enabled=True)


def params(**values):
    return dict(EMPTY, state='present', force=False, **values)


def entry(name, regex, enabled=True, description=None):
    return {'name': name, 'regex': regex, 'enabled': enabled, 'description': description}


def test_a_new_profile_is_one_body_with_only_what_was_given():
    steps = _profiles.plan_custom(params(name='Badges', ocr_enabled=False, entries=[entry('Badge', 'B[0-9]{4}')]), None)
    assert steps.create == {'name': 'Badges', 'ocr_enabled': False,
                            'entries': [{'name': 'Badge', 'pattern': {'regex': 'B[0-9]{4}'}, 'enabled': True}]}
    assert steps.patterns == [('Badge', 'B[0-9]{4}')]
    assert _profiles.planned_profile(steps)['entries'][0]['type'] == 'custom'


def test_nothing_to_do():
    steps = _profiles.plan_custom(params(name='Badges', description='Staff badges', ocr_enabled=True,
                                         entries=[entry('Guest', 'G[0-9]{4}'), entry('Badge', 'B[0-9]{4}')]), CURRENT)
    assert steps == _profiles.CustomPlan(CURRENT, None, None, [], [], [], [])


@pytest.mark.parametrize('wanted, current', [('', None), (None, 'x'), ('', '')])
def test_an_empty_or_unset_description_changes_nothing(wanted, current):
    assert _profiles.plan_custom(params(name='Badges', description=wanted), dict(CURRENT, description=current)).update is None


def test_the_update_body_is_the_current_profile_overlaid_without_entries():
    shared = {'id': 's1', 'name': 'Visa', 'type': 'predefined', 'enabled': True}
    current = dict(CURRENT, shared_entries=[shared])
    body = _profiles.plan_custom(params(name='Badges', description='', allowed_match_count=3), current).update
    assert body == {'name': 'Badges', 'description': '', 'allowed_match_count': 3, 'confidence_threshold': 'low',
                    'ocr_enabled': True, 'ai_context_enabled': False, 'shared_entries': [{'entry_id': 's1', 'enabled': True}]}


def test_entries_are_a_whole_set_matched_by_name():
    steps = _profiles.plan_custom(params(name='Badges', entries=[
        entry('Badge', 'B[0-9]{4}', description=''), entry('Guest', 'G[0-9]{5}', enabled=False), entry('New', 'N[0-9]{2}')]), CURRENT)
    assert steps.entry_updates == [
        (BADGE, {'name': 'Badge', 'pattern': {'regex': 'B[0-9]{4}'}, 'enabled': True, 'description': ''}),
        (GUEST, {'name': 'Guest', 'pattern': {'regex': 'G[0-9]{5}'}, 'enabled': False, 'description': None})]
    assert steps.entry_creates == [{'name': 'New', 'pattern': {'regex': 'N[0-9]{2}'}, 'enabled': True}]
    assert steps.entry_deletes == []
    assert steps.patterns == [('Guest', 'G[0-9]{5}'), ('New', 'N[0-9]{2}')]


def test_unlisted_regex_entries_are_deleted_and_other_entries_kept():
    steps = _profiles.plan_custom(params(name='Badges', entries=[]), CURRENT)
    assert steps.entry_deletes == [BADGE, GUEST] and steps.patterns == []
    assert [item['name'] for item in _profiles.planned_profile(steps)['entries']] == ['Words']


def test_omitted_entries_are_left_alone_even_with_duplicates():
    current = dict(CURRENT, entries=[BADGE, dict(GUEST, name='Badge')])
    assert _profiles.plan_custom(params(name='Badges'), current).entry_deletes == []
    with pytest.raises(ProfileError, match=r"Badge \(e1\), Badge \(e2\)"):
        _profiles.plan_custom(params(name='Badges', entries=[]), current)


def test_diff_view_shows_managed_fields_and_regex_entries_by_name():
    view = _profiles.diff_view(CURRENT)
    assert view['entries'] == {'Badge': {'regex': 'B[0-9]{4}', 'enabled': True, 'description': 'Staff'},
                               'Guest': {'regex': 'G[0-9]{4}', 'enabled': True, 'description': None}}
    assert set(view) == set(_profiles.CUSTOM_FIELDS) | {'entries'}
    assert _profiles.diff_view(None) == {}


PREDEFINED = {'id': 'p2', 'name': 'Credit Card Numbers', 'type': 'predefined', 'allowed_match_count': 0,
              'confidence_threshold': 'low', 'ocr_enabled': False, 'ai_context_enabled': False,
              'entries': [{'id': 'AAAAAAAA-0000-4000-8000-000000000001', 'name': 'Visa', 'enabled': True},
                          {'id': 'aaaaaaaa-0000-4000-8000-000000000002', 'name': 'Mastercard', 'enabled': False}]}
PREDEFINED_EMPTY = dict((option, None) for option in _profiles.predefined_options())


def test_predefined_unset_options_keep_the_enabled_entries():
    body = _profiles.plan_predefined(dict(PREDEFINED_EMPTY, ocr_enabled=True), PREDEFINED)
    assert body == {'allowed_match_count': 0, 'confidence_threshold': 'low', 'ocr_enabled': True, 'ai_context_enabled': False,
                    'enabled_entries': ['AAAAAAAA-0000-4000-8000-000000000001']}


@pytest.mark.parametrize('references', [['Visa'], ['aaaaaaaa-0000-4000-8000-000000000001']])
def test_predefined_entries_by_name_or_id_in_any_case(references):
    assert _profiles.plan_predefined(dict(PREDEFINED_EMPTY, enabled_entries=references), PREDEFINED) is None


def test_predefined_enabled_entries_are_exactly_those_listed():
    body = _profiles.plan_predefined(dict(PREDEFINED_EMPTY, enabled_entries=['Mastercard', 'Mastercard']), PREDEFINED)
    assert body['enabled_entries'] == ['aaaaaaaa-0000-4000-8000-000000000002']
    after = _profiles.predefined_after(PREDEFINED, body)
    assert [item['enabled'] for item in after['entries']] == [False, True]


def test_predefined_unknown_entry_lists_the_entries():
    with pytest.raises(ProfileError) as error:
        _profiles.plan_predefined(dict(PREDEFINED_EMPTY, enabled_entries=['Amex', 'Visa']), PREDEFINED)
    assert error.value.msg == ("enabled_entries: 'Amex' is no entry of the profile. The entries of the DLP profile"
                               " 'Credit Card Numbers': Visa (AAAAAAAA-0000-4000-8000-000000000001),"
                               " Mastercard (aaaaaaaa-0000-4000-8000-000000000002)")


@pytest.mark.parametrize('options', [_profiles.profile_options(), _profiles.role_profile_options()])
def test_no_option_but_the_documented_ones_has_a_default(options):
    assert sorted(name for name, spec in options.items() if 'default' in spec) in (['force', 'state'], [])
    assert options['entries']['options']['enabled']['default'] is True
