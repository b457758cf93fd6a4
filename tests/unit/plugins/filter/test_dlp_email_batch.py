# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's batch planning: one sender per account, its hosts, and the accounts whose hosts disagree."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.zerotrust.cloudflare.plugins.filter.dlp_email_batch import FilterModule, dlp_email_batch

NOAUTH = {'auth_type': 'NoAuth', 'allowed_microsoft_organizations': [], 'rules': [], 'rules_exclusive': False}
ORG = dict(NOAUTH, auth_type='Org', allowed_microsoft_organizations=['contoso.onmicrosoft.com'])


def plan(host, account, desired=None):
    return {'host': host, 'account': account, 'desired': NOAUTH if desired is None else desired}


def test_the_first_host_of_each_account_sends():
    batch = dlp_email_batch([plan('a1', 'A'), plan('b1', 'B'), plan('a2', 'A'), plan('b2', 'B')])
    assert batch == {'sender': {'A': 'a1', 'B': 'b1'}, 'hosts': {'A': ['a1', 'a2'], 'B': ['b1', 'b2']}, 'conflicting': []}


def test_hosts_that_disagree_make_their_account_conflicting_once():
    batch = dlp_email_batch([plan('a1', 'A'), plan('b1', 'B'), plan('a2', 'A', ORG), plan('a3', 'A', dict(NOAUTH, rules_exclusive=True))])
    assert batch['conflicting'] == ['A']
    assert batch['sender'] == {'A': 'a1', 'B': 'b1'}


def test_equal_settings_written_apart_do_not_conflict():
    batch = dlp_email_batch([plan('a1', 'A', dict(ORG)), plan('a2', 'A', dict(reversed(list(ORG.items()))))])
    assert batch['conflicting'] == []


def test_hosts_without_a_plan_are_left_out():
    batch = dlp_email_batch([{}, plan('a1', 'A'), {'host': 'x'}])
    assert batch == {'sender': {'A': 'a1'}, 'hosts': {'A': ['a1']}, 'conflicting': []}


def test_an_empty_batch():
    assert dlp_email_batch([]) == {'sender': {}, 'hosts': {}, 'conflicting': []}


def test_not_a_list_is_an_error():
    with pytest.raises(AnsibleFilterError, match='expects a list of plans, got dict'):
        dlp_email_batch({})


class Counted(dict):
    """Settings that count how often they are compared."""

    comparisons = 0

    def __eq__(self, other):
        Counted.comparisons += 1
        return dict.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    __hash__ = None


@pytest.mark.parametrize('count', [10, 1000])
def test_one_comparison_per_host(count):
    """Linear in the number of hosts: each host's settings are compared once, with its account's first host's (a scan
    of every host per host would compare count * count times)."""
    Counted.comparisons = 0
    plans = [plan('h%d' % index, 'A' if index % 2 else 'B', Counted(NOAUTH)) for index in range(count)]
    batch = dlp_email_batch(plans)
    assert Counted.comparisons == count - 2
    assert len(batch['hosts']['A']) == len(batch['hosts']['B']) == count // 2


def test_the_filter_is_registered():
    assert FilterModule().filters() == {'dlp_email_batch': dlp_email_batch}
