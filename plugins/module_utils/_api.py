# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""The modules' side of the HTTP helper (_transport.py): the common options, the account's paths, and every
failure turned into one clear ``fail_json``. Modules only say which resource they want and what to do with it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import sys
import warnings

from ansible.module_utils.basic import AnsibleFallbackNotFound

# When requests is first imported it also imports a character set detector
# (charset_normalizer, or chardet), only to guess the encoding of text answers
# that name none. Every answer this collection reads is JSON, which requests
# decodes without a detector, so the detector is hidden while the transport
# imports requests here: that is about a tenth of the import time of requests,
# in every module run. requests supports running without one (it then reads
# such text as UTF-8, which changes at most how a non-JSON error body is quoted
# in a message), and the detector is importable again right afterwards. This
# happens only in module processes: the inventory plugin imports the transport
# directly, so the controller, where other plugins use requests, keeps it. A
# process that imported requests already (unit tests) is left as it is.
_HIDDEN_DETECTORS = [] if 'requests' in sys.modules else [name for name in ('charset_normalizer', 'chardet') if name not in sys.modules]
try:
    for _detector in _HIDDEN_DETECTORS:
        sys.modules[_detector] = None
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='Unable to find acceptable character detection dependency')
        from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import (
            DEFAULT_BASE_URL, APIError, CloudflareError, Connection, env_value, segment)
finally:
    for _detector in _HIDDEN_DETECTORS:
        if sys.modules.get(_detector, False) is None:
            del sys.modules[_detector]


def _env_fallback(*names):
    """Like env_fallback, but an empty value counts as unset (AWX injects '' for unset optional fields)."""
    for name in names:
        if env_value(name):
            return env_value(name)
    raise AnsibleFallbackNotFound


COMMON_ARGUMENT_SPEC = dict(
    account_id=dict(type='str', required=True, fallback=(_env_fallback, ['CLOUDFLARE_ACCOUNT_ID'])),
    api_token=dict(type='str', no_log=True),
    api_email=dict(type='str', aliases=['account_email']),
    api_key=dict(type='str', no_log=True, aliases=['account_api_key']),
    api_base_url=dict(type='str', default=DEFAULT_BASE_URL, fallback=(_env_fallback, ['CLOUDFLARE_BASE_URL'])),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    timeout=dict(type='float', default=30),
    rate_limit_retry_timeout=dict(type='int', default=300),
)


def common_argument_spec(**module_options):
    """The common options merged with a module's own options."""
    spec = dict(COMMON_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec


class CloudflareAPI(object):
    """A session against one account of the Cloudflare API, for one module run."""

    def __init__(self, module):
        self.module = module
        try:
            self.connection = Connection(module.params, warn=module.warn)
            self.account_path = '/accounts/' + segment(module.params['account_id'], 'account_id')
        except CloudflareError as error:
            self.fail(error)
        # Secrets read from the environment are not module options, so Ansible does not know to mask them.
        module.no_log_values.update(self.connection.secrets)

    # --- paths -------------------------------------------------------------

    def segment(self, value, option):
        """One URL path segment from a user's value: percent-encoded, so it cannot reach another route."""
        try:
            return segment(value, option)
        except CloudflareError as error:
            self.fail(error)

    @property
    def mapping_path(self):
        return self.account_path + '/dlp/email/account_mapping'

    @property
    def rules_path(self):
        return self.account_path + '/dlp/email/rules'

    def rule_path(self, rule_id):
        return self.rules_path + '/' + self.segment(rule_id, 'rule_id')

    @property
    def profiles_path(self):
        return self.account_path + '/dlp/profiles'

    # --- requests ------------------------------------------------------------

    def request(self, method, path, body=None, absent_on_404=False):
        """Send one API call and return its ``result``; fail the module on any error.

        With ``absent_on_404`` a 404 (whatever its error code) returns None.
        """
        try:
            return self.send(method, path, body, absent_on_404=absent_on_404)
        except APIError as error:
            self.fail(error)

    def send(self, method, path, body=None, retry=True, absent_on_404=False):
        """One API call with retries; returns the envelope's ``result`` or raises APIError."""
        return self.connection.send(method, path, body, retry=retry, absent_on_404=absent_on_404)

    def create(self, path, body, find):
        """POST that adds an item to the list at ``path``, never resent blindly; raises APIError.

        After a 5xx, a timeout or a lost connection the call may have succeeded:
        the list is read once and ``find(items)`` returns the item that appeared,
        or None, in which case the original error is raised (still marked
        ``maybe_applied``, as the item may yet appear).
        """
        try:
            return self.send('POST', path, body, retry=False)
        except APIError as error:
            if not error.details.get('maybe_applied'):
                raise
            try:
                adopted = find(self.send('GET', path))
            except APIError:
                adopted = None
            if adopted is None:
                raise error
            return adopted

    def fail(self, error):
        details = dict(error.details)
        details.pop('maybe_applied', None)
        self.module.fail_json(msg=error.msg, **details)
