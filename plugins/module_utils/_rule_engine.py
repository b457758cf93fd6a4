# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""The one rule engine of cloudflare_dlp_email_rules and cloudflare_dlp_email_rule (a plan of one entry, never
exclusive): check the entries, resolve DLP profile names, read the rules, match each entry by rule_id else by name,
plan the writes, carry them out in DESIGN's order (PUT, POST, DELETE, one PATCH) with create-and-adopt and a check of
every answer, and report what was applied when a write fails.

Entries are the options of a rule (``_rules.rule_options()``); ``prefixes`` name each entry in messages
(``rules[2].`` for the rule set, ``''`` for the single rule). Nothing here fails the module: what cannot be done
raises RuleError, ProfileError or APIError, and the module turns it into its failure result with ``report()``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import functools

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles, _rules
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import checked, partial_failure_message
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._rules import RuleError

# What a run writes, in the order of writes (a contract, see the docs): the updates [(rule, body)] with one PUT each,
# the new rules [(key, body)] with one POST each, the deletions [rule] with one DELETE each, and the priorities
# [(key, priority)], of which those that differ go in one PATCH. A key names a rule: its lower-cased ID, or for a
# rule to create the index of its entry. ``matched`` is the existing rule each entry matched, or None.
Plan = collections.namedtuple('Plan', ['updates', 'creates', 'deletes', 'priorities', 'matched'])


# --- before any request ----------------------------------------------------------------


def check_entries(entries, prefixes):
    """Checks on the entries themselves, before any request."""
    ids, names = {}, {}
    for index, (entry, prefix) in enumerate(zip(entries, prefixes)):
        _rules.check_uuid(entry['rule_id'], prefix + 'rule_id')
        if not entry['rule_id'] and entry['name'] is None:
            raise RuleError('rules[%d] needs a name or a rule_id' % index)
        _rules.check_rule(entry, prefix)
        if entry['rule_id']:
            key = entry['rule_id'].lower()
            if key in ids:
                raise RuleError('rules[%d] and rules[%d] have the same rule_id %r: each rule must be listed once'
                                % (ids[key], index, entry['rule_id']))
            ids[key] = index
        if entry['name'] is not None:
            names.setdefault(entry['name'], []).append(index)
    for name, indexes in names.items():
        by_name = [index for index in indexes if not entries[index]['rule_id']]
        if len(indexes) > 1 and by_name:  # only entries that each have a rule_id may share a name
            other = indexes[0] if indexes[0] != by_name[0] else indexes[1]
            raise RuleError('rules[%d] and rules[%d] have the same name %r: each rule must be listed once, with a'
                            ' unique name (entries that each have a rule_id may share one)'
                            % (min(other, by_name[0]), max(other, by_name[0]), name))


# --- reads -----------------------------------------------------------------------------


def _is_rule_with_key(key):
    """Whether an answer is a rule, and the one with this key (a PUT answered with another rule may have written it)."""
    return lambda answer: _rules.is_rule(answer) and _rules.rule_key(answer) == key


def _is_rule_list(answer):
    return isinstance(answer, list) and all(_rules.is_rule(rule) for rule in answer)


def with_profile_ids(api, entries, prefixes):
    """The entries with DLP profile names replaced by IDs; the profile list is read only when a name is used."""
    if not _rules.uses_profile_names(entries):
        return entries
    return _rules.resolve_profiles(entries, _profiles.read_profiles(api), prefixes)


def read_rules(api):
    """Every rule of the account (one GET)."""
    return checked(api.send('GET', api.rules_path), _is_rule_list, 'GET %s' % api.rules_path, False)


def read_rule(api, rule_id):
    """The rule with this ID as a list of one, or an empty list when there is none (one GET, 404 = absent)."""
    path = api.rule_path(rule_id)
    rule = checked(api.send('GET', path, absent_on_404=True), lambda answer: answer is None or _rules.is_rule(answer),
                   'GET %s' % path, False)
    return [] if rule is None else [rule]


# --- the plan ------------------------------------------------------------------------------


def _match_one(entry, current, by_key, prefix):
    """The existing rule an entry means, by rule_id else by name, or None."""
    if entry['rule_id']:
        rule = by_key.get(entry['rule_id'].lower())
        if rule is None and entry['state'] == 'present':
            raise RuleError('%srule_id %s matches no rule. Cloudflare chooses the ID of a new rule: leave rule_id out to'
                            ' create the rule by name.' % (prefix, entry['rule_id']))
        return rule
    found = _rules.named(current, entry['name'])
    if len(found) > 1:
        raise RuleError('%sname %r matches %d rules: %s. Set %srule_id to choose one.'
                        % (prefix, entry['name'], len(found), _rules.describe(found), prefix))
    return found[0] if found else None


def match(entries, current, prefixes):
    """The existing rule each entry matches (or None), and which entry claimed each matched rule (by key)."""
    by_key = dict((_rules.rule_key(rule), rule) for rule in current)
    claimed, matched = {}, []
    for index, (entry, prefix) in enumerate(zip(entries, prefixes)):
        rule = _match_one(entry, current, by_key, prefix)
        if rule is not None:
            key = _rules.rule_key(rule)
            if key in claimed:
                raise RuleError('rules[%d] and rules[%d] both match the rule %s (%r): list each rule once'
                                % (claimed[key], index, rule.get('rule_id'), rule.get('name')))
            claimed[key] = index
        matched.append(rule)
    return matched, claimed


