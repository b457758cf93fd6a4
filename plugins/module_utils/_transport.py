# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the zerotrust.cloudflare collection. It can
# change at any time without notice; do not use it from other collections.

"""The one place where the collection talks HTTP to the Cloudflare API, for modules and plugins alike.

It resolves credentials, checks every option before a request, builds every URL
and header, retries what the caller says is safe to retry, and turns every
failure into a CloudflareError with a clear message. It knows only HTTP: what a
call means (which permission it needs, what its result holds) is the caller's,
and so are Ansible's ways of reporting: the modules' layer (_api.py) turns the
error into ``fail_json``, the inventory plugin into ``AnsibleParserError``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import ipaddress
import math
import os
import re
import time
from urllib.parse import quote, urlencode, urlsplit

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._budget import Budget

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import NewConnectionError
except ImportError:  # reported when a connection is made, so that ansible-doc and sanity work without it
    HAS_REQUESTS = False
else:
    HAS_REQUESTS = True

COLLECTION_VERSION = '0.2.0'  # galaxy.yml's version (a unit test checks)
DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4'
RETRYABLE_STATUSES = (500, 502, 503, 504)
MAX_RETRIES = 3
MAX_PAGES = 1000
# No Cloudflare token or key has anything but printable ASCII; a newline from a file or a vault value, or a character
# outside latin-1, would otherwise end in an error from requests that quotes the header, secret and all.
_BAD_CREDENTIAL = re.compile(r'[^\x21-\x7e]')
# What http.client cannot put in a header value: control characters and anything outside latin-1.
_BAD_HEADER_VALUE = re.compile(r'[^\x20-\x7e\xa0-\xff]')


class CloudflareError(Exception):
    """An option that cannot work, found before any request; ``details`` go into the module's failure result."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class APIError(CloudflareError):
    """A failed API call. ``details['maybe_applied']`` says whether the server may have acted on it."""


def env_value(name):
    """An environment variable; empty counts as unset (AWX injects '' for unset optional fields)."""
    return os.environ.get(name) or None


def segment(value, option):
    """One URL path segment from a user's value: percent-encoded, so it cannot reach another route."""
    if value is None or value in ('', '.', '..'):
        raise CloudflareError("%s must not be empty, '.' or '..', got %r" % (option, value))
    return quote(value, safe='')


def _backoff(retries):
    """Seconds to wait before retry number ``retries`` + 1: 0.5 s, 1 s, 2 s ... at most 8 s."""
    return min(8.0, 0.5 * 2 ** retries)


