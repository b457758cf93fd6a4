# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""DLP profiles: the account's profile list, a profile reference (a name or an ID) turned into the profile's ID, and
what cannot be resolved, as ProfileError (used by the rule engine and by cloudflare_dlp_profile_info); and
cloudflare_dlp_profile (custom profiles) and cloudflare_dlp_predefined_profile: their options and checks, their reads,
the pure planning of the minimal writes, the writes with a check of every answer, and the report of what was applied.
Nothing here fails the module: what cannot be done raises ProfileError or APIError."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import copy
import functools
import re

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import checked, partial_failure_message
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import APIError, segment

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


class ProfileError(Exception):
    """A profile option or reference that cannot work, found before any write; ``msg`` names it."""

    def __init__(self, msg):
        super(ProfileError, self).__init__(msg)
        self.msg = msg


def is_uuid(value):
    return isinstance(value, str) and bool(_UUID.match(value))


def check_profile_id(value):
    if value is not None and not is_uuid(value):
        raise ProfileError('profile_id must be a UUID such as 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d, got %r' % (value,))


def _is_profile(value):
    return (isinstance(value, dict) and isinstance(value.get('id'), str) and isinstance(value.get('name'), str)
            and isinstance(value.get('entries'), list))


def read_profiles(api):
    """The account's DLP profiles (one GET), checked to be a list of profiles with an ID, a name and entries."""
    answer = api.send('GET', api.profiles_path)
    if not isinstance(answer, list) or not all(_is_profile(profile) for profile in answer):
        raise APIError('Cloudflare answered GET %s with an unexpected result: %.200r' % (api.profiles_path, answer))
    return answer


def matching(profiles, name=None, profile_id=None):
    """The profiles with exactly this name and with this ID (in any case), each only when given."""
    return [profile for profile in profiles if (name is None or profile['name'] == name)
            and (profile_id is None or profile['id'].lower() == profile_id.lower())]


def describe(profiles):
    return ', '.join('%s (%s, %s)' % (profile['name'], profile.get('type'), profile['id']) for profile in profiles)


def profile_id(reference, profiles, where):
    """(the ID a reference stands for, a problem or None). A UUID is an ID and stays as written; a name becomes the
    ID of the one profile with exactly that name. ``where`` names the reference in the problem."""
    if is_uuid(reference):
        if matching(profiles, profile_id=reference):
            return reference, None
        return reference, '%s: %s is the ID of no DLP profile of the account' % (where, reference)
    found = matching(profiles, name=reference)
    if len(found) == 1:
        return found[0]['id'], None
    if found:
        return reference, ('%s: %r is the name of %d DLP profiles, %s; use the ID of the one you mean'
                           % (where, reference, len(found), describe(found)))
    return reference, '%s: no DLP profile is named %r (names are matched exactly, case included)' % (where, reference)


def unresolved(problems, profiles):
    """The ProfileError for references that could not be resolved, listing the account's profiles."""
    return ProfileError('%s. The DLP profiles of the account: %s' % ('; '.join(problems), describe(profiles) or 'none'))


# === cloudflare_dlp_profile and cloudflare_dlp_predefined_profile ===================================

CONFIDENCE_THRESHOLDS = ['low', 'medium', 'high', 'very_high']
# The settings both kinds of profile have, and the fields of a custom profile that its module manages.
SETTINGS = ('allowed_match_count', 'confidence_threshold', 'ocr_enabled', 'ai_context_enabled')
CUSTOM_FIELDS = ('name', 'description') + SETTINGS
MAX_ALLOWED_MATCH_COUNT = 1000
_PATTERN_HINT = ('Cloudflare refuses a pattern that does not compile, that can match an unbounded string (* or +:'
                 ' bound repeats with a range such as {1,100}) or that uses look-around or back-references')


def _settings_options():
    return dict(
        allowed_match_count=dict(type='int'),
        confidence_threshold=dict(type='str', choices=list(CONFIDENCE_THRESHOLDS)),
        ocr_enabled=dict(type='bool'),
        ai_context_enabled=dict(type='bool'),
    )


def profile_options():
    """The options of cloudflare_dlp_profile. No defaults but ``state``, ``force`` and an entry's ``enabled``: an
    option left unset keeps the profile's current value."""
    options = dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        profile_id=dict(type='str'),
        name=dict(type='str'),
        description=dict(type='str'),
        entries=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            regex=dict(type='str', required=True),
            enabled=dict(type='bool', default=True),
            description=dict(type='str'),
        )),
        force=dict(type='bool', default=False),
    )
    options.update(_settings_options())
    return options


