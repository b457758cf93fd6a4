# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The options every module of the collection shares, beside CONNECTION.
    DOCUMENTATION = r'''
options:
  account_id:
    description:
      - The Cloudflare account ID (32 hexadecimal characters, shown on the account's overview page in the dashboard).
      - If not set, the value of the E(CLOUDFLARE_ACCOUNT_ID) environment variable is used.
      - It is percent-encoded into the URL path, so no value can reach another API route. An empty value, V(.) and V(..)
        are rejected before any request is sent.
    type: str
    required: true
  api_base_url:
    description:
      - The base URL of the Cloudflare API.
      - If not set, the value of the E(CLOUDFLARE_BASE_URL) environment variable is used, then the default.
      - Credentials are never sent over plain C(http://), except to C(localhost), 127.0.0.0/8 or C(::1)
        (for a local test server); any other C(http://) URL fails before a request is sent. A plain C(http://) URL
        never goes through a proxy (E(HTTP_PROXY) and E(ALL_PROXY) are ignored for it).
      - Redirects are never followed, so no credential goes to another host; an answer HTTP 3xx fails the task, naming
        the status and its C(Location).
      - A value that is not a URL (such as V(https://[::1)) fails before any request is sent.
    type: str
    default: https://api.cloudflare.com/client/v4
  rate_limit_retry_timeout:
    description:
      - How long, in seconds, to keep retrying in all when Cloudflare answers HTTP 429 (rate limited).
        The module waits as the C(Retry-After) header asks (at least 1 second), or 1 second, doubling, when the header
        is absent or not a finite number of seconds, but fails at once, saying how long Cloudflare asked to wait, when
        that wait would pass this limit.
      - The limit counts what the task's own HTTP 429 answers asked it to wait, per request; waiting for the request
        budget (O(rate_limit_budget)), which a 429 of another task also closes, does not count.
      - One wait lasts at most O(rate_limit_window) seconds, however long C(Retry-After) asks for; then the request is
        tried again.
      - V(0) never retries a 429, V(-1) retries without limit.
      - The default is Cloudflare's longest lockout. Cloudflare allows 1200 requests per 5 minutes per user,
        all of the user's tokens and keys together.
      - Answers 500, 502, 503 and 504, timeouts and connection errors are retried up to three times with a short
        backoff, except for a request that creates a rule, which is never resent blindly.
    type: int
    default: 300
requirements:
  - requests (Python library, on the host that runs the module)
notes:
  - The modules talk to the Cloudflare API, not to the managed host. Run them on C(localhost), or delegate
    them to C(localhost) with C(run_once).
  - Environment variables are read on the host that runs the module (the controller, or the execution environment
    in AWX).
  - The modules need no C(become), and should not use it. Their request budget (O(rate_limit_budget)) is shared through
    a file private to the user that runs them, so a task run as another user would count against another budget.
  - The API token and the API key never appear in the module's output, diffs or error messages.
  - Every answer the module uses is checked for the shape of its call; an unexpected one fails the task with a message
    naming the call. When a request that changes something gets an answer that is not Cloudflare's, or fails with a
    server error, a timeout or a lost connection after the retries, it may have been applied; the failure says so,
    names the change in C(uncertain) and is C(changed).
seealso:
  - name: Cloudflare API documentation for DLP email
    description: The API endpoints this collection uses.
    link: https://developers.cloudflare.com/api/resources/zero_trust/subresources/dlp/subresources/email/
'''

    # The credentials and connection options of every module and of the inventory plugin.
    CONNECTION = r'''
options:
  api_token:
    description:
      - A Cloudflare API token, sent in the C(Authorization) header. This is the recommended way to authenticate.
      - The token needs the account permission C(Zero Trust Write) to change settings, or C(Zero Trust Read) for
        modules that only read.
      - If neither O(api_token) nor O(api_email) and O(api_key) are set, the environment variables
        E(CLOUDFLARE_API_TOKEN), then E(CLOUDFLARE_TOKEN), then E(CLOUDFLARE_EMAIL) and E(CLOUDFLARE_API_KEY) are used.
        Empty environment variables count as unset.
      - Mutually exclusive with O(api_email) and O(api_key), checked only on what is set explicitly, so a token
        in the environment never breaks a task or an inventory source that sets O(api_email) and O(api_key).
      - A value with any character but printable ASCII (white space, a trailing newline) fails before any request.
    type: str
  api_email:
    description:
      - The email address of the Cloudflare user, for the legacy global API key (C(X-Auth-Email)).
      - Must be given together with O(api_key).
      - If no credentials are set explicitly, E(CLOUDFLARE_EMAIL) is used (see O(api_token)).
      - A value that cannot be sent in an HTTP header (a control character, white space at either end, a character
        outside latin-1) fails before any request.
    type: str
    aliases: [account_email]
  api_key:
    description:
      - The legacy global API key of the Cloudflare user (C(X-Auth-Key)). Prefer O(api_token).
      - Must be given together with O(api_email).
      - If no credentials are set explicitly, E(CLOUDFLARE_API_KEY) is used (see O(api_token)).
      - A value with any character but printable ASCII fails before any request.
    type: str
    aliases: [account_api_key]
  validate_certs:
    description:
      - Whether to check the TLS certificate of the API. Setting it to V(false) warns on every run.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) to verify the API's certificate with, for private CAs and intercepting proxies.
      - A directory of certificates (prepared with C(c_rehash)) works too. A path that is neither a readable file nor a
        directory fails before any request.
      - When not set, the E(REQUESTS_CA_BUNDLE) environment variable is honoured, as are E(HTTPS_PROXY) and E(NO_PROXY).
    type: path
  timeout:
    description:
      - How long to wait for each HTTP request, in seconds. Must be greater than V(0).
    type: float
    default: 30
  rate_limit_budget:
    description:
      - At most this many requests in any O(rate_limit_window) seconds, counted together over every module process and
        plugin on this controller that uses the same credential and base URL, so that a fleet run never trips
        Cloudflare's limit (1200 requests per 5 minutes per user, then every call of the user fails for 5 minutes).
      - Every attempt, retries included, takes a slot and waits while there is none. Waiting is not a timeout; the
        result's C(rate_limit_waited) says how long it took.
      - The budget counts requests when they leave this controller; keep it below the server's limit, for network
        delays and the user's other tools. The default leaves 200 of Cloudflare's 1200. When Cloudflare's answers say that less than a tenth of its
        limit is left, the free slots drop to what is left; after an HTTP 429 every process waits as C(Retry-After) says.
      - The state is a file under E(XDG_RUNTIME_DIR) (or the temporary directory), private to the user, named by a hash
        and holding no secret. When it cannot be used, each process keeps its own budget, with one warning.
      - Runs with C(become) use another user's budget; these modules need no C(become).
      - V(0) turns it off. If not set, the E(CLOUDFLARE_RATE_LIMIT_BUDGET) environment variable is used (empty counts as
        unset), then V(1000).
    type: int
  rate_limit_window:
    description:
      - The window of O(rate_limit_budget), in seconds. Cloudflare's is 300; an Enterprise limit may differ.
      - If not set, the E(CLOUDFLARE_RATE_LIMIT_WINDOW) environment variable is used (empty counts as unset), then V(300).
    type: int
'''