class Connection(object):
    """A session with the Cloudflare API, from the common connection options.

    ``options`` holds api_token, api_email, api_key, api_base_url, validate_certs, ca_path, timeout and
    rate_limit_retry_timeout (None where unset), and may hold rate_limit_budget and rate_limit_window; ``warn``
    receives warnings. Bad options raise CloudflareError before any request is sent. Every attempt takes a slot of
    the request budget shared on this controller (_budget.py); ``waits`` lists every wait with its reason.
    """

    def __init__(self, options, warn):
        if not HAS_REQUESTS:
            raise CloudflareError(missing_required_lib('requests'))
        url = options['api_base_url']
        self.base_url = _check_base_url(env_value('CLOUDFLARE_BASE_URL') or DEFAULT_BASE_URL if url is None else url)
        if options['timeout'] <= 0:
            raise CloudflareError('timeout must be a number of seconds greater than 0, got %s' % options['timeout'])
        self.timeout = options['timeout']
        if options['rate_limit_retry_timeout'] < -1:
            raise CloudflareError('rate_limit_retry_timeout must be -1 (no limit), 0 (never retry) or a number of seconds,'
                                  ' got %s' % options['rate_limit_retry_timeout'])
        self.retry_timeout = options['rate_limit_retry_timeout']
        budget, window = _budget_option(options, 'rate_limit_budget', 1000), _budget_option(options, 'rate_limit_window', 300)
        if budget < 0 or window <= 0:
            raise CloudflareError('rate_limit_budget must be 0 (off) or a number of requests, and rate_limit_window a number'
                                  ' of seconds greater than 0, got %s and %s' % (budget, window))
        auth_headers, self.secrets = _credentials(options)
        if urlsplit(self.base_url).scheme == 'http' and not _is_loopback(urlsplit(self.base_url).hostname):
            raise CloudflareError('api_base_url %s uses plain http: credentials are only sent over http to localhost,'
                                  ' 127.0.0.0/8 or ::1. Use https.' % self.base_url)
        if not options['validate_certs']:
            warn('validate_certs is false: the TLS certificate of %s is not checked, so the credentials'
                 ' can be read by anyone who can intercept the connection.' % self.base_url)
            self.verify = False
        else:
            # An explicit verify wins over REQUESTS_CA_BUNDLE; None lets requests read it (or use certifi).
            self.verify = _check_ca_path(options['ca_path']) or None
        # Who asks whom: for cache keys, without the secret itself.
        self.fingerprint = hashlib.sha256('\n'.join([self.base_url] + sorted('%s: %s' % item for item in auth_headers.items()))
                                          .encode('utf-8')).hexdigest()
        # Shared with every process of this credential and base URL on this controller; opened at the first request.
        self.budget = Budget(self.fingerprint, budget, window, warn) if budget else None
        self.window = window
        self.waits = []  # (reason, seconds) of every wait: the budget's and those after a 429

        self.session = requests.Session()
        # Plain http goes only to loopback, never through a proxy: with trust_env requests would send the credentials
        # to HTTP_PROXY or ALL_PROXY (proxies={'http': None} still falls back to ALL_PROXY). https keeps HTTPS_PROXY,
        # NO_PROXY and REQUESTS_CA_BUNDLE.
        self.session.trust_env = urlsplit(self.base_url).scheme == 'https'
        self.session.headers.update(auth_headers)
        # Any auth set on the session stops requests from reading ~/.netrc, which would replace our headers.
        self.session.auth = _headers_only
        self.session.headers['User-Agent'] = 'zerotrust.cloudflare/%s (Ansible; python-requests %s)' % (
            COLLECTION_VERSION, requests.__version__)
        # No retries in urllib3: _call retries, so that every attempt is one the caller can count.
        adapter = HTTPAdapter(max_retries=0)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)

    def send(self, method, path, body=None, retry=True, absent_on_404=False):
        """One API call with retries; returns the envelope's ``result`` or raises APIError.

        With ``absent_on_404`` a 404 (whatever its error code) returns None. Without ``retry`` a 5xx or a lost
        answer is not resent (a POST that creates something).
        """
        answer = self._call(method, path, body, retry, absent_on_404)
        return None if answer is None else answer.get('result')

    def get_all(self, path, per_page=50):
        """Every item of a paginated list (dicts with a string ``id``, each once): the pages ``result_info.total_pages``
        names or, without it, up to the first page with fewer than ``per_page`` items; never past an empty page nor
        MAX_PAGES. N items cost ceil(N / per_page) requests."""
        items = {}
        for page in range(1, MAX_PAGES + 1):
            where = '%s?%s' % (path, urlencode({'page': page, 'per_page': per_page}))
            answer = self._call('GET', where)
            result = answer.get('result')
            if not isinstance(result, list) or not all(isinstance(item, dict) and isinstance(item.get('id'), str) for item in result):
                raise APIError('Cloudflare answered GET %s with a result that is not a list of items with an id: %.200r'
                               % (where, result))
            new = [item for item in result if item['id'] not in items]
            if result and not new:
                raise APIError('Cloudflare answered GET %s with only items of earlier pages: the server ignores the page'
                               ' asked for, so the list cannot be read' % where)
            # A single item seen before is one that moved to the next page while the list was read: kept once.
            items.update((item['id'], item) for item in new)
            total_pages = (answer.get('result_info') or {}).get('total_pages')
            if not result or (page >= total_pages if _is_int(total_pages) else len(result) < per_page):
                return list(items.values())
        raise APIError('Cloudflare answered GET %s with more than %d pages: stopped there' % (path, MAX_PAGES))

    def _call(self, method, path, body=None, retry=True, absent_on_404=False):
        """The envelope of a successful answer (None for an allowed 404), after waiting out 429 answers and, when
        ``retry`` allows it, retrying 5xx answers, timeouts and connection errors up to MAX_RETRIES times."""
        where = '%s %s' % (method, path)
        # rate_limit_retry_timeout bounds the waits this call's own 429 answers asked for: not the budget's waits, not
        # a 429 that another process got, not the time the requests took.
        spent = 0.0
        wait = 1.0
        retries = 0
        while True:
            self._take_slot()
            try:
                response = self.session.request(method, self.base_url + path, json=body, timeout=self.timeout, verify=self.verify,
                                                allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                if retry and retries < MAX_RETRIES and _is_transient(exc):
                    time.sleep(_backoff(retries))
                    retries += 1
                    continue
                raise APIError('Cloudflare API call %s failed: %s' % (where, _exception_text(exc)), maybe_applied=not _never_sent(exc))
            if self.budget:
                self.budget.lower(*remaining_count(response.headers))
            if response.status_code == 429:
                asked = self._rate_limit_wait(response, where, spent, wait)
                spent += asked
                wait = min(wait * 2, 60.0)
            elif retry and retries < MAX_RETRIES and response.status_code in RETRYABLE_STATUSES:
                time.sleep(_backoff(retries))
                retries += 1
            else:
                break
        if 300 <= response.status_code < 400:
            # Never followed: requests would send the key headers to whatever host the Location names.
            raise APIError('Cloudflare API call %s answered HTTP %s, a redirect to %.200r, which is never followed: check'
                           ' api_base_url' % (where, response.status_code, response.headers.get('Location')),
                           status=response.status_code, maybe_applied=False)
        if absent_on_404 and response.status_code == 404:
            return None
        return _envelope(response, where)

    @property
    def waited(self):
        """Seconds spent waiting, for the budget and after 429 answers."""
        return total_wait(self.waits)

    def _take_slot(self):
        """Wait for a free slot of the budget (every attempt takes one, retries included), and note the wait."""
        if self.budget and self.budget.acquire():
            self.waits.append(self.budget.waits[-1])

    def _rate_limit_wait(self, response, where, spent, fallback):
        """Wait as a 429 asks (``fallback`` seconds without Retry-After), within rate_limit_retry_timeout (``spent``
        so far); return the seconds asked. With a budget, the wait closes it for every process, and the next slot
        comes after it."""
        asked = retry_after(response.headers.get('Retry-After'), fallback)
        # One wait lasts at most one rate_limit_window (Cloudflare's lockout is as long as its window): a wrong or
        # hostile Retry-After of a day, or of more seconds than time.sleep takes, must neither crash the task nor
        # close the shared budget, which outlives this process, for every later run on this controller.
        held = min(asked, self.window)
        if self.budget:
            self.budget.close(held)  # also when this task fails at once: the others must not knock meanwhile
        budget = self.retry_timeout
        if budget == 0 or (budget > 0 and spent + asked > budget):
            raise APIError(
                'Cloudflare rate limited %s (HTTP 429) and asked to wait %g s, which does not fit in'
                ' rate_limit_retry_timeout=%s s (%.0f s already spent waiting). Run fewer tasks in parallel'
                ' (forks, throttle) or raise rate_limit_retry_timeout.' % (where, asked, budget, spent),
                status=429, errors=_envelope_errors(response), retry_after=asked)
        if not self.budget:
            time.sleep(held)
            self.waits.append(('429', held))
        return asked


# --- checks before any request -------------------------------------------------------


def _check_base_url(url):
    try:
        parts = urlsplit(url or '')
        valid = (parts.scheme in ('http', 'https') and bool(parts.hostname) and not parts.query and not parts.fragment
                 and (parts.port is None or parts.port > 0))
    except ValueError:  # an invalid port, an unclosed [IPv6 address
        valid = False
    if not valid:
        raise CloudflareError('api_base_url must be an http:// or https:// URL such as %s, got %r' % (DEFAULT_BASE_URL, url))
    return url.rstrip('/')


def _budget_option(options, name, default):
    """rate_limit_budget or rate_limit_window: the option, else its environment variable, else the default; an empty
    value counts as unset (AWX)."""
    value = options.get(name)
    if value is None or value == '':
        value = env_value('CLOUDFLARE_' + name.upper())
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CloudflareError('%s must be a whole number, got %r' % (name, value)) from None


def _check_ca_path(path):
    if path and not (os.path.isdir(path) or (os.path.isfile(path) and os.access(path, os.R_OK))):
        raise CloudflareError('ca_path must be a readable CA bundle file or a directory of certificates, got %r' % (path,))
    return path


def _credentials(options):
    """(auth headers, secrets) from the explicit options if they give any, otherwise from the environment.

    Mutual exclusion and "required together" apply to what was given explicitly, so that a token in the
    environment never breaks a task that passes an email address and key (see DESIGN: Credentials).
    """
    token, email, key = options['api_token'] or None, options['api_email'] or None, options['api_key'] or None
    if token and (email or key):
        raise CloudflareError('api_token cannot be used together with api_email/api_key: give either an API token'
                              ' or an email address and global API key')
    if bool(email) != bool(key):
        raise CloudflareError('api_email and api_key must be given together (the global API key needs both);'
                              ' or use api_token instead')
    names = ('api_token', 'api_email', 'api_key')
    if not (token or key):
        token = env_value('CLOUDFLARE_API_TOKEN') or env_value('CLOUDFLARE_TOKEN')
        names = ('CLOUDFLARE_API_TOKEN or CLOUDFLARE_TOKEN', 'CLOUDFLARE_EMAIL', 'CLOUDFLARE_API_KEY')
        if not token:
            email, key = env_value('CLOUDFLARE_EMAIL'), env_value('CLOUDFLARE_API_KEY')
            if bool(email) != bool(key):
                raise CloudflareError('CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY must be set together in the environment;'
                                      ' or set api_token or CLOUDFLARE_API_TOKEN')
    for name, value in ((names[0], token), (names[2], key)):
        if value and _BAD_CREDENTIAL.search(value):
            raise CloudflareError('%s contains a character other than printable ASCII (white space, a trailing newline?),'
                                  ' which no Cloudflare credential has' % name)
    if email and (email != email.strip() or _BAD_HEADER_VALUE.search(email)):
        raise CloudflareError('%s contains white space at an end, a control character or a character outside latin-1,'
                              ' which cannot be sent in an HTTP header' % names[1])
    if token:
        return {'Authorization': 'Bearer ' + token}, [token]
    if key:
        return {'X-Auth-Email': email, 'X-Auth-Key': key}, [key]
    raise CloudflareError('No Cloudflare credentials: set api_token (or CLOUDFLARE_API_TOKEN), or api_email and'
                          ' api_key (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)')


def _is_loopback(host):
    if host.lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost: no DNS lookup, so not loopback
        return False


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# --- answers -------------------------------------------------------------------------


def _headers_only(request):
    """Authentication is in the session's headers already."""
    return request


def _is_transient(exc):
    """A timeout or a lost connection, which a retry may get past (a TLS or proxy error would only repeat)."""
    return (isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))
            and not isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.ProxyError)))


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


