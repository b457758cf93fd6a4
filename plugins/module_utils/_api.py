# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""The one place where the collection talks HTTP to the Cloudflare API.

It resolves credentials, builds every URL and header, retries what is safe to
retry, and turns every failure into one clear ``fail_json``. Modules only say
which resource they want and what to do with it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os
import sys
import time
import warnings
from urllib.parse import quote, urlsplit

from ansible.module_utils.basic import AnsibleFallbackNotFound, missing_required_lib

# When requests is first imported it also imports a character set detector
# (charset_normalizer, or chardet), only to guess the encoding of text answers
# that name none. Every answer this collection reads is JSON, which requests
# decodes without a detector, so the detector is hidden while requests is
# imported here: that is about a tenth of the import time of requests, in every
# module run. requests supports running without one (it then reads such text
# as UTF-8, which changes at most how a non-JSON error body is quoted in a
# message), and the detector is importable again right afterwards. A process
# that imported requests already (unit tests) is left as it is.
_HIDDEN_DETECTORS = [] if 'requests' in sys.modules else [name for name in ('charset_normalizer', 'chardet') if name not in sys.modules]
try:
    for _detector in _HIDDEN_DETECTORS:
        sys.modules[_detector] = None
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='Unable to find acceptable character detection dependency')
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.exceptions import NewConnectionError
        from urllib3.util.retry import Retry
except ImportError:  # checked at run time, so that ansible-doc and sanity work without it
    HAS_REQUESTS = False
    Retry = object
else:
    HAS_REQUESTS = True
finally:
    for _detector in _HIDDEN_DETECTORS:
        if sys.modules.get(_detector, False) is None:
            del sys.modules[_detector]

COLLECTION_VERSION = '0.1.0'
DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4'
RETRYABLE_STATUSES = (500, 502, 503, 504)
MAX_RETRIES = 3


def _env_fallback(*names):
    """Like env_fallback, but an empty value counts as unset (AWX injects '' for unset optional fields)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
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


class _Backoff(Retry):
    """urllib3's Retry, waiting 0.5 s, 1 s, 2 s ... (at most 8 s) before each retry.

    urllib3 itself retries the first time at once; Cloudflare's 5xx answers are
    usually brief overloads, so the first retry waits too.
    """

    def get_backoff_time(self):
        return min(8.0, 0.5 * 2 ** max(0, len(self.history) - 1)) if self.history else 0


def _retry(count):
    """A Retry for 5xx answers, timeouts and connection errors; 429 is handled by CloudflareAPI."""
    return _Backoff(
        total=count, connect=count, read=count, status=count, other=0, redirect=0,
        status_forcelist=RETRYABLE_STATUSES, allowed_methods=None,
        respect_retry_after_header=False, raise_on_status=False, raise_on_redirect=False,
    )


class APIError(Exception):
    """A failed API call, with what fail_json should show."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


def _is_loopback(host):
    if host.lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost: no DNS lookup, so not loopback
        return False


def _format_errors(errors):
    """Cloudflare's errors as '[code] message', each with its error_chain."""
    parts = []
    for error in errors:
        if not isinstance(error, dict):
            parts.append(str(error))
            continue
        text = '[%s] %s' % (error.get('code'), error.get('message'))
        chain = error.get('error_chain') or []
        if chain:
            text += ' (caused by: %s)' % '; '.join(_format_errors(chain))
        parts.append(text)
    return parts


