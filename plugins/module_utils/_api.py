# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""The modules' side of the HTTP helper (_transport.py): the common options, the account's paths, the account
mapping, and ``fail()``, the one way a module turns an error into ``fail_json``. Helpers raise (APIError,
CloudflareError, RuleError, ProfileError); each module catches them in one place and calls ``fail()``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleFallbackNotFound

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import (
    DEFAULT_BASE_URL, APIError, Connection, env_value, segment, total_wait)

# What a 401 or 403 means for these modules: every call they make is under /accounts/{account_id}.
PERMISSION_HINT = (': an API token needs the account permission "Zero Trust Write" (or "Zero Trust Read" for read-only'
                   ' tasks) on this account')


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
    # No defaults here: the transport resolves them and their environment variables, for the inventory plugin too.
    rate_limit_budget=dict(type='int'),
    rate_limit_window=dict(type='int'),
)


def common_argument_spec(**module_options):
    """The common options merged with a module's own options."""
    spec = dict(COMMON_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec


class CloudflareAPI(object):
    """A session against one account of the Cloudflare API, for one module run. Raises CloudflareError for options
    that cannot work, before any request."""

    def __init__(self, module):
        waits = []
        _report_waits(module, waits)
        self.connection = Connection(module.params, warn=module.warn)
        self.connection.waits = waits
        self.account_path = '/accounts/' + segment(module.params['account_id'], 'account_id')
        # Secrets read from the environment are not module options, so Ansible does not know to mask them.
        module.no_log_values.update(self.connection.secrets)

    # --- paths -------------------------------------------------------------

    @property
    def mapping_path(self):
        return self.account_path + '/dlp/email/account_mapping'

    @property
    def rules_path(self):
        return self.account_path + '/dlp/email/rules'

    def rule_path(self, rule_id):
        return self.rules_path + '/' + segment(rule_id, 'rule_id')

    @property
    def profiles_path(self):
        return self.account_path + '/dlp/profiles'

    # --- requests ------------------------------------------------------------

    def send(self, method, path, body=None, retry=True, absent_on_404=False):
        """One API call; returns the envelope's ``result`` or raises APIError.

        Without ``retry`` a 5xx answer or a lost connection is not resent (a POST that creates something). With
        ``absent_on_404`` a 404 (whatever its error code) returns None.
        """
        return self.connection.send(method, path, body, retry=retry, absent_on_404=absent_on_404)

    def create(self, path, body, check, find, read_path=None):
        """POST that adds an item to the list at ``path``, never resent blindly; returns ``check(result)``.

        ``check`` raises APIError (``maybe_applied``) for an answer of the wrong shape. After such an answer, a 5xx,
        a timeout or a lost connection the call may have succeeded: what holds the items (``read_path``, by default
        the list at ``path``) is read once and ``find(answer)`` returns the item that appeared, or None, in which case
        the original error is raised (still marked ``maybe_applied``, as the item may yet appear).
        """
        try:
            return check(self.send('POST', path, body, retry=False))
        except APIError as error:
            if not error.details.get('maybe_applied'):
                raise
            try:
                adopted = find(self.send('GET', read_path or path))
            except APIError:
                adopted = None
            if adopted is None:
                raise error
            return adopted

    def get_mapping(self):
        """The account mapping, or None when there is none (a 404 or ``result: null`` both mean absent)."""
        mapping = self.send('GET', self.mapping_path, absent_on_404=True)
        if mapping is not None and not is_mapping(mapping):
            raise APIError('Cloudflare answered GET %s with an unexpected result: %.200r' % (self.mapping_path, mapping))
        return mapping


def _report_waits(module, waits):
    """Make every result of ``module`` say how long it waited for the rate limit: ``rate_limit_waited`` (seconds), and
    at -vvv ``rate_limit_waits``, one entry per wait of the connection (``waits``, filled as it goes)."""
    def reporting(end):
        def report(*args, **result):
            result['rate_limit_waited'] = total_wait(waits)
            if module._verbosity >= 3:
                result['rate_limit_waits'] = [dict(reason=reason, seconds=seconds) for reason, seconds in waits]
            end(*args, **result)
        return report
    module.exit_json = reporting(module.exit_json)
    module.fail_json = reporting(module.fail_json)


def is_mapping(value):
    """Whether an answer has the shape of an account mapping: what the modules go on to use."""
    return (isinstance(value, dict) and isinstance(value.get('addin_identifier_token'), str) and bool(value['addin_identifier_token'])
            and isinstance(value.get('auth_requirements'), dict))


def checked(answer, valid, where, write):
    """The answer if ``valid(answer)``; else an APIError naming the call (``where``). After a write (``write``) the
    server may have acted on it, so the error is marked ``maybe_applied`` (the module reports the write as uncertain)."""
    if valid(answer):
        return answer
    raise APIError('Cloudflare answered %s with an unexpected result: %.200r' % (where, answer), maybe_applied=write)


def partial_failure_message(done, uncertain):
    """What a failed task's message adds: the writes applied before the failure (``done``, phrases), which stay, and
    the names of what the failed write may have changed."""
    msg = '. The changes made before this failure stay: %s' % '; '.join(done) if done else ''
    if uncertain:
        msg += '. Whether the failed request changed %s is unknown: it may have been applied' % ', '.join(repr(name) for name in uncertain)
    return msg


def fail(module, error, more='', **result):
    """End the module with ``error`` (any of the collection's errors): its message, with ``more`` after it, a hint at
    the token's permissions on 401/403, its details (status, Cloudflare's errors) and ``result``."""
    details = dict(getattr(error, 'details', {}))
    details.pop('maybe_applied', None)
    hint = PERMISSION_HINT if details.get('status') in (401, 403) else ''
    result.setdefault('rate_limit_waited', 0.0)  # the real figure once a connection reports it (_report_waits)
    module.fail_json(msg=error.msg + hint + more, **dict(details, **result))