def total_wait(waits):
    """The seconds of a list of (reason, seconds) waits, as a float."""
    return float(sum(seconds for _reason, seconds in waits))


def remaining_count(headers):
    """(remaining, quota, seconds to reset) from an answer's rate-limit headers: the IETF draft's
    ``Ratelimit: "default";r=50;t=30`` and ``Ratelimit-Policy: "burst";q=100;w=60`` first, then the older
    X-RateLimit-Remaining, X-RateLimit-Limit and X-RateLimit-Reset; None for what the answer does not say.

    With several policies, the one with the fewest requests left counts, with the quota of the policy of that name
    (or of the only policy). Numbers of more than 15 digits count as not said: they come from no real server."""
    remaining, limit, reset = [_number(headers.get(name)) for name in ('X-RateLimit-Remaining', 'X-RateLimit-Limit',
                                                                       'X-RateLimit-Reset')]
    policies = _items(headers.get('Ratelimit-Policy'))
    left = [item for item in _items(headers.get('Ratelimit')) if 'r' in item[1]]
    name = None
    if left:
        name, values = min(left, key=lambda item: item[1]['r'])
        remaining, reset = values['r'], values.get('t')
    quotas = [policy['q'] for policy_name, policy in policies
              if 'q' in policy and (name is None or policy_name == name or len(policies) == 1)]
    return remaining, quotas[0] if quotas else limit, reset