def plan(entries, current, exclusive, prefixes):
    """The Plan that makes the account's rules (``current``) what the entries say; raises RuleError, before any write,
    for what cannot be done."""
    matched, claimed = match(entries, current, prefixes)
    steps = Plan(updates=[], creates=[], deletes=[], priorities=[], matched=matched)
    for index, (entry, rule, prefix) in enumerate(zip(entries, matched, prefixes)):
        if entry['state'] == 'absent':
            if rule is not None:
                steps.deletes.append(rule)
            continue
        if rule is None:
            missing = _rules.missing_for_create(entry)
            if missing:
                raise RuleError('%s%s required to create the rule %r, which does not exist'
                                % (prefix[:-1] + ': ' if prefix else '', ' and '.join(missing) + (' is' if len(missing) == 1 else ' are'),
                                   entry['name']))
            steps.creates.append((index, _rules.build_body(entry)))
        else:
            body = _rules.build_body(entry, rule)
            if not _rules.same_rule(rule, body):
                steps.updates.append((rule, body))
        if entry['priority'] is not None:
            steps.priorities.append((key_of(steps, index), entry['priority']))
    if exclusive:
        steps.deletes.extend(rule for rule in current if _rules.rule_key(rule) not in claimed)
    return steps


def key_of(steps, index):
    """The key of entry ``index``'s rule in Applied.rules."""
    rule = steps.matched[index]
    return index if rule is None else _rules.rule_key(rule)


# --- the writes ------------------------------------------------------------------------------


class Applied(object):
    """What apply() has done: the latest known state of every rule (by key, existing rules in the API's order, then
    new ones), the names of the rules written, and the names of the write in flight, which are uncertain if it fails
    with a server error, a timeout or an answer of the wrong shape."""

    def __init__(self, current=()):
        self.before = list(current)
        self.rules = collections.OrderedDict((_rules.rule_key(rule), rule) for rule in current)
        self.updated, self.created, self.deleted, self.reprioritized = [], [], [], []
        self.writing = []

    @property
    def changed(self):
        return bool(self.updated or self.created or self.deleted or self.reprioritized)


def _create(api, body, known_keys):
    """POST a new rule; a lost or malformed answer is followed by one GET that adopts the rule if it appeared."""
    where = 'POST %s' % api.rules_path
    return api.create(api.rules_path, body, functools.partial(checked, valid=_rules.is_rule, where=where, write=True),
                      functools.partial(_rules.find_created, body=body, known_keys=known_keys))


def _set_priorities(api, changes, applied, check_mode):
    """One PATCH with every priority that differs ([(key, priority)])."""
    applied.writing = [applied.rules[key]['name'] for key, dummy in changes]
    answer = None
    if not check_mode:
        answer = checked(api.send('PATCH', api.rules_path,
                                  {'new_priorities': dict((applied.rules[key]['rule_id'], priority) for key, priority in changes)}),
                         _rules.is_rule, 'PATCH %s' % api.rules_path, True)
    for key, priority in changes:
        applied.rules[key] = _rules.merged(applied.rules[key], {}, priority)
    for key, rule in applied.rules.items():  # the API answers with "a rule": keep it if it is one we list
        if _rules.is_rule(answer) and _rules.rule_key(rule) == _rules.rule_key(answer):
            applied.rules[key] = answer
    applied.reprioritized = applied.writing


def apply(api, steps, applied, check_mode):
    """Carry out the plan, recording each write in ``applied`` once it succeeded; the first write that fails raises
    APIError, and the writes after it are not sent. In check mode nothing is sent and ``applied`` says what would be."""
    for rule, body in steps.updates:
        applied.writing = [body['name']]
        path = api.rule_path(rule['rule_id'])
        applied.rules[_rules.rule_key(rule)] = _rules.merged(rule, body) if check_mode else checked(
            api.send('PUT', path, body), _is_rule_with_key(_rules.rule_key(rule)), 'PUT %s' % path, True)
        applied.updated.append(body['name'])
    for key, body in steps.creates:
        applied.writing = [body['name']]
        known_keys = set(_rules.rule_key(rule) for rule in applied.rules.values())
        applied.rules[key] = _rules.merged(None, body) if check_mode else _create(api, body, known_keys)
        applied.created.append(body['name'])
    for rule in steps.deletes:
        applied.writing = [rule.get('name')]
        if not check_mode:
            api.send('DELETE', api.rule_path(rule['rule_id']), absent_on_404=True)  # 404: already gone (a retried DELETE)
        del applied.rules[_rules.rule_key(rule)]
        applied.deleted.append(rule.get('name'))
    changes = [(key, priority) for key, priority in steps.priorities if applied.rules[key].get('priority') != priority]
    if changes:
        _set_priorities(api, changes, applied, check_mode)
    applied.writing = []


# --- the report ------------------------------------------------------------------------------


def report(applied, error=None):
    """The lists every result carries (what was applied, and on failure the write whose outcome is unknown). A write
    that may have been applied counts as a change (DESIGN: a hostile network or server)."""
    result = dict(changed=applied.changed, created=applied.created, updated=applied.updated, deleted=applied.deleted,
                  reprioritized=applied.reprioritized, uncertain=[])
    if getattr(error, 'details', {}).get('maybe_applied'):
        result['uncertain'] = applied.writing
    result['changed'] = bool(result['changed'] or result['uncertain'])
    return result


def failure_message(result):
    """What to add to the error's message: what was applied before it, which stays, and what is unknown."""
    return partial_failure_message(['%s %s' % (what, ', '.join(repr(name) for name in result[what]))
                                    for what in ('updated', 'created', 'deleted', 'reprioritized') if result[what]],
                                   result['uncertain'])
