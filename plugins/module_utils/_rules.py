# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""What the DLP email rule modules share: a rule's options, their checks, the body
sent to the API, and how a rule read back is compared with the one a task wants.

No HTTP here: requests go through ``_api.CloudflareAPI``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import re

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import APIError

SELECTORS = ['Recipients', 'Sender', 'DLPProfiles']
OPERATORS = ['InList', 'NotInList', 'MatchRegex', 'NotMatchRegex']
SET_OPERATORS = ('InList', 'NotInList')
ACTIONS = ['Block']
BODY_KEYS = ('name', 'description', 'enabled', 'conditions', 'action')

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def rule_options():
    """The options that describe one rule (module options of cloudflare_dlp_email_rule, suboptions of each
    entry of cloudflare_dlp_email_rules). No defaults: an option left unset keeps the rule's current value."""
    return dict(
        name=dict(type='str'),
        description=dict(type='str'),
        enabled=dict(type='bool'),
        conditions=dict(type='list', elements='dict', options=dict(
            selector=dict(type='str', required=True, choices=list(SELECTORS)),
            operator=dict(type='str', required=True, choices=list(OPERATORS)),
            value=dict(type='raw', required=True),
        )),
        action=dict(type='str', choices=list(ACTIONS)),
        action_message=dict(type='str'),
        priority=dict(type='int'),
    )


# --- checks before any request ------------------------------------------------------


def is_uuid(value):
    return isinstance(value, str) and bool(_UUID.match(value))


def check_rule_id(module, rule_id, option='rule_id'):
    if rule_id is not None and not is_uuid(rule_id):
        module.fail_json(msg='%s must be a UUID such as 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d, got %r' % (option, rule_id))


def check_rule(module, params, prefix=''):
    """The checks an argument spec cannot express; ``prefix`` names the entry (``rules[2].``) in messages."""
    name = params.get('name')
    if name is not None and not name.strip():
        module.fail_json(msg='%sname must not be empty, got %r' % (prefix, name))
    priority = params.get('priority')
    if priority is not None and priority < 0:
        module.fail_json(msg='%spriority must be a whole number of 0 or more, got %s' % (prefix, priority))
    for index, condition in enumerate(params.get('conditions') or []):
        value = condition['value']
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            continue
        module.fail_json(msg='%sconditions[%d].value must be a string or a list of strings, got %r (%s)'
                             % (prefix, index, value, type(value).__name__))


# --- the body sent to the API --------------------------------------------------------


def _condition(condition):
    value = condition['value']
    return {'selector': condition['selector'], 'operator': condition['operator'],
            'value': list(value) if isinstance(value, list) else value}


def build_body(params, current=None):
    """The rule body for POST (``current`` None) or PUT (``current`` the rule read back).

    PUT replaces the whole rule, so what the task leaves unset is taken from the current rule;
    on create, ``enabled`` defaults to true and the action to Block. Values are sent as the user wrote them.
    """
    current = current or {}
    current_action = current.get('action') if isinstance(current.get('action'), dict) else {}
    body = {'name': params['name'] if params.get('name') is not None else current.get('name')}
    if params.get('description') is not None:
        body['description'] = params['description']
    elif 'description' in current:
        body['description'] = current['description']
    enabled = params.get('enabled')
    body['enabled'] = enabled if enabled is not None else current.get('enabled', True)
    if params.get('conditions') is not None:
        body['conditions'] = [_condition(condition) for condition in params['conditions']]
    else:
        body['conditions'] = [_condition(condition) for condition in current.get('conditions') or []]
    action = {'action': params.get('action') or current_action.get('action') or 'Block'}
    if params.get('action_message') is not None:
        action['message'] = params['action_message']
    elif 'message' in current_action:
        action['message'] = current_action['message']
    body['action'] = action
    return body


def missing_for_create(params):
    """The options a new rule needs that the task did not give."""
    return [option for option in ('name', 'conditions') if params.get(option) is None]


# --- comparing -----------------------------------------------------------------------


def _canonical_value(operator, value):
    if operator in SET_OPERATORS:  # a list of addresses or profiles: a set, and a string is a one-element list
        values = [value] if isinstance(value, str) else list(value or [])
        return ('set', tuple(sorted(set(values), key=repr)))
    if isinstance(value, list):
        return ('list', tuple(value))
    return ('str', value)


def canonical(rule):
    """What matters of a rule when comparing: conditions in any order (they are ANDed), lists under
    InList/NotInList as sets, and an empty description or message the same as null or missing."""
    action = rule.get('action') if isinstance(rule.get('action'), dict) else {}
    conditions = [(condition.get('selector'), condition.get('operator'),
                   _canonical_value(condition.get('operator'), condition.get('value')))
                  for condition in rule.get('conditions') or [] if isinstance(condition, dict)]
    return {
        'name': rule.get('name'),
        'description': rule.get('description') or None,
        'enabled': rule.get('enabled'),
        'conditions': sorted(conditions, key=repr),
        'action': action.get('action'),
        'message': action.get('message') or None,
    }


def same_rule(current, body):
    return canonical(current) == canonical(body)


def merged(current, body, priority=None):
    """The rule a change would leave (for check mode): ``current`` (None when creating) with ``body`` applied."""
    rule = copy.deepcopy(current) if current else {}
    rule.update(copy.deepcopy(body))
    if priority is not None:
        rule['priority'] = priority
    return rule


# --- finding rules ---------------------------------------------------------------------


def rule_key(rule):
    """A rule's ID as a comparable key (UUIDs compare case-insensitively)."""
    return str(rule.get('rule_id') or '').lower()


def named(rules, name):
    return [rule for rule in rules if rule.get('name') == name]


def describe(rules):
    return ', '.join('%s (priority %s)' % (rule.get('rule_id'), rule.get('priority')) for rule in rules)


def find_created(rules, body, known_keys):
    """After a create whose answer was lost: the one rule that appeared since (not in ``known_keys``)
    with the body's name and an identical content, else None."""
    if not isinstance(rules, list):
        return None
    found = [rule for rule in rules if isinstance(rule, dict) and rule_key(rule) not in known_keys
             and rule.get('name') == body['name'] and same_rule(rule, body)]
    return found[0] if len(found) == 1 else None


def check_rule_list(module, rules, where):
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        module.fail_json(msg='Cloudflare answered %s with an unexpected result: %r' % (where, rules))
    return rules


def create_rule(api, body, known_keys):
    """POST a new rule, never resent blindly: if the answer is lost (5xx, timeout), read the rule list once and
    adopt the rule if it appeared; otherwise the original error stands (``CloudflareAPI.create``)."""
    def recover():
        try:
            rules = api.send('GET', api.rules_path)
        except APIError:
            return None
        return find_created(rules, body, known_keys)

    return api.create(api.rules_path, body, recover)
