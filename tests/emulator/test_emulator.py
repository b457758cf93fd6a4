"""Tests of the DLP-email emulator over real HTTP."""

from __future__ import annotations

import http.client
import json
import re
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

from harness import clean_env
from control import DEFAULT_EMAIL, DEFAULT_KEY, DEFAULT_TOKEN, Emulator, EmulatorError, start_emulator

ACCOUNT = "0123456789abcdef0123456789abcdef"
OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210"
TOKEN_AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
KEY_AUTH = {"X-Auth-Email": DEFAULT_EMAIL, "X-Auth-Key": DEFAULT_KEY}
RFC3339_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
SCHEMA_FILE = Path(__file__).resolve().with_name("cloudflare-dlp-email.openapi.json")
PROFILES_SCHEMA_FILE = SCHEMA_FILE.with_name("cloudflare-dlp-profiles.openapi.json")

RULE = {
    "name": "Block card numbers",
    "enabled": True,
    "conditions": [{"selector": "DLPProfiles", "operator": "InList", "value": ["c8ac3a40-0000-4000-8000-000000000001"]},
                   {"selector": "Recipients", "operator": "NotMatchRegex", "value": ".*@example\\.com"}],
    "action": {"action": "Block", "message": "Not allowed"},
}
ORG_MAPPING = {"auth_requirements": {"type": "Org", "allowed_microsoft_organizations": ["11111111-2222-3333-4444-555555555555"]}}


def path(account: str, *rest: str) -> str:
    """An API path under /client/v4 (raw, not encoded)."""
    return "/".join([f"/client/v4/accounts/{account}/dlp/email", *rest])


