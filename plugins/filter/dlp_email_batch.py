# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: dlp_email_batch
short_description: Plan which host sends the requests for each Cloudflare account of a batch
version_added: 0.2.0
description:
  - The planning of the role P(zerotrust.cloudflare.dlp_email#role), as a filter so that it reads as one step and
    takes one pass over the hosts (linear in their number).
  - Groups the hosts' plans by account (the account ID and the API base URL). The first host of each account sends
    its requests; the hosts of an account whose desired settings differ are in conflict, and nothing is sent for it.
  - Plans without an C(account) (a host that took no part in this run of the role) are left out.
options:
  _input:
    description:
      - One plan per host, in the order of the batch.
    type: list
    elements: dict
    required: true
    suboptions:
      host:
        description: The host's inventory name.
        type: str
        required: true
      account:
        description: The key of the host's account (any string, the same for every host of an account).
        type: str
      desired:
        description: What the host wants for its account; hosts of one account must want the same.
        type: raw
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Plan the batch
  ansible.builtin.set_fact:
    batch: "{{ plans | zerotrust.cloudflare.dlp_email_batch }}"
  vars:
    plans:
      - {host: web1, account: a, desired: {auth_type: NoAuth}}
      - {host: web2, account: a, desired: {auth_type: NoAuth}}
      - {host: web3, account: b, desired: {auth_type: NoAuth}}
      - {host: web4, account: b, desired: {auth_type: Org}}
  # batch:
  #   sender: {a: web1, b: web3}
  #   hosts: {a: [web1, web2], b: [web3, web4]}
  #   conflicting: [b]
'''

RETURN = r'''
_value:
  description: The plan of the batch.
  type: dict
  contains:
    sender:
      description: For each account, the host that sends its requests (the first of the batch).
      type: dict
    hosts:
      description: For each account, its hosts in the order of the batch.
      type: dict
    conflicting:
      description: The accounts whose hosts want different settings, in the order they first appear.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError


def dlp_email_batch(plans):
    """One pass over the plans: each account's first host, its hosts, and whether they disagree."""
    if not isinstance(plans, list):
        raise AnsibleFilterError('dlp_email_batch expects a list of plans, got %s' % type(plans).__name__)
    sender, hosts, desired, conflicting = {}, {}, {}, {}
    for plan in plans:
        account = plan.get('account')
        if account is None:
            continue
        if account not in sender:
            sender[account], hosts[account], desired[account] = plan['host'], [], plan.get('desired')
        elif plan.get('desired') != desired[account]:
            conflicting[account] = True  # a dict: ordered, and each account once
        hosts[account].append(plan['host'])
    return {'sender': sender, 'hosts': hosts, 'conflicting': list(conflicting)}


class FilterModule(object):

    def filters(self):
        return {'dlp_email_batch': dlp_email_batch}