def role_profile_options():
    """The options of an entry of the role's dlp_email_profiles: those of cloudflare_dlp_profile that make a profile
    (no ``state``, so no ``force``)."""
    options = profile_options()
    del options['state'], options['force']
    return options


def predefined_options():
    """The options of cloudflare_dlp_predefined_profile; unset ones keep the profile's current values."""
    options = dict(
        profile_id=dict(type='str'),
        name=dict(type='str'),
        enabled_entries=dict(type='list', elements='str'),
    )
    options.update(_settings_options())
    return options


# --- checks before any request ----------------------------------------------------------------


def _check_common(params):
    check_profile_id(params.get('profile_id'))
    if params.get('name') is not None and not params['name'].strip():
        raise ProfileError('name must not be empty, got %r' % (params['name'],))
    count = params.get('allowed_match_count')
    if count is not None and not 0 <= count <= MAX_ALLOWED_MATCH_COUNT:
        raise ProfileError('allowed_match_count must be a whole number from 0 to %d, got %s' % (MAX_ALLOWED_MATCH_COUNT, count))


def check_custom(params):
    """The checks of cloudflare_dlp_profile's options that an argument spec cannot express."""
    _check_common(params)
    seen = {}
    for index, entry in enumerate(params.get('entries') or []):
        if not entry['name'].strip():
            raise ProfileError('entries[%d].name must not be empty, got %r' % (index, entry['name']))
        if not entry['regex']:
            raise ProfileError('entries[%d].regex must not be empty (entry %r)' % (index, entry['name']))
        if entry['name'] in seen:
            raise ProfileError('entries[%d] and entries[%d] have the same name %r: entries are matched by name, so each'
                               ' name must be listed once' % (seen[entry['name']], index, entry['name']))
        seen[entry['name']] = index


def check_predefined(params):
    """The checks of cloudflare_dlp_predefined_profile's options that an argument spec cannot express."""
    _check_common(params)
    for index, reference in enumerate(params.get('enabled_entries') or []):
        if not reference.strip():
            raise ProfileError('enabled_entries[%d] must be the name or ID of an entry, got %r' % (index, reference))


# --- answers of the API -----------------------------------------------------------------------


def is_regex_entry(entry):
    """A custom (regex) entry, the only kind cloudflare_dlp_profile manages; word lists and the rest are left alone."""
    return entry.get('type') == 'custom'


def _is_entry(value):
    """An entry as the modules use it: an ID, a name and whether it is enabled; a regex entry also has its regex."""
    if not (isinstance(value, dict) and isinstance(value.get('id'), str) and isinstance(value.get('name'), str)
            and isinstance(value.get('enabled'), bool)):
        return False
    return not is_regex_entry(value) or isinstance(value.get('pattern'), dict) and isinstance(value['pattern'].get('regex'), str)


def _is_full_profile(value):
    """A profile with its entries (what a custom profile or a predefined profile read by ID is)."""
    return (_is_profile(value) and isinstance(value.get('entries'), list) and all(_is_entry(entry) for entry in value['entries'])
            and all(_is_entry(entry) for entry in value.get('shared_entries') or []))


def _is_profile_list(value):
    return isinstance(value, list) and all(_is_full_profile(profile) for profile in value)


def _is_config(value):
    """The answer of a predefined profile's config PUT: the entries it enabled, by ID."""
    return (isinstance(value, dict) and isinstance(value.get('enabled_entries'), list)
            and all(isinstance(entry_id, str) for entry_id in value['enabled_entries']))


# --- paths ------------------------------------------------------------------------------------


def _custom_path(api, profile_id=None):
    return api.profiles_path + '/custom' + ('' if profile_id is None else '/' + segment(profile_id, 'profile_id'))


def _predefined_path(api, profile_id):
    return api.profiles_path + '/predefined/' + segment(profile_id, 'profile_id')


def _entries_path(api):
    return api.account_path + '/dlp/entries'


def _entry_path(api, entry_id, custom=False):
    return _entries_path(api) + ('/custom/' if custom else '/') + segment(entry_id, 'entry ID')


# --- reads ------------------------------------------------------------------------------------


def _profile_names(profiles):
    return ', '.join('%s (%s)' % (profile['name'], profile['id']) for profile in profiles)