def call(emu: Emulator, method: str, raw_path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
    """Send one API request with requests (no proxies or netrc from the environment); headers default to token auth."""
    headers = TOKEN_AUTH if headers is None else headers
    with requests.Session() as session:
        session.trust_env = False
        kwargs.setdefault("timeout", 10)
        return session.request(method, emu.root_url + raw_path, headers=headers, **kwargs)


def raw_call(emu: Emulator, method: str, raw_path: str, headers: dict[str, str] | None = None, body: bytes | None = None) -> tuple[int, dict[str, str], Any]:
    """Send a request with http.client so the path goes out byte for byte."""
    netloc = urlsplit(emu.root_url)
    conn = http.client.HTTPConnection(netloc.hostname, netloc.port, timeout=10)
    try:
        conn.request(method, raw_path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), json.loads(data) if data else None
    finally:
        conn.close()


def error_codes(response: requests.Response) -> list[int]:
    """The codes of a failure envelope, after checking its shape."""
    body = response.json()
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    return [error["code"] for error in body["errors"]]


# ----- schema of the answers -----------------------------------------------
_DOC = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
_PROFILES_DOC = json.loads(PROFILES_SCHEMA_FILE.read_text(encoding="utf-8"))
_REGISTRY = Registry().with_resources([("urn:doc", DRAFT4.create_resource(_DOC)), ("urn:profiles", DRAFT4.create_resource(_PROFILES_DOC))])


def assert_matches_schema(response: requests.Response, template: str, method: str) -> None:
    """Validate an answer against the response schema the OpenAPI file declares for that operation and status."""
    code = "200" if response.status_code == 200 else "4XX"
    escaped = template.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/{method.lower()}/responses/{code}/content/application~1json/schema"
    document = "urn:doc" if "/dlp/email/" in template else "urn:profiles"
    validator = OAS30Validator({"$ref": f"{document}#{pointer}"}, registry=_REGISTRY, format_checker=oas30_format_checker)
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert not errors, errors


MAPPING_T = "/accounts/{account_id}/dlp/email/account_mapping"
RULES_T = "/accounts/{account_id}/dlp/email/rules"
RULE_T = "/accounts/{account_id}/dlp/email/rules/{rule_id}"


# ----- start-up and CLI ----------------------------------------------------
def test_ready_line_url_file_and_sigterm(tmp_path: Path) -> None:
    url_file = tmp_path / "url"
    emulator = start_emulator("--url-file", str(url_file), env=clean_env())
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/client/v4", emulator.base_url)
        assert url_file.read_text(encoding="utf-8").strip() == emulator.base_url
        assert emulator.control_url == emulator.base_url.replace("/client/v4", "/__emulator__")
        assert call(emulator, "GET", path(ACCOUNT, "rules")).status_code == 200
    finally:
        assert emulator.stop() == 0


def test_sigint_exits_zero() -> None:
    emulator = start_emulator(env=clean_env())
    emulator.process.send_signal(signal.SIGINT)
    assert emulator.process.wait(timeout=10) == 0
    assert "Traceback" not in emulator.stderr()
    emulator.stop()


def test_sigterm_with_open_keepalive_connection() -> None:
    emulator = start_emulator(env=clean_env())
    netloc = urlsplit(emulator.root_url)
    conn = http.client.HTTPConnection(netloc.hostname, netloc.port, timeout=10)
    conn.request("GET", path(ACCOUNT, "rules"), headers=TOKEN_AUTH)
    conn.getresponse().read()
    started = time.monotonic()
    emulator.process.send_signal(signal.SIGTERM)
    assert emulator.process.wait(timeout=10) == 0
    assert time.monotonic() - started < 5
    conn.close()
    emulator.stop()


def test_connections_wait_in_the_backlog_while_the_emulator_is_busy() -> None:
    """A fleet run opens many connections at once; while the emulator is too busy to accept them (here: stopped),
    the kernel must queue them rather than drop them, which a client would see as a connect timeout."""
    with start_emulator(env=clean_env()) as emulator:
        netloc = urlsplit(emulator.root_url)
        connections = []
        emulator.process.send_signal(signal.SIGSTOP)
        try:
            for dummy in range(40):  # two fleet runs of 20 forks at once; socketserver's default backlog is 5
                connection = http.client.HTTPConnection(netloc.hostname, netloc.port, timeout=2)
                connection.connect()  # a dropped SYN is retried only after 1 s, then 3 s: this would time out
                connection.request("GET", path(ACCOUNT, "rules"), headers=TOKEN_AUTH)
                connections.append(connection)
        finally:
            emulator.process.send_signal(signal.SIGCONT)
        assert [connection.getresponse().status for connection in connections] == [200] * 40
        for connection in connections:
            connection.close()


def test_bad_cli_arguments_fail_to_start() -> None:
    with pytest.raises(EmulatorError, match="--email and --key go together"):
        start_emulator("--email", "a@example.com", env=clean_env())
    with pytest.raises(EmulatorError, match="N/SECONDS"):
        start_emulator("--rate-limit", "fast", env=clean_env())


def test_custom_credentials_replace_defaults() -> None:
    with start_emulator("--token", "tok-a", "--token", "tok-b", "--email", "ops@example.org", "--key", "k1", env=clean_env()) as emulator:
        for headers in ({"Authorization": "Bearer tok-a"}, {"Authorization": "Bearer tok-b"}, {"X-Auth-Email": "ops@example.org", "X-Auth-Key": "k1"}):
            assert call(emulator, "GET", path(ACCOUNT, "rules"), headers).status_code == 200
        for headers in (TOKEN_AUTH, KEY_AUTH, {"X-Auth-Email": "ops@example.org", "X-Auth-Key": "tok-a"}):
            response = call(emulator, "GET", path(ACCOUNT, "rules"), headers)
            assert (response.status_code, error_codes(response)) == (403, [10000])


def test_token_only_cli_rejects_default_email_key() -> None:
    with start_emulator("--token", "only", env=clean_env()) as emulator:
        assert call(emulator, "GET", path(ACCOUNT, "rules"), KEY_AUTH).status_code == 403
        assert call(emulator, "GET", path(ACCOUNT, "rules"), {"Authorization": "Bearer only"}).status_code == 200


# ----- auth ------------------------------------------------------------------
def test_missing_auth_headers(emu: Emulator) -> None:
    for headers in ({}, {"X-Auth-Email": DEFAULT_EMAIL}, {"X-Auth-Key": DEFAULT_KEY}):
        response = call(emu, "GET", path(ACCOUNT, "rules"), headers)
        assert response.status_code == 400
        assert response.json()["errors"] == [{"code": 9106, "message": "Missing X-Auth-Key, X-Auth-Email or Authorization headers"}]


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer two words", DEFAULT_TOKEN])
def test_malformed_authorization(emu: Emulator, value: str) -> None:
    response = call(emu, "GET", path(ACCOUNT, "rules"), {"Authorization": value})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": 6003, "message": "Invalid request headers",
                                          "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}]}]


def test_wrong_credentials(emu: Emulator) -> None:
    for headers in ({"Authorization": "Bearer nope"}, {"X-Auth-Email": DEFAULT_EMAIL, "X-Auth-Key": "wrong"},
                    {"X-Auth-Email": "other@example.com", "X-Auth-Key": DEFAULT_KEY}):
        response = call(emu, "GET", path(ACCOUNT, "rules"), headers)
        assert response.status_code == 403
        assert response.json()["errors"] == [{"code": 10000, "message": "Authentication error"}]


def test_token_and_email_key_succeed(emu: Emulator) -> None:
    for headers in (TOKEN_AUTH, KEY_AUTH):
        response = call(emu, "GET", path(ACCOUNT, "rules"), headers)
        assert response.status_code == 200
        assert response.json() == {"success": True, "errors": [], "messages": [], "result": []}


# ----- routing ---------------------------------------------------------------
def test_unknown_route_answers_7000_before_auth(emu: Emulator) -> None:
    for method, raw_path in (("GET", "/client/v4/zones"), ("GET", path(ACCOUNT, "rules", "x", "y")), ("DELETE", path(ACCOUNT, "account_mapping")),
                             ("PUT", path(ACCOUNT, "account_mapping")), ("DELETE", path(ACCOUNT, "rules")), ("POST", path(ACCOUNT, "rules", str(uuid.uuid4()))),
                             ("GET", path(ACCOUNT, "rules") + "/"), ("GET", "/")):
        status, headers, body = raw_call(emu, method, raw_path)
        assert status == 404, (method, raw_path)
        assert body["errors"] == [{"code": 7000, "message": "No route for that URI"}]
        assert int(headers["Content-Length"]) > 0


def test_invalid_account_id_answers_7003_after_auth(emu: Emulator) -> None:
    for account in ("abc", ACCOUNT.upper(), ACCOUNT + "0", "", "%2E%2E", "..", "%30123456789abcdef0123456789abcdef"):
        status, _headers, body = raw_call(emu, "GET", path(account, "rules"), TOKEN_AUTH)
        assert status == 404, account
        assert body["success"] is False and body["result"] is None
        message = f"Could not route to /accounts/{account}/dlp/email/rules, perhaps your object identifier is invalid?"
        assert body["errors"] == [{"code": 7003, "message": message}, {"code": 7000, "message": "No route for that URI"}]
    # Without credentials the auth error comes first.
    assert error_codes(call(emu, "GET", path("abc", "rules"), {})) == [9106]


def test_encoded_slash_never_changes_the_route(emu: Emulator) -> None:
    call(emu, "POST", path(ACCOUNT, "rules"), json=RULE)
    sneaky = f"/client/v4/accounts/{ACCOUNT}%2Fdlp%2Femail%2Frules/dlp/email/account_mapping"
    status, _headers, body = raw_call(emu, "GET", sneaky, TOKEN_AUTH)
    assert status == 404 and [e["code"] for e in body["errors"]] == [7003, 7000]
    status, _headers, body = raw_call(emu, "GET", f"/client/v4/accounts/{ACCOUNT}/dlp%2Femail/rules", TOKEN_AUTH)
    assert status == 404 and [e["code"] for e in body["errors"]] == [7000]
    status, _headers, body = raw_call(emu, "GET", path(ACCOUNT, "rules", ".."), TOKEN_AUTH)
    assert status == 404 and [e["code"] for e in body["errors"]] == [7003, 7000]
    assert emu.log()[1]["path"] == sneaky


def test_query_string_is_ignored_for_routing_and_logged(emu: Emulator) -> None:
    response = call(emu, "GET", path(ACCOUNT, "rules") + "?page=2&per_page=50")
    assert response.status_code == 200
    entry = emu.log()[0]
    assert entry["path"] == path(ACCOUNT, "rules") and entry["query"] == "page=2&per_page=50"


def test_rule_id_not_uuid_or_unknown(emu: Emulator) -> None:
    response = call(emu, "GET", path(ACCOUNT, "rules", "not-a-uuid"))
    assert response.status_code == 404 and error_codes(response) == [7003, 7000]
    for method in ("GET", "DELETE"):
        response = call(emu, method, path(ACCOUNT, "rules", str(uuid.uuid4())))
        assert response.status_code == 404 and response.json()["errors"] == [{"code": 1552, "message": "Email rule not found"}]
    response = call(emu, "PUT", path(ACCOUNT, "rules", str(uuid.uuid4())), json=RULE)
    assert response.status_code == 404 and error_codes(response) == [1552]


def test_keep_alive_and_content_length(emu: Emulator) -> None:
    netloc = urlsplit(emu.root_url)
    conn = http.client.HTTPConnection(netloc.hostname, netloc.port, timeout=10)
    try:
        for method, raw_path, body in (("GET", path(ACCOUNT, "rules"), None), ("POST", path(ACCOUNT, "rules"), b"{not json"),
                                       ("GET", "/nowhere", None), ("POST", path(ACCOUNT, "rules"), json.dumps(RULE).encode()),
                                       ("HEAD", path(ACCOUNT, "rules"), None), ("GET", "/__emulator__/config", None)):
            conn.request(method, raw_path, body=body, headers={**TOKEN_AUTH, "Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            assert response.getheader("Content-Length") is not None
            assert method == "HEAD" or int(response.getheader("Content-Length")) == len(data)
            assert response.version == 11 and not response.will_close
        assert len(emu.state()["accounts"][ACCOUNT]["rules"]) == 1
    finally:
        conn.close()


# ----- request body validation --------------------------------------------
@pytest.mark.parametrize(("method", "suffix", "body", "expected", "pointer"), [
    ("POST", ("account_mapping",), {"auth_requirements": {"type": "Foo"}}, "is not valid under any of the given schemas", "/auth_requirements"),
    ("POST", ("account_mapping",), {"auth_requirements": {"type": "Org"}}, "'allowed_microsoft_organizations' is a required property", "/auth_requirements"),
    ("POST", ("account_mapping",), {}, "'auth_requirements' is a required property", ""),
    ("POST", ("account_mapping",), [], "[] is not of type 'object'", ""),
    ("POST", ("rules",), {k: v for k, v in RULE.items() if k != "enabled"}, "'enabled' is a required property", ""),
    ("POST", ("rules",), {**RULE, "conditions": [{"selector": "Sender", "operator": "Equals", "value": "a"}]},
     "'Equals' is not one of ['InList', 'NotInList', 'MatchRegex', 'NotMatchRegex']", "/conditions/0/operator"),
    ("POST", ("rules",), {**RULE, "action": {"action": "Allow"}}, "'Allow' is not one of ['Block']", "/action"),
    ("POST", ("rules",), {**RULE, "enabled": "yes"}, "'yes' is not of type 'boolean'", "/enabled"),
    ("POST", ("rules",), {**RULE, "description": 5}, "5 is not of type 'string'", "/description"),
    ("PATCH", ("rules",), {"new_priorities": {"x": -1}}, "-1 is less than the minimum of 0", "/new_priorities/x"),
    ("PATCH", ("rules",), {"new_priorities": {"x": 2 ** 31}}, "2147483648 is not a 'int32'", "/new_priorities/x"),
    ("PATCH", ("rules",), {"priorities": {}}, "'new_priorities' is a required property", ""),
])
def test_schema_validation_rejects(  # pylint: disable=unknown-option-value,too-many-arguments,too-many-positional-arguments
        emu: Emulator, method: str, suffix: tuple[str, ...], body: Any, expected: str, pointer: str) -> None:
    response = call(emu, method, path(ACCOUNT, *suffix), json=body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == [1002]
    assert expected in errors[0]["message"]
    assert errors[0]["source"] == {"pointer": pointer}
    assert_matches_schema(response, RULES_T if "rules" in suffix else MAPPING_T, method)
    assert emu.state() == {"accounts": {}}


def test_put_body_is_validated(emu: Emulator) -> None:
    rule_id = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).json()["result"]["rule_id"]
    response = call(emu, "PUT", path(ACCOUNT, "rules", rule_id), json={**RULE, "conditions": [{"selector": "Body", "operator": "InList", "value": []}]})
    assert response.status_code == 400 and error_codes(response) == [1002]
    assert "'Body' is not one of ['Recipients', 'Sender', 'DLPProfiles']" in response.json()["errors"][0]["message"]
    assert emu.state()["accounts"][ACCOUNT]["rules"][0]["conditions"] == RULE["conditions"]


def test_nullable_fields_and_string_value_are_accepted(emu: Emulator) -> None:
    body = {**RULE, "description": None, "action": {"action": "Block", "message": None},
            "conditions": [{"selector": "Sender", "operator": "MatchRegex", "value": "^a@"}]}
    assert call(emu, "POST", path(ACCOUNT, "rules"), json=body).status_code == 200
    assert call(emu, "POST", path(ACCOUNT, "account_mapping"), json={"auth_requirements": {"type": "NoAuth"}}).status_code == 200


@pytest.mark.parametrize("body", [b"{not json", b"", b"  ", b'{"a": NaN}', b"\xff\xfe"])
def test_invalid_json_body(emu: Emulator, body: bytes) -> None:
    response = call(emu, "POST", path(ACCOUNT, "rules"), data=body, headers={**TOKEN_AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == [1001] and errors[0]["message"].startswith("Request body is not valid JSON")


# ----- account mapping -------------------------------------------------------
def test_mapping_absent_is_404_by_default(emu: Emulator) -> None:
    response = call(emu, "GET", path(ACCOUNT, "account_mapping"))
    assert response.status_code == 404
    assert response.json()["errors"] == [{"code": 1551, "message": "Account mapping not found"}]
    assert_matches_schema(response, MAPPING_T, "GET")


def test_mapping_absent_null_via_config_and_cli(emu: Emulator) -> None:
    assert emu.configure(absent_mapping="null")["absent_mapping"] == "null"
    response = call(emu, "GET", path(ACCOUNT, "account_mapping"))
    assert (response.status_code, response.json()) == (200, {"success": True, "errors": [], "messages": [], "result": None})
    with start_emulator("--absent-mapping", "null", env=clean_env()) as emulator:
        response = call(emulator, "GET", path(ACCOUNT, "account_mapping"))
        assert (response.status_code, response.json()["result"]) == (200, None)


def test_mapping_upsert_keeps_token(emu: Emulator) -> None:
    first = call(emu, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING)
    assert first.status_code == 200
    assert_matches_schema(first, MAPPING_T, "POST")
    token = first.json()["result"]["addin_identifier_token"]
    assert str(uuid.UUID(token)) == token and uuid.UUID(token).version == 4
    assert first.json()["result"]["auth_requirements"] == ORG_MAPPING["auth_requirements"]
    second = call(emu, "POST", path(ACCOUNT, "account_mapping"), json={"auth_requirements": {"type": "NoAuth"}})
    assert second.json()["result"] == {"addin_identifier_token": token, "auth_requirements": {"type": "NoAuth"}}
    got = call(emu, "GET", path(ACCOUNT, "account_mapping"))
    assert_matches_schema(got, MAPPING_T, "GET")
    assert got.json()["result"] == second.json()["result"]
    assert call(emu, "GET", path(OTHER_ACCOUNT, "account_mapping")).status_code == 404


def test_mapping_rotate_token_via_config_and_cli(emu: Emulator) -> None:
    emu.configure(rotate_token=True)
    tokens = {call(emu, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING).json()["result"]["addin_identifier_token"] for _attempt in range(3)}
    assert len(tokens) == 3
    with start_emulator("--rotate-token", env=clean_env()) as emulator:
        one = call(emulator, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING).json()["result"]["addin_identifier_token"]
        two = call(emulator, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING).json()["result"]["addin_identifier_token"]
        assert one != two


# ----- rules -----------------------------------------------------------------
def test_rules_crud(emu: Emulator) -> None:
    created = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE)
    assert created.status_code == 200
    assert_matches_schema(created, RULES_T, "POST")
    first = created.json()["result"]
    assert uuid.UUID(first["rule_id"]).version == 4
    assert {k: first[k] for k in RULE} == RULE
    assert first["description"] is None and first["priority"] == 0
    assert RFC3339_Z.fullmatch(first["created_at"]) and first["created_at"] == first["updated_at"]

    second = call(emu, "POST", path(ACCOUNT, "rules"), json={**RULE, "name": "second", "description": "d", "action": {"action": "Block"}}).json()["result"]
    assert second["priority"] == 1 and second["description"] == "d" and second["action"] == {"action": "Block", "message": None}

    listed = call(emu, "GET", path(ACCOUNT, "rules"))
    assert_matches_schema(listed, RULES_T, "GET")
    assert [r["rule_id"] for r in listed.json()["result"]] == [first["rule_id"], second["rule_id"]]
    assert call(emu, "GET", path(OTHER_ACCOUNT, "rules")).json()["result"] == []

    got = call(emu, "GET", path(ACCOUNT, "rules", first["rule_id"]))
    assert_matches_schema(got, RULE_T, "GET")
    assert got.json()["result"] == first
    assert call(emu, "GET", path(ACCOUNT, "rules", first["rule_id"].upper())).json()["result"] == first

    replacement = {"name": "renamed", "enabled": False, "conditions": [{"selector": "Sender", "operator": "InList", "value": "a@example.com"}],
                   "action": {"action": "Block", "message": None}}
    put = call(emu, "PUT", path(ACCOUNT, "rules", second["rule_id"]), json=replacement)
    assert_matches_schema(put, RULE_T, "PUT")
    updated = put.json()["result"]
    assert {k: updated[k] for k in replacement} == replacement
    assert updated["description"] is None
    assert (updated["rule_id"], updated["priority"], updated["created_at"]) == (second["rule_id"], 1, second["created_at"])
    assert updated["updated_at"] > second["updated_at"]

    deleted = call(emu, "DELETE", path(ACCOUNT, "rules", first["rule_id"]))
    assert_matches_schema(deleted, RULE_T, "DELETE")
    assert deleted.json()["result"] == first
    assert call(emu, "GET", path(ACCOUNT, "rules", first["rule_id"])).status_code == 404
    assert [r["rule_id"] for r in call(emu, "GET", path(ACCOUNT, "rules")).json()["result"]] == [second["rule_id"]]
    third = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).json()["result"]
    assert third["priority"] == 2


def test_patch_priorities(emu: Emulator) -> None:
    one, two = (call(emu, "POST", path(ACCOUNT, "rules"), json={**RULE, "name": n}).json()["result"] for n in ("one", "two"))
    response = call(emu, "PATCH", path(ACCOUNT, "rules"), json={"new_priorities": {two["rule_id"]: 0, one["rule_id"]: 7}})
    assert response.status_code == 200
    assert_matches_schema(response, RULES_T, "PATCH")
    result = response.json()["result"]
    assert (result["rule_id"], result["priority"]) == (two["rule_id"], 0)
    rules = {r["name"]: r for r in call(emu, "GET", path(ACCOUNT, "rules")).json()["result"]}
    assert (rules["one"]["priority"], rules["two"]["priority"]) == (7, 0)
    assert rules["one"]["updated_at"] > one["updated_at"]
    assert call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).json()["result"]["priority"] == 8


def test_patch_is_all_or_nothing(emu: Emulator) -> None:
    one = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).json()["result"]
    before = emu.state()
    unknown = str(uuid.uuid4())
    response = call(emu, "PATCH", path(ACCOUNT, "rules"), json={"new_priorities": {one["rule_id"]: 5, unknown: 1, "nope": 2}})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": 1003, "message": f"Rule not found: {unknown}"}, {"code": 1003, "message": "Rule not found: nope"}]
    assert emu.state() == before
    response = call(emu, "PATCH", path(ACCOUNT, "rules"), json={"new_priorities": {}})
    assert response.status_code == 400 and error_codes(response) == [1004]
    # A rule of another account is unknown here too.
    other = call(emu, "POST", path(OTHER_ACCOUNT, "rules"), json=RULE).json()["result"]
    assert call(emu, "PATCH", path(ACCOUNT, "rules"), json={"new_priorities": {other["rule_id"]: 3}}).status_code == 400


def test_concurrent_creates_get_distinct_priorities(emu: Emulator) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: call(emu, "POST", path(ACCOUNT, "rules"), json={**RULE, "name": f"r{i}"}), range(24)))
    assert all(response.status_code == 200 for response in results)
    rules = emu.state()["accounts"][ACCOUNT]["rules"]
    assert sorted(rule["priority"] for rule in rules) == list(range(24))
    assert len({rule["rule_id"] for rule in rules}) == 24


