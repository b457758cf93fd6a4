# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""DLP profiles: the account's profile list, a profile reference (a name or an ID) turned into the profile's ID, and
what cannot be resolved, as ProfileError. Used by the rule engine and by cloudflare_dlp_profile_info."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import APIError

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