def _retry_after(response, fallback):
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), else the fallback."""
    value = (response.headers.get('Retry-After') or '').strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    if value:
        from email.utils import parsedate_to_datetime  # rare: only for an HTTP-date Retry-After
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    return fallback


class CloudflareAPI(object):
    """A session against one account of the Cloudflare API, for one module run."""

    def __init__(self, module):
        self.module = module
        if not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib('requests'))
        params = module.params
        self.base_url = self._check_base_url(params['api_base_url'])
        self.account_path = '/accounts/' + self.segment(params['account_id'], 'account_id')
        if params['timeout'] <= 0:
            module.fail_json(msg='timeout must be a number of seconds greater than 0, got %s' % params['timeout'])
        self.timeout = params['timeout']
        if params['rate_limit_retry_timeout'] < -1:
            module.fail_json(msg='rate_limit_retry_timeout must be -1 (no limit), 0 (never retry) or a number of seconds,'
                                 ' got %s' % params['rate_limit_retry_timeout'])
        self.rate_limit_budget = params['rate_limit_retry_timeout']
        auth_headers = self._auth_headers()
        if urlsplit(self.base_url).scheme == 'http' and not _is_loopback(urlsplit(self.base_url).hostname):
            module.fail_json(msg='api_base_url %s uses plain http: credentials are only sent over http to localhost,'
                                 ' 127.0.0.0/8 or ::1. Use https.' % self.base_url)
        if not params['validate_certs']:
            module.warn('validate_certs is false: the TLS certificate of %s is not checked, so the credentials'
                        ' can be read by anyone who can intercept the connection.' % self.base_url)
        # An explicit verify wins over REQUESTS_CA_BUNDLE; None lets requests read it (or use certifi).
        if not params['validate_certs']:
            self.verify = False
        else:
            self.verify = params['ca_path'] or None

        self.session = requests.Session()
        self.session.headers.update(auth_headers)
        # Any auth set on the session stops requests from reading ~/.netrc, which would replace our headers.
        self.session.auth = _headers_only
        self.session.headers['User-Agent'] = 'zerotrust.cloudflare/%s (Ansible; python-requests %s)' % (
            COLLECTION_VERSION, requests.__version__)
        self.adapter = HTTPAdapter(max_retries=_retry(MAX_RETRIES))
        self.session.mount('https://', self.adapter)
        self.session.mount('http://', self.adapter)

    # --- paths -------------------------------------------------------------

    def segment(self, value, option):
        """One URL path segment from a user's value: percent-encoded, so it cannot reach another route."""
        if value is None or value in ('', '.', '..'):
            self.module.fail_json(msg="%s must not be empty, '.' or '..', got %r" % (option, value))
        return quote(value, safe='')

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

    # --- checks before any request -------------------------------------------

    def _check_base_url(self, url):
        parts = urlsplit(url or '')
        try:
            valid = (parts.scheme in ('http', 'https') and bool(parts.hostname) and not parts.query and not parts.fragment
                     and (parts.port is None or parts.port > 0))
        except ValueError:  # an invalid port
            valid = False
        if not valid:
            self.module.fail_json(msg='api_base_url must be an http:// or https:// URL such as %s, got %r' % (DEFAULT_BASE_URL, url))
        return url.rstrip('/')

    def _auth_headers(self):
        """Credentials from the task if it gives any, otherwise from the environment (see DESIGN: Credentials)."""
        params = self.module.params
        token, email, key = params['api_token'] or None, params['api_email'] or None, params['api_key'] or None
        if token and (email or key):
            self.module.fail_json(msg='api_token cannot be used together with api_email/api_key: give either an API token'
                                      ' or an email address and global API key')
        if bool(email) != bool(key):
            self.module.fail_json(msg='api_email and api_key must be given together (the global API key needs both);'
                                      ' or use api_token instead')
        if not (token or key):
            token = _env('CLOUDFLARE_API_TOKEN') or _env('CLOUDFLARE_TOKEN')
            if not token:
                email, key = _env('CLOUDFLARE_EMAIL'), _env('CLOUDFLARE_API_KEY')
                if bool(email) != bool(key):
                    self.module.fail_json(msg='CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY must be set together in the environment;'
                                              ' or set api_token or CLOUDFLARE_API_TOKEN')
            for secret in (token, key):
                if secret:
                    self.module.no_log_values.add(secret)
        if token:
            return {'Authorization': 'Bearer ' + token}
        if key:
            return {'X-Auth-Email': email, 'X-Auth-Key': key}
        self.module.fail_json(msg='No Cloudflare credentials: set api_token (or CLOUDFLARE_API_TOKEN), or api_email and'
                                  ' api_key (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)')

    # --- requests ------------------------------------------------------------

    def request(self, method, path, body=None, absent_on_404=False):
        """Send one API call and return its ``result``; fail the module on any error.

        With ``absent_on_404`` a 404 (whatever its error code) returns None.
        """
        try:
            return self.send(method, path, body, absent_on_404=absent_on_404)
        except APIError as error:
            self.fail(error)

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

    def send(self, method, path, body=None, retry=True, absent_on_404=False):
        """One API call with retries; returns the envelope's ``result`` or raises APIError."""
        where = '%s %s' % (method, path)
        self.adapter.max_retries = _retry(MAX_RETRIES if retry else 0)
        started = time.monotonic()
        wait = 1.0
        while True:
            try:
                response = self.session.request(method, self.base_url + path, json=body, timeout=self.timeout, verify=self.verify)
            except requests.exceptions.RequestException as exc:
                raise APIError('Cloudflare API call %s failed: %s' % (where, _exception_text(exc)), maybe_applied=not _never_sent(exc))
            if response.status_code != 429:
                break
            wait = self._rate_limit_wait(response, where, started, wait)
        if absent_on_404 and response.status_code == 404:
            return None
        return _result(response, where)

    def _rate_limit_wait(self, response, where, started, fallback):
        """Sleep as a 429 asks, within rate_limit_retry_timeout; return the next fallback wait."""
        asked = _retry_after(response, fallback)
        budget = self.rate_limit_budget
        spent = time.monotonic() - started
        if budget == 0 or (budget > 0 and spent + asked > budget):
            raise APIError(
                'Cloudflare rate limited %s (HTTP 429) and asked to wait %g s, which does not fit in'
                ' rate_limit_retry_timeout=%s s (%.0f s already spent waiting). Run fewer tasks in parallel'
                ' (forks, throttle) or raise rate_limit_retry_timeout.' % (where, asked, budget, spent),
                status=429, errors=_envelope_errors(response), retry_after=asked)
        time.sleep(asked)
        return min(fallback * 2, 60.0)