def test_a_delayed_request_does_not_block_others(emu: Emulator) -> None:
    emu.add_fault(method="GET", path=path(ACCOUNT, "account_mapping"), delay=0.6)
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(call, emu, "GET", path(ACCOUNT, "account_mapping"))
        time.sleep(0.05)
        started = time.monotonic()
        assert call(emu, "GET", path(ACCOUNT, "rules")).status_code == 200
        assert time.monotonic() - started < 0.4
        assert slow.result().status_code == 404


# ----- rate limit ------------------------------------------------------------
def test_rate_limit(emu: Emulator) -> None:
    emu.configure(rate_limit={"requests": 5, "period": 10})
    assert [call(emu, "GET", path(ACCOUNT, "rules")).status_code for _attempt in range(5)] == [200] * 5
    limited = call(emu, "GET", path(ACCOUNT, "rules"))
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    assert limited.json()["errors"] == [{"code": 971, "message": "Please wait and consider throttling your request speed"}]
    assert call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).status_code == 429
    assert emu.state() == {"accounts": {}}
    # Another credential has its own window; the control endpoint is never limited.
    assert call(emu, "GET", path(ACCOUNT, "rules"), KEY_AUTH).status_code == 200
    assert [entry["status"] for entry in emu.log()] == [200] * 5 + [429, 429, 200]
    emu.reset()
    assert call(emu, "GET", path(ACCOUNT, "rules")).status_code == 200


def test_rate_limit_window_slides() -> None:
    with start_emulator("--rate-limit", "2/0.4", env=clean_env()) as emulator:
        assert emulator.config()["rate_limit"] == {"requests": 2, "period": 0.4}
        assert [call(emulator, "GET", path(ACCOUNT, "rules")).status_code for _attempt in range(3)] == [200, 200, 429]
        time.sleep(0.45)
        assert call(emulator, "GET", path(ACCOUNT, "rules")).status_code == 200


def test_every_answer_of_a_credential_carries_the_rate_limit_headers(emu: Emulator) -> None:
    emu.configure(rate_limit={"requests": 3, "period": 60})
    answers = [call(emu, "GET", path(ACCOUNT, "rules")) for _attempt in range(4)]
    assert [answer.headers["Ratelimit-Policy"] for answer in answers] == ['"default";q=3;w=60'] * 4
    remaining = [re.fullmatch(r'"default";r=(\d+);t=(\d+)', answer.headers["Ratelimit"]).group(1) for answer in answers]
    assert remaining == ["2", "1", "0", "0"]
    assert answers[3].status_code == 429 and answers[3].headers["Ratelimit"].endswith(";t=%s" % answers[3].headers["Retry-After"])
    assert emu.lockouts() == 0  # no lockout configured: only the request past the window is refused


def test_a_request_past_the_limit_locks_the_credential_out() -> None:
    with start_emulator("--rate-limit", "2/0.5/1.5", env=clean_env()) as emulator:
        assert emulator.config()["rate_limit"] == {"requests": 2, "period": 0.5, "lockout": 1.5}
        assert [call(emulator, "GET", path(ACCOUNT, "rules")).status_code for _attempt in range(3)] == [200, 200, 429]
        assert emulator.lockouts() == 1
        time.sleep(0.6)  # the window has slid, but the lockout holds: every request answers 429
        locked = call(emulator, "GET", path(ACCOUNT, "rules"))
        assert locked.status_code == 429 and locked.headers["Retry-After"] == "1"
        assert locked.headers["Ratelimit"] == '"default";r=0;t=1'
        assert call(emulator, "GET", path(ACCOUNT, "rules"), KEY_AUTH).status_code == 200  # another credential
        assert emulator.lockouts() == 1  # refused requests do not start another lockout
        time.sleep(1.0)
        assert call(emulator, "GET", path(ACCOUNT, "rules")).status_code == 200
        emulator.reset()
        assert emulator.lockouts() == 0


def test_lockout_as_a_control_setting(emu: Emulator) -> None:
    assert emu.configure(rate_limit={"requests": 1, "period": 30, "lockout": 10})["rate_limit"] == {
        "requests": 1, "period": 30, "lockout": 10}
    assert [call(emu, "GET", path(ACCOUNT, "rules")).status_code for _attempt in range(3)] == [200, 429, 429]
    assert 9 <= int(call(emu, "GET", path(ACCOUNT, "rules")).headers["Retry-After"]) <= 10
    assert emu.lockouts() == 1
    for bad in ({"requests": 1, "period": 1, "lockout": -1}, {"requests": 1, "period": 1, "lockout": "10"},
                {"requests": 1, "period": 1, "other": 1}):
        with pytest.raises(EmulatorError):
            emu.configure(rate_limit=bad)


# ----- faults ----------------------------------------------------------------
def test_fault_status_with_default_envelope_and_count(emu: Emulator) -> None:
    emu.add_fault(method="POST", path=path(ACCOUNT, "rules"), status=502, count=2)
    for _attempt in range(2):
        response = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE)
        assert response.status_code == 502
        assert response.json()["success"] is False and error_codes(response) == [10001]
    assert emu.state() == {"accounts": {}}
    assert call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).status_code == 200
    assert emu.faults() == []