def read_custom(api, profile_id, name):
    """(the custom profile, or None when there is none; the IDs of the custom profiles read). One GET: of the profile
    by ID, else of the custom profile list, where the name must match at most one profile."""
    if profile_id is not None:
        path = _custom_path(api, profile_id)
        profile = checked(api.send('GET', path, absent_on_404=True), lambda answer: answer is None or _is_full_profile(answer),
                          'GET %s' % path, False)
        return profile, set()
    path = _custom_path(api)
    profiles = checked(api.send('GET', path), _is_profile_list, 'GET %s' % path, False)
    found = matching(profiles, name=name)
    if len(found) > 1:
        raise ProfileError('name %r matches %d custom DLP profiles: %s. Set profile_id to choose one.'
                           % (name, len(found), _profile_names(found)))
    return (found[0] if found else None), set(profile['id'].lower() for profile in profiles)


def read_predefined(api, profile_id, name):
    """The predefined profile with every entry and its state (GET /dlp/profiles/predefined/{id}); found by name, the
    account's profile list is read first, where the name must match exactly one predefined profile."""
    if profile_id is None:
        predefined = [profile for profile in read_profiles(api) if profile.get('type') == 'predefined']
        found = matching(predefined, name=name)
        if len(found) != 1:
            raise ProfileError('name %r matches %s predefined DLP profiles. The predefined profiles of the account: %s'
                               % (name, len(found) or 'no', _profile_names(predefined) or 'none'))
        profile_id = found[0]['id']
    path = _predefined_path(api, profile_id)
    profile = checked(api.send('GET', path, absent_on_404=True), lambda answer: answer is None or _is_full_profile(answer),
                      'GET %s' % path, False)
    if profile is None:
        raise ProfileError('profile_id %s is no predefined DLP profile of the account (GET %s answered 404).'
                           ' cloudflare_dlp_profile_info lists the profiles.' % (profile_id, path))
    return profile


# --- the plan of a custom profile (pure) --------------------------------------------------------

# What a run writes, in this order: create (the POST body, entries inline) or update (the PUT body), then entry
# updates [(entry, body)], entry creates [body], entry deletes [entry]; before any of them, ``patterns`` [(entry name,
# regex)] are validated. ``current`` is the profile read (None when it does not exist).
CustomPlan = collections.namedtuple('CustomPlan', ['current', 'create', 'update', 'entry_updates', 'entry_creates',
                                                   'entry_deletes', 'patterns'])


def _same(option, wanted, current):
    """Whether a value the task gives equals the current one; an empty description is the same as none."""
    if option == 'description':
        return (wanted or None) == (current or None)
    return wanted == current


def _entry_body(entry, current=None):
    """The body of a new entry (POST, or inline in a new profile) or, with ``current``, of an entry's PUT: its
    description, when the task leaves it unset, and its regex's validation stay as they are."""
    current = current or {}
    pattern = {'regex': entry['regex']}
    if isinstance(current.get('pattern'), dict) and 'validation' in current['pattern']:
        pattern['validation'] = current['pattern']['validation']
    body = {'name': entry['name'], 'pattern': pattern, 'enabled': entry['enabled']}
    description = entry.get('description')
    if description is None:
        description = current.get('description')
    if description is not None or 'description' in current:
        body['description'] = description
    return body


def _entry_changed(entry, current):
    return (entry['regex'] != current['pattern']['regex'] or entry['enabled'] != current['enabled']
            or entry.get('description') is not None and not _same('description', entry['description'], current.get('description')))


def duplicate_entries(profile):
    """The regex entries of a profile that share a name with another, as 'name (id)'."""
    entries = [entry for entry in profile['entries'] if is_regex_entry(entry)]
    names = [entry['name'] for entry in entries]
    return ['%s (%s)' % (entry['name'], entry['id']) for entry in entries if names.count(entry['name']) > 1]


def _update_body(params, current):
    """The PUT body of a custom profile: its current name, description, settings, context_awareness and shared
    entries, overlaid with what the task gives; never ``entries`` (left out, the API keeps them)."""
    body = dict((field, current[field]) for field in CUSTOM_FIELDS if field in current)
    if 'context_awareness' in current:
        body['context_awareness'] = current['context_awareness']
    body['shared_entries'] = [{'entry_id': entry['id'], 'enabled': entry['enabled']} for entry in current.get('shared_entries') or []]
    body.update((field, params[field]) for field in CUSTOM_FIELDS if params.get(field) is not None)
    return body