def _headers_only(request):
    """Authentication is in the session's headers already."""
    return request


def _env(name):
    return os.environ.get(name) or None


def _never_sent(exc):
    """True when no connection was made, so the request cannot have reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0] if exc.args else None, 'reason', None)
    return isinstance(reason, NewConnectionError)


def _exception_text(exc):
    """A short reason from a requests exception (its arguments nest urllib3's)."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, 'reason', reason)
    return '%s: %s' % (type(exc).__name__, reason)


def _envelope_errors(response):
    try:
        data = response.json()
    except ValueError:
        return []
    return data.get('errors') or [] if isinstance(data, dict) else []


def _result(response, where):
    """The envelope's result of a successful answer, or an APIError that says what went wrong."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or 'success' not in data:
        raise APIError('Cloudflare API call %s answered HTTP %s with a body that is not a Cloudflare API envelope: %s'
                       % (where, status, response.text[:200]), status=status, maybe_applied=status >= 500)
    if 200 <= status < 300 and data['success'] is True:
        return data.get('result')
    errors = data.get('errors') or []
    msg = 'Cloudflare API call %s failed with HTTP %s: %s' % (
        where, status, '; '.join(_format_errors(errors)) or 'no error details given')
    if status in (401, 403):
        msg += ('. Check the credentials: an API token needs the account permission "Zero Trust Write"'
                ' (or "Zero Trust Read" for read-only tasks) on this account')
    raise APIError(msg, status=status, errors=errors, maybe_applied=status >= 500)