def _items(value):
    """The items of a structured-field list such as ``"burst";q=100;w=60, "daily";q=1000``: (name, {parameter:
    whole number}) each, keeping only parameters that are whole numbers."""
    items = []
    for item in (value or '').split(','):
        name, dummy, parameters = item.partition(';')
        numbers = {}
        for parameter in parameters.split(';'):
            key, dummy, number = parameter.partition('=')
            if _number(number) is not None:
                numbers.setdefault(key.strip(), _number(number))
        items.append((name.strip().strip('"'), numbers))
    return items


def _number(value):
    """A whole number of at most 15 digits, or None."""
    match = re.match(r'\s*(\d{1,15})\s*\Z', value or '')
    return int(match.group(1)) if match else None


def retry_after(value, fallback):
    """Seconds to wait after a 429: Retry-After when it is a finite number, at least 1 s (a server that says 0 is not
    asked again at once); anything else (absent, inf, nan, an HTTP date) gives ``fallback``."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return fallback
    return max(1.0, seconds) if math.isfinite(seconds) else fallback


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


def _envelope_errors(response):
    try:
        data = response.json()
    except ValueError:
        return []
    return data.get('errors') or [] if isinstance(data, dict) else []


def _envelope(response, where):
    """The envelope of a successful answer, or an APIError that says what went wrong."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    # A 2xx or a 5xx may come after the server acted on the call; the caller knows whether the call changes anything.
    maybe_applied = status >= 500 or 200 <= status < 300
    if not isinstance(data, dict) or 'success' not in data:
        raise APIError('Cloudflare API call %s answered HTTP %s with a body that is not a Cloudflare API envelope: %s'
                       % (where, status, response.text[:200]), status=status, maybe_applied=maybe_applied)
    if 200 <= status < 300 and data['success'] is True:
        return data
    errors = data.get('errors') or []
    msg = 'Cloudflare API call %s failed with HTTP %s: %s' % (
        where, status, '; '.join(_format_errors(errors)) or 'no error details given')
    if status in (401, 403):
        msg += '. Check the credentials'
    raise APIError(msg, status=status, errors=errors, maybe_applied=maybe_applied)