def test_fault_raw_html_body_and_headers(emu: Emulator) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    emu.add_fault(method="GET", path="*", status=502, body=html, headers={"Retry-After": "2", "X-Test": "yes"})
    response = call(emu, "GET", path(ACCOUNT, "account_mapping"))
    assert response.status_code == 502 and response.text == html
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Retry-After"] == "2" and response.headers["X-Test"] == "yes"
    assert emu.log()[0]["status"] == 502


def test_fault_json_body_and_429(emu: Emulator) -> None:
    emu.add_fault(path=path(ACCOUNT, "rules"), status=429, headers={"Retry-After": "3"})
    emu.add_fault(path=path(ACCOUNT, "rules"), status=503, json={"custom": True})
    first = call(emu, "GET", path(ACCOUNT, "rules"))
    assert (first.status_code, first.headers["Retry-After"], error_codes(first)) == (429, "3", [971])
    second = call(emu, "GET", path(ACCOUNT, "rules"))
    assert (second.status_code, second.json()) == (503, {"custom": True})
    assert call(emu, "GET", path(ACCOUNT, "rules")).status_code == 200


def test_fault_matching_is_by_method_and_exact_raw_path(emu: Emulator) -> None:
    emu.add_fault(method="GET", path=path(ACCOUNT, "account_mapping"), status=500)
    assert call(emu, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING).status_code == 200
    assert call(emu, "GET", path(OTHER_ACCOUNT, "account_mapping")).status_code == 404
    assert call(emu, "GET", path(ACCOUNT, "account_mapping") + "?x=1").status_code == 500
    emu.add_fault(method="*", path="*", status=500, count=5)
    assert raw_call(emu, "GET", "/nowhere")[0] == 500
    emu.clear_faults()
    assert emu.faults() == []
    assert call(emu, "GET", path(ACCOUNT, "account_mapping")).status_code == 200


def test_fault_delay_only_answers_normally(emu: Emulator) -> None:
    emu.add_fault(method="GET", path=path(ACCOUNT, "rules"), delay=0.3)
    started = time.monotonic()
    response = call(emu, "GET", path(ACCOUNT, "rules"))
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    started = time.monotonic()
    assert call(emu, "GET", path(ACCOUNT, "rules")).status_code == 200
    assert time.monotonic() - started < 0.3


def test_fault_delay_triggers_client_timeout(emu: Emulator) -> None:
    emu.add_fault(method="POST", path=path(ACCOUNT, "rules"), delay=0.5, after=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        call(emu, "POST", path(ACCOUNT, "rules"), json=RULE, timeout=0.2)
    assert len(emu.state()["accounts"][ACCOUNT]["rules"]) == 1


def test_fault_after_commits_then_fails(emu: Emulator) -> None:
    emu.add_fault(method="POST", path=path(ACCOUNT, "rules"), status=502, body="<html>Bad gateway</html>", after=True)
    response = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE)
    assert response.status_code == 502 and response.text == "<html>Bad gateway</html>"
    rules = emu.state()["accounts"][ACCOUNT]["rules"]
    assert [rule["name"] for rule in rules] == [RULE["name"]]


def test_fault_after_answers_200_with_html(emu: Emulator) -> None:
    """Applied, then a garbled answer: the write happened, the client sees no envelope."""
    emu.add_fault(method="POST", path=path(ACCOUNT, "rules"), status=200, body="<html>OK</html>", after=True)
    response = call(emu, "POST", path(ACCOUNT, "rules"), json=RULE)
    assert (response.status_code, response.text) == (200, "<html>OK</html>")
    assert [rule["name"] for rule in emu.state()["accounts"][ACCOUNT]["rules"]] == [RULE["name"]]


def test_fault_redirect_with_location(emu: Emulator) -> None:
    emu.add_fault(method="GET", path=path(ACCOUNT, "rules"), status=302, headers={"Location": "http://127.0.0.2:1/elsewhere"})
    response = call(emu, "GET", path(ACCOUNT, "rules"), allow_redirects=False)
    assert (response.status_code, response.headers["Location"]) == (302, "http://127.0.0.2:1/elsewhere")


def test_fault_result_info_edits_a_real_page(emu: Emulator) -> None:
    emu.set_visible_accounts([{"id": "%032x" % number, "name": "Tenant %d" % number, "type": "standard"} for number in range(3)])
    emu.add_fault(method="GET", path="/client/v4/accounts", result_info={"total_pages": 100000, "extra": True}, count=2)
    assert emu.faults()[0]["result_info"] == {"total_pages": 100000, "extra": True}
    first = call(emu, "GET", "/client/v4/accounts?page=1&per_page=50").json()
    assert [account["id"] for account in first["result"]] == ["%032x" % number for number in range(3)]
    assert first["result_info"] == {"page": 1, "per_page": 50, "count": 3, "total_count": 3, "total_pages": 100000, "extra": True}
    second = call(emu, "GET", "/client/v4/accounts?page=2&per_page=50").json()
    assert (second["result"], second["result_info"]["total_pages"]) == ([], 100000)
    assert call(emu, "GET", "/client/v4/accounts?page=2&per_page=50").json()["result_info"]["total_pages"] == 1


@pytest.mark.parametrize("fault", [
    {"status": 502, "stauts": 1},
    {"result_info": []},
    {"result_info": {"total_pages": 2}, "status": 200},
    {"status": 99},
    {"status": "502"},
    {"status": 502, "body": "x", "json": {}},
    {"path": "*"},
    {"body": "<html/>"},
    {"status": 502, "count": 0},
    {"status": 502, "delay": -1},
    {"status": 502, "path": "client/v4"},
    {"status": 502, "after": "yes"},
    {"status": 502, "headers": ["Retry-After"]},
])
def test_malformed_faults_are_rejected(emu: Emulator, fault: dict[str, Any]) -> None:
    with pytest.raises(EmulatorError, match="-> 400"):
        emu.add_fault(**fault)
    assert emu.faults() == []


# ----- log -------------------------------------------------------------------
def test_log_records_and_redacts(emu: Emulator) -> None:
    call(emu, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING)
    call(emu, "GET", path(ACCOUNT, "rules") + "?a=b", KEY_AUTH)
    call(emu, "POST", path(ACCOUNT, "rules"), data=b"plain text", headers={**TOKEN_AUTH, "Content-Type": "text/plain"})
    call(emu, "GET", path(ACCOUNT, "rules"), {"Authorization": "Bearer wrong-secret"})
    emu.state()
    log = emu.log()
    assert [(e["method"], e["status"]) for e in log] == [("POST", 200), ("GET", 200), ("POST", 400), ("GET", 403)]
    assert log[0]["body"] == ORG_MAPPING and log[1]["body"] is None and log[2]["body"] == "plain text"
    assert log[0]["headers"]["authorization"] == "REDACTED" and log[0]["headers"]["content-type"] == "application/json"
    assert log[1]["headers"]["x-auth-key"] == "REDACTED" and log[1]["headers"]["x-auth-email"] == DEFAULT_EMAIL
    assert log[1]["query"] == "a=b" and log[0]["query"] == ""
    dumped = json.dumps(log)
    assert DEFAULT_TOKEN not in dumped and DEFAULT_KEY not in dumped and "wrong-secret" not in dumped
    emu.clear_log()
    assert emu.log() == []


# ----- state and config ------------------------------------------------------
def test_set_state_then_read_through_api(emu: Emulator) -> None:
    rule = {**RULE, "rule_id": str(uuid.uuid4()), "description": None, "priority": 4, "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z"}
    mapping = {"addin_identifier_token": str(uuid.uuid4()), **ORG_MAPPING}
    state = {"accounts": {ACCOUNT: {"mapping": mapping, "rules": [rule]}}}
    assert emu.set_state(state) == state
    assert call(emu, "GET", path(ACCOUNT, "account_mapping")).json()["result"] == mapping
    assert call(emu, "GET", path(ACCOUNT, "rules", rule["rule_id"])).json()["result"] == rule
    assert call(emu, "POST", path(ACCOUNT, "rules"), json=RULE).json()["result"]["priority"] == 5
    emu.reset()
    assert emu.state() == {"accounts": {}}


@pytest.mark.parametrize("state", [[], {"accounts": []}, {"accounts": {ACCOUNT: {"rules": {}}}}, {"accounts": {ACCOUNT: {"mapping": 1}}},
                                   {"accounts": {ACCOUNT: {"rules": [{"name": "no id"}]}}}, {"extra": 1}])
def test_malformed_state_is_rejected(emu: Emulator, state: Any) -> None:
    with pytest.raises(EmulatorError, match="-> 400"):
        emu.set_state(state)


def test_config_round_trip_and_reset(emu: Emulator) -> None:
    start = emu.config()
    assert start == {"absent_mapping": "404", "rotate_token": False, "rate_limit": {"requests": 1200, "period": 300}}
    assert emu.configure(absent_mapping="null", rotate_token=True, rate_limit={"requests": 3, "period": 1.5}) == {
        "absent_mapping": "null", "rotate_token": True, "rate_limit": {"requests": 3, "period": 1.5}}
    for bad in ({"absent_mapping": "200"}, {"rotate_token": "yes"}, {"rate_limit": {"requests": 5}}, {"rate_limit": {"requests": -1, "period": 1}},
                {"colour": "red"}):
        with pytest.raises(EmulatorError, match="-> 400"):
            emu.configure(**bad)
    emu.reset()
    assert emu.config() == start


def test_control_endpoint_errors(emu: Emulator) -> None:
    assert raw_call(emu, "GET", "/__emulator__/nothing")[0] == 404
    status, headers, _body = raw_call(emu, "PATCH", "/__emulator__/state")
    assert status == 405 and headers["Allow"] == "GET, PUT"
    status, _headers, body = raw_call(emu, "POST", "/__emulator__/faults", body=b"{oops")
    assert status == 400 and "not valid JSON" in body["error"]
    assert raw_call(emu, "POST", "/__emulator__/faults")[0] == 400
    assert emu.log() == []