def plan_custom(params, current):
    """The CustomPlan that makes the profile (``current``, None when it does not exist) what the task says; raises
    ProfileError, before any write, for what cannot be done."""
    entries = params.get('entries')
    if current is None:
        if params.get('profile_id') is not None:
            raise ProfileError('profile_id %s matches no custom DLP profile of the account. Cloudflare chooses the ID'
                               ' of a new profile: give name instead to create one.' % params['profile_id'])
        body = dict((field, params[field]) for field in CUSTOM_FIELDS if params.get(field) is not None)
        body['entries'] = [_entry_body(entry) for entry in entries or []]
        return CustomPlan(None, body, None, [], [], [], [(entry['name'], entry['regex']) for entry in entries or []])
    update = None
    if any(params.get(field) is not None and not _same(field, params[field], current.get(field)) for field in CUSTOM_FIELDS):
        update = _update_body(params, current)
    steps = CustomPlan(current, None, update, [], [], [], [])
    if entries is None:
        return steps
    duplicates = duplicate_entries(current)
    if duplicates:
        raise ProfileError('the profile %r has several regex entries of the same name, %s, so entries cannot be matched'
                           ' by name: delete or rename the extra ones first' % (current['name'], ', '.join(duplicates)))
    existing = dict((entry['name'], entry) for entry in current['entries'] if is_regex_entry(entry))
    for entry in entries:
        found = existing.pop(entry['name'], None)
        if found is None:
            steps.entry_creates.append(_entry_body(entry))
        elif _entry_changed(entry, found):
            steps.entry_updates.append((found, _entry_body(entry, found)))
        else:
            continue
        if found is None or entry['regex'] != found['pattern']['regex']:
            steps.patterns.append((entry['name'], entry['regex']))
    steps.entry_deletes.extend(existing.values())
    return steps


def _as_entry(body, current=None):
    """The entry a write would leave (check mode)."""
    entry = dict(current or {'type': 'custom'})
    entry.update(copy.deepcopy(body))
    return entry


def planned_profile(steps):
    """The profile as the plan would leave it (check mode), without the IDs that Cloudflare would choose."""
    if steps.create is not None:
        profile = dict(steps.create, type='custom')
        profile['entries'] = [_as_entry(body) for body in steps.create['entries']]
        return profile
    profile = copy.deepcopy(steps.current)
    if steps.update is not None:
        profile.update((field, steps.update[field]) for field in CUSTOM_FIELDS if field in steps.update)
    updated = dict((entry['id'], body) for entry, body in steps.entry_updates)
    deleted = set(entry['id'] for entry in steps.entry_deletes)
    profile['entries'] = [_as_entry(updated[entry['id']], entry) if entry['id'] in updated else entry
                          for entry in profile['entries'] if entry['id'] not in deleted]
    profile['entries'].extend(_as_entry(body) for body in steps.entry_creates)
    return profile


def diff_view(profile):
    """What a diff shows of a custom profile: the managed fields and the regex entries by name."""
    if profile is None:
        return {}
    view = dict((field, profile.get(field)) for field in CUSTOM_FIELDS)
    view['entries'] = dict((entry['name'], {'regex': (entry.get('pattern') or {}).get('regex'), 'enabled': entry.get('enabled'),
                                            'description': entry.get('description')})
                           for entry in profile.get('entries') or [] if is_regex_entry(entry))
    return view


# --- the writes of a custom profile -------------------------------------------------------------


class Written(object):
    """What a run of cloudflare_dlp_profile has applied (entries by name), and the names of the write in flight,
    which are uncertain if it fails with a server error, a timeout or an answer of the wrong shape."""

    def __init__(self):
        self.created = self.deleted = self.profile_updated = False
        self.entries_created, self.entries_updated, self.entries_deleted = [], [], []
        self.writing = []

    @property
    def changed(self):
        return bool(self.created or self.deleted or self.profile_updated or self.entries_created or self.entries_updated
                    or self.entries_deleted)


def validate_patterns(api, patterns, check_mode, warn):
    """Check each new or changed regex with POST /dlp/patterns/validate (which changes nothing), before any write.
    In check mode a token that may not call it (401, 403) only earns a warning."""
    path = api.account_path + '/dlp/patterns/validate'
    for index, (name, regex) in enumerate(patterns):
        if regex in [other for dummy, other in patterns[:index]]:
            continue  # the same regex was checked already
        try:
            answer = api.send('POST', path, {'regex': regex})
        except APIError as error:
            if check_mode and error.details.get('status') in (401, 403):
                warn('The regexes of the entries were not validated: POST %s needs the permission "Zero Trust Write",'
                     ' which a real run needs anyway (HTTP %s).' % (path, error.details['status']))
                return
            raise
        checked(answer, lambda value: isinstance(value, dict) and isinstance(value.get('valid'), bool), 'POST %s' % path, False)
        if not answer['valid']:
            raise ProfileError('entries: the regex %r of the entry %r is not valid: POST %s answered %r. %s.'
                               % (regex, name, path, answer, _PATTERN_HINT))


