# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""What the DLP email rule modules share: a rule's options and their checks, the body sent to the API, DLP profile
names in conditions, how a rule read back is compared with the one a task wants, and a rule in the input format.

Pure functions only: no module, no HTTP (the requests are _rule_engine.py's). What cannot be done raises RuleError
(ProfileError for DLP profile references), and the modules fail with its message.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._profiles import is_uuid

SELECTORS = ['Recipients', 'Sender', 'DLPProfiles']
OPERATORS = ['InList', 'NotInList', 'MatchRegex', 'NotMatchRegex']
SET_OPERATORS = ('InList', 'NotInList')
ACTIONS = ['Block']
BODY_KEYS = ('name', 'description', 'enabled', 'conditions', 'action')


class RuleError(Exception):
    """What a task cannot do, found before any write (bad input, an answer of the wrong shape, a plan that cannot be
    carried out); ``msg`` says why and names the option."""

    def __init__(self, msg):
        super(RuleError, self).__init__(msg)
        self.msg = msg


def rule_options():
    """The options of cloudflare_dlp_email_rule, which are also the suboptions of each entry of
    cloudflare_dlp_email_rules (and of the role's dlp_email_rules). No defaults but ``state``: an option left unset
    keeps the rule's current value."""
    return dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        rule_id=dict(type='str'),
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


def check_uuid(value, option):
    """An ID option (a rule's or a profile's) must be a UUID, if given."""
    if value is not None and not is_uuid(value):
        raise RuleError('%s must be a UUID such as 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d, got %r' % (option, value))


def check_rule(params, prefix=''):
    """The checks an argument spec cannot express; ``prefix`` names the entry (``rules[2].``) in messages."""
    name = params.get('name')
    if name is not None and not name.strip():
        raise RuleError('%sname must not be empty, got %r' % (prefix, name))
    priority = params.get('priority')
    if priority is not None and priority < 0:
        raise RuleError('%spriority must be a whole number of 0 or more, got %s' % (prefix, priority))
    for index, condition in enumerate(params.get('conditions') or []):
        value = condition['value']
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            continue
        raise RuleError('%sconditions[%d].value must be a string or a list of strings, got %r (%s)'
                        % (prefix, index, value, type(value).__name__))


# --- answers of the API ----------------------------------------------------------------


def is_rule(value):
    """Whether an answer has the shape of a rule: what the modules go on to use."""
    return (isinstance(value, dict) and isinstance(value.get('rule_id'), str) and isinstance(value.get('name'), str)
            and isinstance(value.get('priority'), int) and not isinstance(value.get('priority'), bool))


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


# --- DLP profiles by name --------------------------------------------------------------


def _profile_references(condition):
    """The values of a condition that name DLP profiles: those under DLPProfiles with InList or NotInList. Regular
    expressions and the values of other selectors are no references."""
    if condition.get('selector') != 'DLPProfiles' or condition.get('operator') not in SET_OPERATORS:
        return []
    value = condition['value']
    return [value] if isinstance(value, str) else list(value)


def uses_profile_names(rules):
    """Whether any condition of the rules (their options) refers to a DLP profile by name rather than by ID."""
    return any(not is_uuid(reference) for params in rules for condition in params.get('conditions') or []
               for reference in _profile_references(condition))


def resolve_profiles(rules, profiles, prefixes):
    """The rules (their options) with each DLP profile name replaced by its profile's ID, for the account's
    ``profiles``; ``prefixes`` name the rules in messages. Raises ProfileError listing every name that matches no profile
    or several and every ID that is no profile, with the profiles as ``name (type, id)``."""
    problems, resolved = [], []
    for params, prefix in zip(rules, prefixes):
        conditions = params.get('conditions')
        if conditions is not None:
            conditions = [dict(condition) for condition in conditions]
            for index, condition in enumerate(conditions):
                if not _profile_references(condition):
                    continue
                where = '%sconditions[%d].value' % (prefix, index)
                value = condition['value']
                references = [value] if isinstance(value, str) else value
                found = [_profiles.profile_id(reference, profiles, where) for reference in references]
                problems.extend(problem for dummy, problem in found if problem)
                ids = [profile_id for profile_id, dummy in found]
                condition['value'] = ids[0] if isinstance(value, str) else ids
        resolved.append(dict(params, conditions=conditions))
    if problems:
        raise _profiles.unresolved(problems, profiles)
    return resolved


# --- comparing -----------------------------------------------------------------------


def _canonical_value(selector, operator, value):
    if operator in SET_OPERATORS:  # a list of addresses or profiles: a set, and a string is a one-element list
        values = [value] if isinstance(value, str) else list(value or [])
        if selector == 'DLPProfiles':  # a profile ID is a UUID, the same profile in any case
            values = [item.lower() if is_uuid(item) else item for item in values]
        return ('set', tuple(sorted(set(values), key=repr)))
    if isinstance(value, list):
        return ('list', tuple(value))
    return ('str', value)


def canonical(rule):
    """What matters of a rule when comparing: conditions in any order (they are ANDed), lists under
    InList/NotInList as sets (DLP profile IDs in any case), and an empty description or message the same as null or
    missing."""
    action = rule.get('action') if isinstance(rule.get('action'), dict) else {}
    conditions = [(condition.get('selector'), condition.get('operator'),
                   _canonical_value(condition.get('selector'), condition.get('operator'), condition.get('value')))
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


def filtered(rules, name, rule_id):
    """The rules with exactly this name and with this ID (in any case), each only when given."""
    return [rule for rule in rules if (name is None or rule.get('name') == name)
            and (rule_id is None or rule_key(rule) == rule_id.lower())]


def describe(rules):
    return ', '.join('%s (priority %s)' % (rule.get('rule_id'), rule.get('priority')) for rule in rules)


def find_created(rules, body, known_keys):
    """After a create whose answer was lost: the one rule that appeared since (not in ``known_keys``)
    with the body's name and an identical content, else None."""
    if not isinstance(rules, list):
        return None
    found = [rule for rule in rules if is_rule(rule) and rule_key(rule) not in known_keys
             and rule.get('name') == body['name'] and same_rule(rule, body)]
    return found[0] if len(found) == 1 else None


# --- the input format ------------------------------------------------------------------


def rules_input(rules, account_rules):
    """``rules`` (as the API returned them) as entries of cloudflare_dlp_email_rules' ``rules`` option, which the role's
    dlp_email_rules takes too. Only a rule whose name is not unique among ``account_rules`` (every rule of the account)
    gets its ``rule_id``, so that feeding the entries back matches every rule and changes nothing."""
    names = [rule.get('name') for rule in account_rules]
    entries = []
    for rule in rules:
        action = rule.get('action') if isinstance(rule.get('action'), dict) else {}
        entry = {'rule_id': rule.get('rule_id')} if names.count(rule.get('name')) > 1 else {}
        entry.update(
            name=rule.get('name'),
            description=rule.get('description'),
            enabled=rule.get('enabled'),
            priority=rule.get('priority'),
            conditions=[{'selector': condition.get('selector'), 'operator': condition.get('operator'), 'value': condition.get('value')}
                        for condition in rule.get('conditions') or []],
            action=action.get('action'),
            action_message=action.get('message'),
        )
        entries.append(entry)
    return entries