def test_state_file_persists_across_restarts(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with start_emulator("--state-file", str(state_file), env=clean_env()) as emulator:
        token = call(emulator, "POST", path(ACCOUNT, "account_mapping"), json=ORG_MAPPING).json()["result"]["addin_identifier_token"]
        rule = call(emulator, "POST", path(ACCOUNT, "rules"), json=RULE).json()["result"]
        assert json.loads(state_file.read_text(encoding="utf-8")) == emulator.state()
    with start_emulator("--state-file", str(state_file), env=clean_env()) as emulator:
        assert call(emulator, "GET", path(ACCOUNT, "account_mapping")).json()["result"]["addin_identifier_token"] == token
        assert call(emulator, "GET", path(ACCOUNT, "rules")).json()["result"] == [rule]
        call(emulator, "DELETE", path(ACCOUNT, "rules", rule["rule_id"]))
    with start_emulator("--state-file", str(state_file), env=clean_env()) as emulator:
        assert call(emulator, "GET", path(ACCOUNT, "rules")).json()["result"] == []
        emulator.reset()
    assert json.loads(state_file.read_text(encoding="utf-8")) == {"accounts": {}}


def test_corrupt_state_file_fails_to_start(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text("{not json", encoding="utf-8")
    with pytest.raises(EmulatorError, match="cannot load state file"):
        start_emulator("--state-file", str(state_file), env=clean_env())


def test_bundled_schema_is_the_dlp_email_subset() -> None:
    assert _DOC["info"]["license"]["name"] == "BSD-3-Clause"
    assert len(_DOC["paths"]) == 3 and sum(len(ops) for ops in _DOC["paths"].values()) == 8
    with pytest.raises(ValidationError):
        OAS30Validator({"$ref": "urn:doc#/components/schemas/dlp_EmailRuleOperator"}, registry=_REGISTRY).validate("Eq")


# ----- DLP profiles (outside the bundled schema: shapes from the SDK, see test_sdk_fidelity.py) -----
def profiles_path(account: str) -> str:
    return f"/client/v4/accounts/{account}/dlp/profiles"


PREDEFINED_NAMES = ["Credit Card Numbers", "Financial Information", "Social Security, Insurance, Tax, and Identifier Numbers", "Source Code"]


def test_every_account_has_the_predefined_profiles(emu: Emulator) -> None:
    for account in (ACCOUNT, OTHER_ACCOUNT):
        response = call(emu, "GET", profiles_path(account))
        assert response.status_code == 200 and response.json()["success"] is True
        profiles = response.json()["result"]
        assert [profile["name"] for profile in profiles] == PREDEFINED_NAMES
        assert {profile["type"] for profile in profiles} == {"predefined"}
        assert all(uuid.UUID(profile["id"]) and entry["profile_id"] == profile["id"] for profile in profiles for entry in profile["entries"])
    assert call(emu, "GET", profiles_path(ACCOUNT)).json() == call(emu, "GET", profiles_path(OTHER_ACCOUNT)).json()
    assert emu.state() == {"accounts": {}}


def test_seeded_profiles_follow_the_predefined_ones_in_their_account_only(emu: Emulator) -> None:
    chosen = str(uuid.uuid4())
    seeded = emu.add_profiles(ACCOUNT, {"name": "Employee IDs"}, {"name": "Slack", "type": "integration", "id": chosen})
    assert [(profile["name"], profile["type"]) for profile in seeded] == [("Employee IDs", "custom"), ("Slack", "integration")]
    assert seeded[1]["id"] == chosen and uuid.UUID(seeded[0]["id"])
    assert RFC3339_Z.fullmatch(seeded[0]["created_at"]) and seeded[0]["created_at"] == seeded[0]["updated_at"]
    more = emu.add_profiles(ACCOUNT, {"name": "Employee IDs"})
    listed = call(emu, "GET", profiles_path(ACCOUNT)).json()["result"]
    assert listed[len(PREDEFINED_NAMES):] == seeded + more
    assert len(call(emu, "GET", profiles_path(OTHER_ACCOUNT)).json()["result"]) == len(PREDEFINED_NAMES)
    assert emu.state()["accounts"][ACCOUNT] == {"mapping": None, "rules": [], "profiles": seeded + more}
    emu.reset()
    assert len(call(emu, "GET", profiles_path(ACCOUNT)).json()["result"]) == len(PREDEFINED_NAMES)


def test_profiles_route_checks_auth_account_method_and_query(emu: Emulator) -> None:
    assert error_codes(call(emu, "GET", profiles_path(ACCOUNT), {})) == [9106]
    assert error_codes(call(emu, "GET", profiles_path(ACCOUNT), {"Authorization": "Bearer wrong"})) == [10000]
    assert call(emu, "GET", profiles_path(ACCOUNT), KEY_AUTH).status_code == 200
    response = call(emu, "GET", profiles_path("not-an-account"))
    assert response.status_code == 404 and error_codes(response) == [7003, 7000]
    for method, raw_path in (("POST", profiles_path(ACCOUNT)), ("GET", profiles_path(ACCOUNT) + "/x"), ("GET", profiles_path(ACCOUNT) + "/")):
        assert raw_call(emu, method, raw_path, TOKEN_AUTH)[0] == 404, (method, raw_path)
    for value in ("true", "false"):
        assert call(emu, "GET", profiles_path(ACCOUNT) + "?all=" + value).status_code == 200
    response = call(emu, "GET", profiles_path(ACCOUNT) + "?all=yes")
    assert response.status_code == 400 and response.json()["errors"] == [
        {"code": 1005, "message": "Invalid query parameter all='yes': must be true or false"}]
    assert emu.log()[-1]["query"] == "all=yes"


@pytest.mark.parametrize("payload", [
    {"account_id": ACCOUNT, "profiles": [{"type": "custom"}]},
    {"account_id": ACCOUNT, "profiles": [{"name": ""}]},
    {"account_id": ACCOUNT, "profiles": [{"name": "P", "type": "predefined"}]},
    {"account_id": ACCOUNT, "profiles": [{"name": "P", "id": "not-a-uuid"}]},
    {"account_id": ACCOUNT, "profiles": [{"name": "P", "id": "56a8c060-01bb-4f89-ba1e-3ad42770a342"}]},
    {"account_id": ACCOUNT, "profiles": {"name": "P"}},
    {"account_id": "abc", "profiles": [{"name": "P"}]},
    {"profiles": [{"name": "P"}]},
], ids=["no-name", "empty-name", "predefined", "bad-id", "predefined-id", "not-a-list", "bad-account", "no-account"])
def test_malformed_profile_seeds_are_rejected(emu: Emulator, payload: dict[str, Any]) -> None:
    status, _headers, body = raw_call(emu, "POST", "/__emulator__/profiles", {"Content-Type": "application/json"}, json.dumps(payload).encode())
    assert status == 400 and body["error"]
    assert emu.state() == {"accounts": {}}


def test_profiles_in_a_state_document(emu: Emulator, tmp_path: Path) -> None:
    profile_id = str(uuid.uuid4())
    state = emu.set_state({"accounts": {ACCOUNT: {"mapping": None, "rules": [], "profiles": [{"name": "Employee IDs", "id": profile_id}]}}})
    assert state["accounts"][ACCOUNT]["profiles"][0]["id"] == profile_id
    assert call(emu, "GET", profiles_path(ACCOUNT)).json()["result"][-1] == state["accounts"][ACCOUNT]["profiles"][0]
    with pytest.raises(EmulatorError, match="-> 400"):
        emu.set_state({"accounts": {ACCOUNT: {"mapping": None, "rules": [], "profiles": [{"name": "A", "id": profile_id},
                                                                                         {"name": "B", "id": profile_id.upper()}]}}})
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(state), encoding="utf-8")
    with start_emulator("--state-file", str(state_file), env=clean_env()) as emulator:
        assert emulator.state() == state


# ----- DLP profiles and entries (the bundled profiles schema) ---------------------
CARDS = "56a8c060-01bb-4f89-ba1e-3ad42770a342"  # the predefined Credit Card Numbers
VISA, MASTERCARD = str(uuid.uuid5(uuid.UUID(CARDS), "Visa Card Number")), str(uuid.uuid5(uuid.UUID(CARDS), "Mastercard Card Number"))
DLP_T = "/accounts/{account_id}/dlp/"
BADGE = {"name": "Badge", "enabled": True, "pattern": {"regex": "EMP-[0-9]{6}"}, "description": "Employee badge numbers"}
WORDS = {"name": "Code names", "enabled": False, "words": ["bluebird", "nightjar"]}


def dlp_path(account: str, *rest: str) -> str:
    """An API path under /client/v4/accounts/{account}/dlp (raw, not encoded)."""
    return "/".join([f"/client/v4/accounts/{account}/dlp", *rest])


def dlp_call(emu: Emulator, method: str, template: str, *ids: str, account: str = ACCOUNT, **kwargs: Any) -> requests.Response:
    """Call a DLP path given as its schema template under /dlp (e.g. "profiles/custom/{profile_id}", IDs in order),
    checking the answer against the profiles schema."""
    raw = template
    for value in ids:
        raw = re.sub(r"\{\w+\}", value, raw, count=1)
    response = call(emu, method, dlp_path(account, raw), **kwargs)
    assert_matches_schema(response, DLP_T + template, method)
    return response


def create_profile(emu: Emulator, account: str = ACCOUNT, **body: Any) -> dict[str, Any]:
    """A custom profile made through the API."""
    response = dlp_call(emu, "POST", "profiles/custom", account=account, json={"name": "Employee IDs", **body})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_profiles_schema_is_the_17_operation_subset() -> None:
    assert _PROFILES_DOC["info"]["license"]["name"] == "BSD-3-Clause"
    operations = [method for item in _PROFILES_DOC["paths"].values() for method in item if method in ("get", "post", "put", "delete")]
    assert len(_PROFILES_DOC["paths"]) == 10 and len(operations) == 17
    schemas = _PROFILES_DOC["components"]["schemas"]
    assert "oneOf" in schemas["dlp_EntryOfNewProfile"] and "oneOf" in schemas["dlp_ProfileEntryUpdate"]  # read as anyOf by the emulator


def test_custom_profile_create_read_list_and_delete(emu: Emulator) -> None:
    created = create_profile(emu, description="Badges", allowed_match_count=3, confidence_threshold="high", ocr_enabled=True,
                             entries=[BADGE, WORDS], context_awareness={"enabled": True, "skip": {"files": False}})
    assert uuid.UUID(created["id"]).version == 4 and created["type"] == "custom"
    assert (created["description"], created["allowed_match_count"], created["confidence_threshold"], created["ocr_enabled"]) == ("Badges", 3, "high", True)
    assert created["ai_context_enabled"] is False and created["shared_entries"] == [] and created["data_classes"] == []
    assert created["context_awareness"] == {"enabled": True, "skip": {"files": False}}
    assert RFC3339_Z.fullmatch(created["created_at"]) and created["created_at"] == created["updated_at"]
    badge, words = created["entries"]
    assert (badge["type"], badge["name"], badge["pattern"], badge["description"], badge["profile_id"]) == (
        "custom", "Badge", {"regex": "EMP-[0-9]{6}"}, "Employee badge numbers", created["id"])
    assert (words["type"], words["word_list"], words["enabled"]) == ("word_list", ["bluebird", "nightjar"], False)
    assert create_profile(emu)["description"] is None

    emu.add_profiles(ACCOUNT, {"name": "Slack", "type": "integration"})
    assert dlp_call(emu, "GET", "profiles/custom/{profile_id}", created["id"].upper()).json()["result"] == created
    assert dlp_call(emu, "GET", "profiles/{profile_id}", created["id"]).json()["result"] == created
    assert [profile["name"] for profile in dlp_call(emu, "GET", "profiles/custom").json()["result"]] == ["Employee IDs", "Employee IDs"]
    assert [profile["name"] for profile in dlp_call(emu, "GET", "profiles").json()["result"]] == PREDEFINED_NAMES + ["Employee IDs", "Employee IDs", "Slack"]
    assert dlp_call(emu, "GET", "profiles/custom", account=OTHER_ACCOUNT).json()["result"] == []

    deleted = dlp_call(emu, "DELETE", "profiles/custom/{profile_id}", created["id"])
    assert deleted.status_code == 200 and deleted.json()["result"] is None
    for method, template in (("GET", "profiles/custom/{profile_id}"), ("DELETE", "profiles/custom/{profile_id}"), ("GET", "profiles/{profile_id}")):
        response = dlp_call(emu, method, template, created["id"])
        assert response.status_code == 404 and response.json()["errors"] == [{"code": 1553, "message": "DLP profile not found"}]
    assert dlp_call(emu, "GET", "entries/{entry_id}", badge["id"]).status_code == 404  # its entries went with it
    assert len(dlp_call(emu, "GET", "profiles/custom").json()["result"]) == 1


def test_custom_profile_put_replaces_fields_and_keeps_omitted_entries(emu: Emulator) -> None:
    created = create_profile(emu, description="Badges", ocr_enabled=True, ai_context_enabled=True, allowed_match_count=5, entries=[BADGE],
                             data_tags=[str(uuid.uuid4())], context_awareness={"enabled": True, "skip": {"files": True}})
    response = dlp_call(emu, "PUT", "profiles/custom/{profile_id}", created["id"], json={"name": "Staff IDs", "confidence_threshold": "medium"})
    updated = response.json()["result"]
    assert (updated["id"], updated["name"], updated["confidence_threshold"]) == (created["id"], "Staff IDs", "medium")
    assert updated["created_at"] == created["created_at"]
    # what the schema says nothing of is reset; entries and data tags, which it says stay when omitted, stay
    assert (updated["description"], updated["ocr_enabled"], updated["ai_context_enabled"], updated["allowed_match_count"]) == (None, False, False, 0)
    assert "context_awareness" not in updated and updated["updated_at"] > created["updated_at"]
    assert updated["entries"] == created["entries"] and updated["data_tags"] == created["data_tags"]
    assert dlp_call(emu, "GET", "profiles/custom/{profile_id}", created["id"]).json()["result"] == updated

    unknown = dlp_call(emu, "PUT", "profiles/custom/{profile_id}", str(uuid.uuid4()), json={"name": "X"})
    assert unknown.status_code == 404 and error_codes(unknown) == [1553]
    predefined = dlp_call(emu, "PUT", "profiles/custom/{profile_id}", CARDS, json={"name": "X"})
    assert predefined.status_code == 404 and error_codes(predefined) == [1553]


def test_custom_profile_put_with_entries_sets_the_whole_set_of_regex_entries(emu: Emulator) -> None:
    created = create_profile(emu, entries=[BADGE, {"name": "Old", "enabled": True, "pattern": {"regex": "OLD-[0-9]{4}"}}, WORDS])
    badge, old, words = created["entries"]
    # an entry with an entry_id matches both branches of the schema's oneOf: the emulator reads it as anyOf
    listed = [{"entry_id": badge["id"], "name": "Badge v2", "enabled": False, "pattern": {"regex": "EMP-[0-9]{7}"}},
              {"name": "New", "enabled": True, "pattern": {"regex": "NEW-[0-9]{2}"}}]
    updated = dlp_call(emu, "PUT", "profiles/custom/{profile_id}", created["id"], json={"name": "Employee IDs", "entries": listed}).json()["result"]
    by_name = {entry["name"]: entry for entry in updated["entries"]}
    assert sorted(by_name) == ["Badge v2", "Code names", "New"]
    assert by_name["Badge v2"]["id"] == badge["id"] and by_name["Badge v2"]["description"] is None and by_name["Badge v2"]["enabled"] is False
    assert by_name["Code names"] == words and by_name["New"]["profile_id"] == created["id"]
    assert dlp_call(emu, "GET", "entries/{entry_id}", old["id"]).status_code == 404

    stray = [{"entry_id": str(uuid.uuid4()), "name": "Stray", "enabled": True, "pattern": {"regex": "a"}}]
    response = dlp_call(emu, "PUT", "profiles/custom/{profile_id}", created["id"], json={"name": "Renamed", "entries": stray})
    assert response.status_code == 400 and response.json()["errors"] == [
        {"code": 1008, "message": f"Entry {stray[0]['entry_id']} not found", "source": {"pointer": "/entries/0/entry_id"}}]
    assert dlp_call(emu, "GET", "profiles/custom/{profile_id}", created["id"]).json()["result"] == updated


def test_shared_entries_show_the_entries_they_name(emu: Emulator) -> None:
    created = create_profile(emu, shared_entries=[{"entry_id": VISA, "enabled": False}])
    assert [(entry["id"], entry["type"], entry["enabled"]) for entry in created["shared_entries"]] == [(VISA, "predefined", False)]
    visa = dlp_call(emu, "GET", "entries/{entry_id}", VISA).json()["result"]
    assert visa["profiles"] == [{"id": CARDS, "name": "Credit Card Numbers"}, {"id": created["id"], "name": "Employee IDs"}]
    missing = str(uuid.uuid4())
    response = dlp_call(emu, "POST", "profiles/custom", json={"name": "P", "shared_entries": [{"entry_id": missing, "enabled": True}]})
    assert response.status_code == 400 and response.json()["errors"][0]["source"] == {"pointer": "/shared_entries/0/entry_id"}
    updated = dlp_call(emu, "PUT", "profiles/custom/{profile_id}", created["id"], json={"name": "Employee IDs"}).json()["result"]
    assert updated["shared_entries"] == []  # a PUT that omits them resets them


def test_entries_create_read_update_and_delete(emu: Emulator) -> None:
    profile = create_profile(emu, entries=[WORDS])
    created = dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": profile["id"]}).json()["result"]
    assert (created["name"], created["profile_id"], created["enabled"], created["type"]) == ("Badge", profile["id"], True, "custom")
    assert [entry["name"] for entry in dlp_call(emu, "GET", "profiles/custom/{profile_id}", profile["id"]).json()["result"]["entries"]] == [
        "Code names", "Badge"]
    got = dlp_call(emu, "GET", "entries/{entry_id}", created["id"]).json()["result"]
    assert got == {**created, "profiles": [{"id": profile["id"], "name": "Employee IDs"}]}

    body = {"name": "Badge v2", "enabled": False, "pattern": {"regex": "EMP-[0-9]{8}", "validation": "luhn"}}
    updated = dlp_call(emu, "PUT", "entries/custom/{entry_id}", created["id"], json=body).json()["result"]
    assert (updated["id"], updated["name"], updated["enabled"], updated["pattern"]) == (created["id"], "Badge v2", False, body["pattern"])
    assert updated["description"] is None and updated["created_at"] == created["created_at"] and updated["updated_at"] > created["updated_at"]
    typed = dlp_call(emu, "PUT", "entries/{entry_id}", created["id"], json={**body, "type": "custom", "description": "again", "enabled": True}).json()
    assert (typed["result"]["description"], typed["result"]["enabled"]) == ("again", True)

    assert dlp_call(emu, "DELETE", "entries/{entry_id}", created["id"]).json()["result"] is None
    assert [entry["name"] for entry in dlp_call(emu, "GET", "profiles/custom/{profile_id}", profile["id"]).json()["result"]["entries"]] == ["Code names"]
    for method, template, json_body in (("GET", "entries/{entry_id}", None), ("DELETE", "entries/{entry_id}", None),
                                        ("PUT", "entries/custom/{entry_id}", body), ("PUT", "entries/{entry_id}", {**body, "type": "custom"})):
        response = dlp_call(emu, method, template, created["id"], json=json_body)
        assert response.status_code == 404 and response.json()["errors"] == [{"code": 1554, "message": "DLP entry not found"}]


def test_an_entry_belongs_to_one_custom_profile_of_its_account(emu: Emulator) -> None:
    profile = create_profile(emu)
    no_profile = dlp_call(emu, "POST", "entries", json=BADGE)
    assert no_profile.status_code == 400 and error_codes(no_profile) == [1007]
    predefined = dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": CARDS})
    assert predefined.status_code == 400 and error_codes(predefined) == [1007]
    unknown = dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": str(uuid.uuid4())})
    assert unknown.status_code == 404 and error_codes(unknown) == [1553]
    other = dlp_call(emu, "POST", "entries", account=OTHER_ACCOUNT, json={**BADGE, "profile_id": profile["id"]})
    assert other.status_code == 404 and error_codes(other) == [1553]
    entry = dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": profile["id"]}).json()["result"]
    assert dlp_call(emu, "GET", "entries/{entry_id}", entry["id"], account=OTHER_ACCOUNT).status_code == 404
    assert emu.state()["accounts"][ACCOUNT]["profiles"][0]["entries"] == [entry]


def test_predefined_profiles_read_and_configured_per_account(emu: Emulator) -> None:
    profile = dlp_call(emu, "GET", "profiles/predefined/{profile_id}", CARDS).json()["result"]
    assert (profile["name"], profile["type"], [entry["enabled"] for entry in profile["entries"]]) == ("Credit Card Numbers", "predefined", [True, True])
    config = dlp_call(emu, "GET", "profiles/predefined/{profile_id}/config", CARDS).json()["result"]
    assert config["enabled_entries"] == [VISA, MASTERCARD] and config["entries"] == profile["entries"] and "type" not in config

    body = {"enabled_entries": [MASTERCARD.upper()], "allowed_match_count": 7, "confidence_threshold": "very_high", "ocr_enabled": True}
    config = dlp_call(emu, "PUT", "profiles/predefined/{profile_id}/config", CARDS, json=body).json()["result"]
    assert config["enabled_entries"] == [MASTERCARD] and [entry["enabled"] for entry in config["entries"]] == [False, True]
    assert (config["allowed_match_count"], config["confidence_threshold"], config["ocr_enabled"], config["ai_context_enabled"]) == (7, "very_high", True, False)
    assert dlp_call(emu, "GET", "profiles/predefined/{profile_id}/config", CARDS).json()["result"] == config
    listed = dlp_call(emu, "GET", "profiles").json()["result"][0]
    assert listed == dlp_call(emu, "GET", "profiles/{profile_id}", CARDS).json()["result"] and listed["allowed_match_count"] == 7
    assert dlp_call(emu, "GET", "profiles/predefined/{profile_id}", CARDS, account=OTHER_ACCOUNT).json()["result"]["allowed_match_count"] == 0
    # the config PUT disables every entry it does not list, and resets the settings it leaves out
    config = dlp_call(emu, "PUT", "profiles/predefined/{profile_id}/config", CARDS, json={}).json()["result"]
    assert (config["enabled_entries"], config["allowed_match_count"], config["ocr_enabled"]) == ([], 0, False)

    unknown = str(uuid.uuid4())
    response = dlp_call(emu, "PUT", "profiles/predefined/{profile_id}/config", CARDS, json={"enabled_entries": [VISA, unknown]})
    assert response.status_code == 400 and response.json()["errors"] == [
        {"code": 1008, "message": f"Entry {unknown} is not an entry of the profile Credit Card Numbers"}]
    assert dlp_call(emu, "GET", "profiles/predefined/{profile_id}/config", CARDS).json()["result"] == config
    custom = create_profile(emu)
    for template in ("profiles/predefined/{profile_id}", "profiles/predefined/{profile_id}/config"):
        assert error_codes(dlp_call(emu, "GET", template, custom["id"])) == [1553]
    assert error_codes(dlp_call(emu, "PUT", "profiles/predefined/{profile_id}/config", unknown, json={})) == [1553]


def test_deprecated_predefined_update_switches_the_entries_it_lists(emu: Emulator) -> None:
    response = dlp_call(emu, "PUT", "profiles/predefined/{profile_id}", CARDS, json={"entries": [{"id": VISA, "enabled": False}], "ocr_enabled": True})
    profile = response.json()["result"]
    assert profile["type"] == "predefined" and profile["ocr_enabled"] is True
    assert [(entry["id"], entry["enabled"]) for entry in profile["entries"]] == [(VISA, False), (MASTERCARD, True)]


def test_predefined_entries_can_only_be_enabled_or_disabled(emu: Emulator) -> None:
    entry = dlp_call(emu, "PUT", "entries/{entry_id}", VISA, json={"type": "predefined", "enabled": False}).json()["result"]
    assert (entry["id"], entry["enabled"], entry["profile_id"], entry["type"]) == (VISA, False, CARDS, "predefined")
    config = dlp_call(emu, "GET", "profiles/predefined/{profile_id}/config", CARDS).json()["result"]
    assert config["enabled_entries"] == [MASTERCARD]
    got = dlp_call(emu, "GET", "entries/{entry_id}", VISA).json()["result"]
    assert got["enabled"] is False and got["profiles"] == [{"id": CARDS, "name": "Credit Card Numbers"}]

    response = dlp_call(emu, "DELETE", "entries/{entry_id}", VISA)
    assert response.status_code == 400 and error_codes(response) == [1010]
    response = dlp_call(emu, "PUT", "entries/custom/{entry_id}", VISA, json={"name": "Visa", "enabled": True, "pattern": {"regex": "4[0-9]{15}"}})
    assert response.status_code == 400 and response.json()["errors"] == [
        {"code": 1010, "message": f"Entry {VISA} is a predefined entry, not a custom one"}]
    custom = dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": create_profile(emu)["id"]}).json()["result"]
    response = dlp_call(emu, "PUT", "entries/{entry_id}", custom["id"], json={"type": "predefined", "enabled": False})
    assert response.status_code == 400 and error_codes(response) == [1010]
    assert dlp_call(emu, "GET", "profiles/predefined/{profile_id}", CARDS, account=OTHER_ACCOUNT).json()["result"]["entries"][0]["enabled"] is True


@pytest.mark.parametrize(("regex", "extra", "valid"), [
    ("EMP-[0-9]{6}", {}, True),
    (r"\d{3}-\d{2}-\d{4}", {}, True),
    ("a+", {}, False),
    ("a*", {}, False),
    ("[a-z]{2,}", {}, False),
    ("a+", {"max_match_bytes": None}, True),
    ("x{2,}", {"max_match_bytes": None}, True),
    (r"\*\+", {}, True),
    ("[*+]{1,3}", {}, True),
    (r"a\\*", {}, False),
    (".{1,256}", {"max_match_bytes": 1024}, True),
    (".{1,257}", {"max_match_bytes": 1024}, False),
    (".{1,2000}", {}, False),
    ("a(?=b)", {}, False),
    ("(?<!a)b", {}, False),
    ("(a)\\1", {}, False),
    ("(?P<x>a)(?P=x)", {"max_match_bytes": None}, False),
    ("(unclosed", {}, False),
    ("[z-a]", {}, False),
], ids=["bounded", "digits", "plus", "star", "open-range", "plus-no-limit", "open-range-no-limit", "escaped", "in-class", "escaped-backslash-star",
        "at-limit", "past-limit", "past-default-limit", "lookahead", "lookbehind", "backreference", "named-backreference", "unclosed", "bad-range"])
def test_pattern_validation(emu: Emulator, regex: str, extra: dict[str, Any], valid: bool) -> None:
    response = dlp_call(emu, "POST", "patterns/validate", json={"regex": regex, **extra})
    assert response.status_code == 200 and response.json()["result"] == {"valid": valid}
    assert emu.state() == {"accounts": {}}


def test_an_invalid_regex_fails_every_write_that_carries_it(emu: Emulator) -> None:
    profile = create_profile(emu, entries=[BADGE])
    before = emu.state()
    bad = {"name": "Greedy", "enabled": True, "pattern": {"regex": "EMP-[0-9]+"}}
    message = "Invalid regex in entry 'Greedy': it can match an unbounded string (*, + or {n,}); bound it with a range such as {1,100}"
    for method, template, ids, body, pointer in (
            ("POST", "profiles/custom", (), {"name": "P", "entries": [BADGE, bad]}, "/entries/1/pattern/regex"),
            ("PUT", "profiles/custom/{profile_id}", (profile["id"],), {"name": "P", "entries": [bad]}, "/entries/0/pattern/regex"),
            ("POST", "entries", (), {**bad, "profile_id": profile["id"]}, "/pattern/regex"),
            ("PUT", "entries/custom/{entry_id}", (profile["entries"][0]["id"],), bad, "/pattern/regex"),
            ("PUT", "entries/{entry_id}", (profile["entries"][0]["id"],), {**bad, "type": "custom"}, "/pattern/regex")):
        response = dlp_call(emu, method, template, *ids, json=body)
        assert response.status_code == 400 and response.json()["errors"] == [{"code": 1006, "message": message, "source": {"pointer": pointer}}]
    response = dlp_call(emu, "POST", "entries", json={**bad, "pattern": {"regex": "(?=a)b"}, "profile_id": profile["id"]})
    assert "it uses look-around, which Rust's regex does not support" in response.json()["errors"][0]["message"]
    assert emu.state() == before


@pytest.mark.parametrize(("method", "template", "body", "expected", "pointer"), [
    ("POST", "profiles/custom", {"description": "no name"}, "'name' is a required property", ""),
    ("POST", "profiles/custom", {"name": "P", "allowed_match_count": 1001}, "1001 is greater than the maximum of 1000", "/allowed_match_count"),
    ("POST", "profiles/custom", {"name": "P", "entries": [{"name": "E", "pattern": {"regex": "a"}}]}, "is not valid under any of the given schemas",
     "/entries/0"),
    ("PUT", "profiles/custom/{profile_id}", {"name": "P", "entries": [{"entry_id": VISA, "name": "E", "enabled": True}]},
     "is not valid under any of the given schemas", "/entries/0"),
    ("PUT", "profiles/custom/{profile_id}", {"name": "P", "shared_entries": [{"entry_id": CARDS}]}, "'enabled' is a required property", "/shared_entries/0"),
    ("PUT", "profiles/predefined/{profile_id}/config", {"enabled_entries": ["visa"]}, "'visa' is not a 'uuid'", "/enabled_entries/0"),
    ("PUT", "profiles/predefined/{profile_id}", {"ocr_enabled": "yes"}, "'yes' is not of type 'boolean'", "/ocr_enabled"),
    ("POST", "entries", {"name": "E", "enabled": True, "pattern": {}}, "'regex' is a required property", "/pattern"),
    ("PUT", "entries/custom/{entry_id}", {"name": "E", "pattern": {"regex": "a"}}, "'enabled' is a required property", ""),
    ("PUT", "entries/{entry_id}", {"type": "word_list", "enabled": True}, "is not valid under any of the given schemas", ""),
    ("POST", "patterns/validate", {"regex": "a", "max_match_bytes": -1}, "-1 is less than the minimum of 0", "/max_match_bytes"),
])
def test_profile_bodies_are_validated_against_the_profiles_schema(  # pylint: disable=unknown-option-value,too-many-arguments,too-many-positional-arguments
        emu: Emulator, method: str, template: str, body: Any, expected: str, pointer: str) -> None:
    response = dlp_call(emu, method, template, CARDS, json=body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["code"] for error in errors] == [1002] and expected in errors[0]["message"]
    assert errors[0]["source"] == {"pointer": pointer}
    assert emu.state() == {"accounts": {}}


def test_profile_writes_need_json_and_an_enum_confidence(emu: Emulator) -> None:
    response = call(emu, "POST", dlp_path(ACCOUNT, "profiles/custom"), data=b"{oops", headers={**TOKEN_AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400 and error_codes(response) == [1001]
    response = dlp_call(emu, "POST", "profiles/custom", json={"name": "P", "confidence_threshold": "extreme"})  # a free string in the schema
    assert response.status_code == 400 and error_codes(response) == [1009]
    assert emu.state() == {"accounts": {}}


def test_profile_routes_check_auth_identifiers_and_methods(emu: Emulator) -> None:
    assert error_codes(call(emu, "GET", dlp_path(ACCOUNT, "profiles/custom"), {})) == [9106]
    assert error_codes(call(emu, "POST", dlp_path(ACCOUNT, "patterns/validate"), {"Authorization": "Bearer wrong"}, json={"regex": "a"})) == [10000]
    for method, raw_path in (("GET", dlp_path(ACCOUNT, "profiles/custom/x")), ("GET", dlp_path(ACCOUNT, "entries/x")),
                             ("GET", dlp_path(ACCOUNT, "profiles/predefined/x/config")), ("POST", dlp_path("not-an-account", "entries"))):
        response = call(emu, method, raw_path, json=BADGE)
        assert response.status_code == 404 and error_codes(response) == [7003, 7000], raw_path
    for method, raw_path in (("DELETE", dlp_path(ACCOUNT, "profiles", CARDS)), ("GET", dlp_path(ACCOUNT, "patterns/validate")),
                             ("GET", dlp_path(ACCOUNT, "entries")), ("DELETE", dlp_path(ACCOUNT, "profiles/predefined", CARDS)),
                             ("GET", dlp_path(ACCOUNT, "entries/custom", VISA)), ("GET", dlp_path(ACCOUNT, "profiles/custom/")),
                             ("GET", dlp_path(ACCOUNT, "profiles", CARDS, "config"))):
        status, _headers, body = raw_call(emu, method, raw_path, TOKEN_AUTH)
        assert (status, body["errors"]) == (404, [{"code": 7000, "message": "No route for that URI"}]), (method, raw_path)


def test_faults_apply_to_profile_paths(emu: Emulator) -> None:
    emu.add_fault(method="POST", path=dlp_path(ACCOUNT, "profiles/custom"), status=429, headers={"Retry-After": "2"})
    response = call(emu, "POST", dlp_path(ACCOUNT, "profiles/custom"), json={"name": "P"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "2" and error_codes(response) == [971]
    assert emu.state() == {"accounts": {}}
    profile = create_profile(emu)
    emu.add_fault(method="POST", path=dlp_path(ACCOUNT, "entries"), status=502, body="<html>Bad gateway</html>", after=True)
    response = call(emu, "POST", dlp_path(ACCOUNT, "entries"), json={**BADGE, "profile_id": profile["id"]})
    assert response.status_code == 502 and response.text == "<html>Bad gateway</html>"
    assert [entry["name"] for entry in emu.state()["accounts"][ACCOUNT]["profiles"][0]["entries"]] == ["Badge"]  # committed before the 502
    emu.add_fault(method="GET", path=dlp_path(ACCOUNT, "profiles/predefined", CARDS, "config"), status=503)
    assert call(emu, "GET", dlp_path(ACCOUNT, "profiles/predefined", CARDS, "config")).status_code == 503
    assert call(emu, "GET", dlp_path(ACCOUNT, "profiles/predefined", CARDS, "config")).status_code == 200
    assert [entry["status"] for entry in emu.log()] == [429, 200, 502, 503, 200]


def test_seeded_profiles_work_through_the_api(emu: Emulator) -> None:
    entry_id = str(uuid.uuid4())
    slack_entry = {"id": entry_id, "name": "Confidential label", "type": "integration", "enabled": True, "created_at": "2024-01-01T00:00:00Z",
                   "updated_at": "2024-01-01T00:00:00Z"}
    custom, slack = emu.add_profiles(ACCOUNT, {"name": "Seeded"}, {"name": "Slack", "type": "integration", "entries": [slack_entry]})
    got = dlp_call(emu, "GET", "profiles/custom/{profile_id}", custom["id"]).json()["result"]
    assert got == custom and (got["confidence_threshold"], got["ai_context_enabled"], got["shared_entries"]) == ("low", False, [])
    assert dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": custom["id"]}).status_code == 200
    assert error_codes(dlp_call(emu, "POST", "entries", json={**BADGE, "profile_id": slack["id"]})) == [1007]
    assert [profile["id"] for profile in dlp_call(emu, "GET", "profiles/custom").json()["result"]] == [custom["id"]]

    entry = dlp_call(emu, "PUT", "entries/{entry_id}", entry_id, json={"type": "integration", "enabled": False}).json()["result"]
    assert (entry["enabled"], entry["name"], entry["updated_at"] > slack_entry["updated_at"]) == (False, "Confidential label", True)
    assert dlp_call(emu, "GET", "profiles/{profile_id}", slack["id"]).json()["result"]["entries"] == [entry]
    assert error_codes(dlp_call(emu, "DELETE", "entries/{entry_id}", entry_id)) == [1010]


def test_predefined_settings_in_a_state_document(emu: Emulator) -> None:
    state = emu.set_state({"accounts": {ACCOUNT: {"mapping": None, "rules": [], "predefined": {CARDS: {"enabled_entries": [], "ocr_enabled": True}}}}})
    assert state["accounts"][ACCOUNT]["predefined"][CARDS] == {"allowed_match_count": 0, "confidence_threshold": "low", "ocr_enabled": True,
                                                               "ai_context_enabled": False, "enabled_entries": []}
    config = dlp_call(emu, "GET", "profiles/predefined/{profile_id}/config", CARDS).json()["result"]
    assert config["enabled_entries"] == [] and config["ocr_enabled"] is True
    for predefined in ({str(uuid.uuid4()): {}}, {CARDS: []}, []):
        with pytest.raises(EmulatorError, match="-> 400"):
            emu.set_state({"accounts": {ACCOUNT: {"mapping": None, "rules": [], "predefined": predefined}}})


# ----- GET /accounts ------------------------------------------------------
def visible(count: int) -> list[dict[str, Any]]:
    return [{"id": "%032x" % (0xa000 + number), "name": f"Account {number}", "type": "standard"} for number in range(count)]


def test_accounts_are_paginated_with_result_info(emu: Emulator) -> None:
    seeded = emu.set_visible_accounts(visible(12))
    assert all(RFC3339_Z.fullmatch(account["created_on"]) for account in seeded)
    pages = [call(emu, "GET", "/client/v4/accounts", params={"page": page, "per_page": 5}).json() for page in (1, 2, 3, 4)]
    assert [[account["id"] for account in body["result"]] for body in pages] == [
        [account["id"] for account in seeded[start:start + 5]] for start in (0, 5, 10, 15)]
    assert [body["result_info"] for body in pages] == [
        {"page": page, "per_page": 5, "count": count, "total_count": 12, "total_pages": 3} for page, count in ((1, 5), (2, 5), (3, 2), (4, 0))]
    assert pages[0]["result"][0] == seeded[0] and pages[0]["success"] is True
    default = call(emu, "GET", "/client/v4/accounts").json()
    assert default["result_info"]["per_page"] == 20 and len(default["result"]) == 12


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=4", "per_page=51", "per_page=", "page=1.5"])
def test_accounts_reject_pages_out_of_range(emu: Emulator, query: str) -> None:
    response = call(emu, "GET", "/client/v4/accounts?" + query)
    assert response.status_code == 400 and error_codes(response) == [1005]
    assert query.split("=")[0] in response.json()["errors"][0]["message"]


def test_accounts_need_auth_count_towards_the_rate_limit_and_only_answer_get(emu: Emulator) -> None:
    emu.set_visible_accounts(visible(1))
    assert error_codes(call(emu, "GET", "/client/v4/accounts", headers={})) == [9106]
    assert error_codes(call(emu, "POST", "/client/v4/accounts", json={})) == [7000]
    emu.configure(rate_limit={"requests": 1, "period": 30})
    assert call(emu, "GET", "/client/v4/accounts").status_code == 200
    assert error_codes(call(emu, "GET", "/client/v4/accounts")) == [971]


@pytest.mark.parametrize("accounts", [
    {}, [{"id": "x", "name": "a", "type": "standard"}], [{"id": "a" * 32, "name": "a", "type": "free"}],
    [{"id": "a" * 32, "name": "a", "type": "standard", "owner": "me"}], [{"id": "a" * 32, "name": "a", "type": "standard"}] * 2,
    [{"id": "a" * 32, "name": "a", "type": "standard", "managed_by": "partner"}]])
def test_malformed_visible_accounts_are_rejected(emu: Emulator, accounts: Any) -> None:
    with pytest.raises(EmulatorError, match="400"):
        emu.set_visible_accounts(accounts)


def test_visible_accounts_round_trip_and_reset(emu: Emulator) -> None:
    stored = emu.set_visible_accounts([{"id": "a" * 32, "name": "{{ odd }}", "type": "enterprise", "created_on": "2020-01-01T00:00:00Z",
                                        "managed_by": {"parent_org_id": "b" * 32, "parent_org_name": "Partner"}}])
    assert emu.visible_accounts() == stored and stored[0]["created_on"] == "2020-01-01T00:00:00Z"
    assert call(emu, "GET", "/client/v4/accounts").json()["result"] == stored
    emu.reset()
    assert emu.visible_accounts() == []