def _find_new(items, valid, name, known_ids):
    """After a create whose answer was lost: the one valid item of ``items`` not known before that has this name, or
    None."""
    if not isinstance(items, list):
        return None
    found = [item for item in items if valid(item) and item['name'] == name and item['id'].lower() not in known_ids]
    return found[0] if len(found) == 1 else None


def _create_profile(api, body, known_ids):
    path = _custom_path(api)
    return api.create(path, body, functools.partial(checked, valid=_is_full_profile, where='POST %s' % path, write=True),
                      functools.partial(_find_new, valid=_is_full_profile, name=body['name'], known_ids=known_ids))


def _create_entry(api, profile, body):
    """POST a new entry of the profile; a lost or malformed answer is followed by one GET of the profile, which adopts
    the entry if it appeared."""
    known_ids = set(entry['id'].lower() for entry in profile['entries'])
    return api.create(_entries_path(api), dict(body, profile_id=profile['id']),
                      functools.partial(checked, valid=_is_entry, where='POST %s' % _entries_path(api), write=True),
                      lambda answer: _find_new(answer.get('entries') if isinstance(answer, dict) else None, _is_entry, body['name'], known_ids),
                      read_path=_custom_path(api, profile['id']))


def apply_custom(api, steps, known_ids, written, check_mode):
    """Carry out the plan, recording each write in ``written`` once it succeeded; the first write that fails raises
    APIError, and the writes after it are not sent. Returns the profile as one GET after the writes reads it (the
    profile read before, when nothing changes; in check mode, the profile as the plan would leave it)."""
    if check_mode:
        written.created = steps.create is not None
        written.profile_updated = steps.update is not None
        written.entries_updated = [body['name'] for dummy, body in steps.entry_updates]
        written.entries_created = [body['name'] for body in steps.entry_creates]
        written.entries_deleted = [entry['name'] for entry in steps.entry_deletes]
        return planned_profile(steps)
    profile = steps.current
    if steps.create is not None:
        written.writing = [steps.create['name']]
        profile = _create_profile(api, steps.create, known_ids)
        written.created = True
    if steps.update is not None:
        written.writing = [steps.update['name']]
        path = _custom_path(api, profile['id'])
        checked(api.send('PUT', path, steps.update), _is_profile, 'PUT %s' % path, True)
        written.profile_updated = True
    for entry, body in steps.entry_updates:
        written.writing = [body['name']]
        path = _entry_path(api, entry['id'], custom=True)
        checked(api.send('PUT', path, body), _is_entry, 'PUT %s' % path, True)
        written.entries_updated.append(body['name'])
    for body in steps.entry_creates:
        written.writing = [body['name']]
        _create_entry(api, profile, body)
        written.entries_created.append(body['name'])
    for entry in steps.entry_deletes:
        written.writing = [entry['name']]
        api.send('DELETE', _entry_path(api, entry['id']), absent_on_404=True)  # 404: already gone (a retried DELETE)
        written.entries_deleted.append(entry['name'])
    written.writing = []
    if not written.changed:
        return profile
    path = _custom_path(api, profile['id'])
    return checked(api.send('GET', path), _is_full_profile, 'GET %s' % path, False)


def _refers_to(condition, profile_id):
    """Whether a condition of a rule read back refers to the DLP profile with this (lower-case) ID: only the values
    under the selector DLPProfiles with InList or NotInList are profile references."""
    if not isinstance(condition, dict) or condition.get('selector') != 'DLPProfiles' or condition.get('operator') not in ('InList', 'NotInList'):
        return False
    value = condition.get('value')
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return any(isinstance(item, str) and item.lower() == profile_id for item in values)


def refuse_if_used(profile, rules):
    """Raise ProfileError, naming them, when DLP email rules (read back) refer to the profile."""
    users = [rule for rule in rules if isinstance(rule.get('conditions'), list)
             and any(_refers_to(condition, profile['id'].lower()) for condition in rule['conditions'])]
    if users:
        raise ProfileError('the DLP profile %r (%s) is used by the DLP email rules %s: remove it from their conditions first,'
                           ' or set force=true to delete it anyway' % (profile['name'], profile['id'], ', '.join(
                               '%r (%s)' % (rule['name'], rule['rule_id']) for rule in users)))


def delete_custom(api, profile, written, check_mode):
    """Delete the profile, if there is one."""
    if profile is None:
        return
    written.writing = [profile['name']]
    if not check_mode:
        api.send('DELETE', _custom_path(api, profile['id']), absent_on_404=True)  # 404: already gone (a retried DELETE)
    written.deleted = True
    written.writing = []


def report(written, error=None):
    """The lists every result of cloudflare_dlp_profile carries: what was applied and, on failure, the write whose
    outcome is unknown. A write of unknown outcome counts as a change."""
    uncertain = written.writing if getattr(error, 'details', {}).get('maybe_applied') else []
    return dict(changed=written.changed or bool(uncertain), profile_updated=written.profile_updated,
                entries_created=written.entries_created, entries_updated=written.entries_updated,
                entries_deleted=written.entries_deleted, uncertain=list(uncertain))


def failure_message(written, result):
    """What to add to the error's message: what was applied before it, which stays, and what is unknown."""
    done = ['created the profile'] if written.created else []
    if written.profile_updated:
        done.append('updated the profile')
    done.extend('%s the entries %s' % (what, ', '.join(repr(name) for name in result['entries_' + what]))
                for what in ('updated', 'created', 'deleted') if result['entries_' + what])
    return partial_failure_message(done, result['uncertain'])


# --- a predefined profile -----------------------------------------------------------------------


def _entry_names(profile):
    return ', '.join('%s (%s)' % (entry['name'], entry['id']) for entry in profile['entries']) or 'none'


def _resolve_entries(references, profile):
    """The IDs of the profile's entries that ``references`` (names or IDs) mean; ProfileError for any other."""
    ids, problems = [], []
    for reference in references:
        found = [entry for entry in profile['entries'] if entry['name'] == reference
                 or is_uuid(reference) and entry['id'].lower() == reference.lower()]
        if len(found) == 1:
            ids.append(found[0]['id'])
        else:
            problems.append('%r %s' % (reference, 'matches several entries' if found else 'is no entry of the profile'))
    if problems:
        raise ProfileError('enabled_entries: %s. The entries of the DLP profile %r: %s'
                           % ('; '.join(problems), profile['name'], _entry_names(profile)))
    return ids


def plan_predefined(params, profile):
    """The body of the config PUT that makes the predefined profile what the task says, or None when it is already:
    the current settings overlaid with the task's, and the entries to enable (those enabled now when the task does not
    say: the PUT disables every entry it does not list)."""
    references = params.get('enabled_entries')
    enabled = [entry['id'] for entry in profile['entries'] if entry['enabled']]
    wanted = enabled if references is None else _resolve_entries(references, profile)
    body = dict((field, profile[field]) for field in SETTINGS if field in profile)
    body.update((field, params[field]) for field in SETTINGS if params.get(field) is not None)
    body['enabled_entries'] = sorted(set(wanted), key=wanted.index)
    same = (all(body[field] == profile.get(field) for field in SETTINGS if field in body)
            and set(entry_id.lower() for entry_id in wanted) == set(entry_id.lower() for entry_id in enabled))
    return None if same else body


def predefined_after(profile, answer):
    """The profile with the settings and entry states that the config PUT's answer (or, in check mode, its body)
    reports."""
    after = copy.deepcopy(profile)
    after.update((field, answer[field]) for field in SETTINGS if field in answer)
    enabled = set(entry_id.lower() for entry_id in answer['enabled_entries'])
    for entry in after['entries']:
        entry['enabled'] = entry['id'].lower() in enabled
    return after


def apply_predefined(api, profile, body, check_mode):
    """One PUT of the profile's config when ``body`` is not None; returns the profile as it is then."""
    if body is None:
        return profile
    if check_mode:
        return predefined_after(profile, body)
    path = _predefined_path(api, profile['id']) + '/config'
    return predefined_after(profile, checked(api.send('PUT', path, body), _is_config, 'PUT %s' % path, True))


def predefined_view(profile):
    """What a diff shows of a predefined profile: its settings and each entry's state, by name."""
    view = dict((field, profile.get(field)) for field in SETTINGS)
    view['entries'] = dict((entry['name'], entry['enabled']) for entry in profile['entries'])
    return view
