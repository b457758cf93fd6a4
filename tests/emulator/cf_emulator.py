#!/usr/bin/env python
"""Local, stateful emulator of Cloudflare's DLP-email API (8 operations), its DLP profiles and entries (17
operations) and its account list, for tests.

It answers under ``/client/v4`` in Cloudflare's envelope, checks auth headers,
validates request bodies against the bundled OpenAPI 3.0 schemas, keeps state
per account, rate limits per credential and injects faults on request.  A
control endpoint under ``/__emulator__/`` (no auth, never logged) exposes the
request log, faults, state and configuration.  See README.md beside this file.
It is a test double of the real API, never a replacement.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import re
import re._constants as re_constants  # pylint: disable=consider-using-from-import
import re._parser as re_parser  # pylint: disable=consider-using-from-import
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

# The bundled OpenAPI documents (Cloudflare's, BSD-3-Clause: see LICENSE-cloudflare-api-schemas), by short name.
SCHEMA_FILES = {"email": "cloudflare-dlp-email.openapi.json", "profiles": "cloudflare-dlp-profiles.openapi.json"}
SCHEMA_DIR = Path(__file__).resolve().parent
# Quirks of the profiles schema, mirrored rather than fixed: these oneOfs have overlapping branches (an entry with an
# entry_id matches both of dlp_ProfileEntryUpdate's), so request bodies are validated as if they were anyOfs.
ONE_OF_READ_AS_ANY_OF = {"profiles": ("dlp_EntryOfNewProfile", "dlp_ProfileEntryUpdate")}

API_PREFIX = "/client/v4"
CONTROL_PREFIX = "/__emulator__"

DEFAULT_TOKEN = "emulator-token"
DEFAULT_EMAIL = "emulator@example.com"
DEFAULT_KEY = "emulator-key"
DEFAULT_RATE_LIMIT = (1200, 300)

ACCOUNT_RE = re.compile(r"[0-9a-f]{32}")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
BEARER_RE = re.compile(r"(?i:bearer) (\S+)")

# Error codes.  Those below 1100 and 155x are the emulator's own choices;
# 971, 6003/6111, 7000/7003, 9106 and 10000 are Cloudflare's.
CODE_INVALID_JSON = 1001
CODE_SCHEMA = 1002
CODE_UNKNOWN_PRIORITY_RULE = 1003
CODE_EMPTY_PRIORITIES = 1004
CODE_BAD_QUERY = 1005
CODE_INVALID_PATTERN = 1006
CODE_NO_CUSTOM_PROFILE = 1007
CODE_UNKNOWN_ENTRY = 1008
CODE_BAD_CONFIDENCE = 1009
CODE_WRONG_ENTRY_TYPE = 1010
CODE_MAPPING_NOT_FOUND = 1551
CODE_RULE_NOT_FOUND = 1552
CODE_PROFILE_NOT_FOUND = 1553
CODE_ENTRY_NOT_FOUND = 1554
CODE_RATE_LIMITED = 971
CODE_BAD_HEADERS = 6003
CODE_BAD_AUTHORIZATION = 6111
CODE_NO_ROUTE = 7000
CODE_BAD_IDENTIFIER = 7003
CODE_MISSING_AUTH = 9106
CODE_AUTH_ERROR = 10000
CODE_INTERNAL = 10001

MSG_NO_ROUTE = "No route for that URI"
MSG_RATE_LIMITED = "Please wait and consider throttling your request speed"

REDACTED_HEADERS = frozenset({"authorization", "x-auth-key", "x-auth-user-service-key"})

# (kind, method) -> (schema document, component schema) of the request body; kinds are those of DLP_ROUTES.
BODY_SCHEMAS = {
    ("mapping", "POST"): ("email", "dlp_UpdateAddinAccountMapping"),
    ("rules", "POST"): ("email", "dlp_CreateEmailRule"),
    ("rules", "PATCH"): ("email", "dlp_UpdateEmailRulePriorities"),
    ("rule", "PUT"): ("email", "dlp_CreateEmailRule"),
    ("custom_profiles", "POST"): ("profiles", "dlp_NewCustomProfile"),
    ("custom_profile", "PUT"): ("profiles", "dlp_CustomProfileUpdate"),
    ("predefined_profile", "PUT"): ("profiles", "dlp_PredefinedProfileUpdate"),
    ("predefined_config", "PUT"): ("profiles", "dlp_PredefinedProfileConfigUpdate"),
    ("entries", "POST"): ("profiles", "dlp_NewEntry"),
    ("custom_entry", "PUT"): ("profiles", "dlp_CustomEntryUpdate"),
    ("entry", "PUT"): ("profiles", "dlp_EntryUpdate"),
    ("patterns", "POST"): ("profiles", "dlp_RegexValidationQuery"),
}
# Routes under /client/v4/accounts/{account_id}/dlp: (path, kind, methods); "{id}" is the segment of a rule, profile or
# entry ID. The first route whose path and method match wins, so "profiles/custom" comes before "profiles/{id}".
DLP_ROUTES = (
    ("email/account_mapping", "mapping", ("GET", "POST")),
    ("email/rules", "rules", ("GET", "POST", "PATCH")),
    ("email/rules/{id}", "rule", ("GET", "PUT", "DELETE")),
    ("profiles", "profiles", ("GET",)),
    ("profiles/custom", "custom_profiles", ("GET", "POST")),
    ("profiles/custom/{id}", "custom_profile", ("GET", "PUT", "DELETE")),
    ("profiles/predefined/{id}", "predefined_profile", ("GET", "PUT")),
    ("profiles/predefined/{id}/config", "predefined_config", ("GET", "PUT")),
    ("profiles/{id}", "profile", ("GET",)),
    ("entries", "entries", ("POST",)),
    ("entries/custom/{id}", "custom_entry", ("PUT",)),
    ("entries/{id}", "entry", ("GET", "PUT", "DELETE")),
    ("patterns/validate", "patterns", ("POST",)),
)
FAULT_KEYS = frozenset({"method", "path", "count", "status", "headers", "body", "json", "delay", "after", "result_info"})
CONFIG_KEYS = frozenset({"absent_mapping", "rotate_token", "rate_limit"})
# GET /accounts: Cloudflare documents page >= 1 and per_page 5 to 50 (default 20); the shape is the SDK's Account.
ACCOUNTS_PATH = API_PREFIX + "/accounts"
ACCOUNT_KEYS = frozenset({"id", "name", "type", "created_on", "settings", "managed_by"})
ACCOUNT_TYPES = ("standard", "enterprise")
PER_PAGE_RANGE = (5, 50)
DEFAULT_PER_PAGE = 20

# DLP profiles answer in the shapes of the official SDK's cloudflare.types.zero_trust.dlp types, which the profiles
# schema leaves loose. Every account has these predefined profiles (IDs the emulator's own; an entry's ID is derived
# from its profile's and its name); custom profiles are made through the API or seeded, like integration profiles,
# through the control endpoint.
PREDEFINED_PROFILES = (
    ("56a8c060-01bb-4f89-ba1e-3ad42770a342", "Credit Card Numbers", ("Visa Card Number", "Mastercard Card Number")),
    ("3e9d1c52-8b1f-4c6e-9a0d-7f2b5e4c1a93", "Financial Information", ("IBAN", "SWIFT Code")),
    ("a1f4b7c2-6d3e-4f80-b9a5-2c8e1d7f6b04",
     "Social Security, Insurance, Tax, and Identifier Numbers", ("US Social Security Number", "UK National Insurance Number")),
    ("d7b2e9f1-4a6c-4b3d-8e5f-1c0a9b8d7e62", "Source Code", ("Python", "JavaScript")),
)
SEEDED_PROFILE_TYPES = ("custom", "integration")
# The settings of a profile and their values on a new profile, and after a PUT that leaves them out.
PROFILE_SETTINGS = {"allowed_match_count": 0, "confidence_threshold": "low", "ocr_enabled": False, "ai_context_enabled": False}
CONFIDENCE_LEVELS = ("low", "medium", "high", "very_high")
# Custom profile fields that a PUT leaves unchanged when it omits them (the schema says so); it resets the others.
KEPT_WHEN_OMITTED = ("data_classes", "data_tags", "sensitivity_levels")
# Pattern validation: without max_match_bytes a default limit applies (Cloudflare does not say which); the emulator
# counts every character a pattern can match as 4 bytes, the most UTF-8 needs.
DEFAULT_MAX_MATCH_BYTES = 4096
# Python's re accepts these; Rust's regex crate, which Cloudflare's rule engines use, has none of them.
UNSUPPORTED_REGEX_OPS = {"ASSERT": "look-around", "ASSERT_NOT": "look-around", "GROUPREF": "a back-reference",
                         "GROUPREF_EXISTS": "a conditional group", "ATOMIC_GROUP": "an atomic group",
                         "POSSESSIVE_REPEAT": "a possessive repeat"}


class ControlError(Exception):
    """A malformed control request (answered with 400)."""


def now_rfc3339() -> str:
    """Current UTC time in RFC 3339 with microseconds and a ``Z`` suffix."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def parse_json(text: str) -> Any:
    """Strict JSON parse (no NaN/Infinity)."""
    return json.loads(text, parse_constant=_reject_constant)


def dump_json(value: Any) -> bytes:
    """Serialise a value as compact UTF-8 JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass
class Reply:
    """An HTTP answer: status, extra headers (Content-Length is added when sent) and body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
        """A JSON answer."""
        merged = {"Content-Type": "application/json; charset=utf-8"}
        merged.update(headers or {})
        return cls(status, dump_json(value), merged)


def envelope(result: Any = None, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Cloudflare's response envelope."""
    errors = errors or []
    return {"success": not errors, "errors": errors, "messages": [], "result": None if errors else result}


def ok(result: Any) -> Reply:
    """A 200 answer carrying ``result``."""
    return Reply.json(200, envelope(result))


def fail(status: int, *errors: tuple[int, str], headers: dict[str, str] | None = None) -> Reply:
    """A failure answer with one error object per (code, message)."""
    return Reply.json(status, envelope(errors=[{"code": code, "message": message} for code, message in errors]), headers)


def default_error_for(status: int) -> tuple[int, str]:
    """The (code, message) used by a fault that gives no body of its own."""
    if status == 429:
        return CODE_RATE_LIMITED, MSG_RATE_LIMITED
    if status in (401, 403):
        return CODE_AUTH_ERROR, "Authentication error"
    if status == 404:
        return CODE_NO_ROUTE, MSG_NO_ROUTE
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = f"HTTP {status}"
    return (CODE_INTERNAL if status >= 500 else 1000), phrase


def load_schema_documents() -> dict[str, dict[str, Any]]:
    """Read the bundled OpenAPI documents, with the overlapping oneOfs of ONE_OF_READ_AS_ANY_OF read as anyOfs."""
    documents = {}
    for name, filename in SCHEMA_FILES.items():
        with (SCHEMA_DIR / filename).open(encoding="utf-8") as handle:
            documents[name] = json.load(handle)
        for schema_name in ONE_OF_READ_AS_ANY_OF.get(name, ()):
            schema = documents[name]["components"]["schemas"][schema_name]
            schema["anyOf"] = schema.pop("oneOf")
    return documents


class BodyValidator:  # pylint: disable=too-few-public-methods
    """Validates request bodies against the component schemas of the OpenAPI documents (OAS 3.0 rules)."""

    def __init__(self, documents: dict[str, dict[str, Any]]):
        registry = Registry().with_resources((f"urn:{name}", DRAFT4.create_resource(document)) for name, document in documents.items())
        self._validators = {
            (document, name): OAS30Validator({"$ref": f"urn:{document}#/components/schemas/{name}"}, registry=registry,
                                             format_checker=oas30_format_checker)
            for document, name in set(BODY_SCHEMAS.values())
        }

    def errors(self, schema: tuple[str, str], instance: Any) -> list[dict[str, Any]]:
        """Cloudflare-style error objects for every top-level validation error (empty when valid); ``schema`` is
        (document, component schema name)."""
        found = sorted(self._validators[schema].iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
        return [self._describe(error) for error in found]

    @staticmethod
    def _describe(error: ValidationError) -> dict[str, Any]:
        message = f"Invalid request body at {error.json_path}: {error.message}"
        details = sorted({sub.message for sub in error.context or ()})
        if details:
            message += " (" + "; ".join(details) + ")"
        pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path)
        return {"code": CODE_SCHEMA, "message": message, "source": {"pointer": pointer}}


@dataclass
class Fault:  # pylint: disable=too-many-instance-attributes
    """One queued fault."""

    method: str
    path: str
    count: int
    status: int | None
    headers: dict[str, str]
    body: str | None
    json_body: Any
    has_json: bool
    delay: float
    after: bool
    result_info: dict[str, Any] | None = None

    @classmethod
    def parse(cls, spec: Any) -> Fault:
        """Build a fault from its control-endpoint JSON, raising ControlError when malformed."""
        if not isinstance(spec, dict):
            raise ControlError("a fault must be a JSON object")
        unknown = set(spec) - FAULT_KEYS
        if unknown:
            raise ControlError(f"unknown fault keys: {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(FAULT_KEYS))})")
        fault = cls(method=spec.get("method", "*"), path=spec.get("path", "*"), count=spec.get("count", 1), status=spec.get("status"),
                    headers=spec.get("headers") or {}, body=spec.get("body"), json_body=spec.get("json"), has_json="json" in spec,
                    delay=spec.get("delay", 0), after=spec.get("after", False), result_info=spec.get("result_info"))
        fault.check()
        fault.method = fault.method.upper()
        fault.headers = {str(k): str(v) for k, v in fault.headers.items()}
        fault.delay = float(fault.delay)
        return fault

    def check(self) -> None:
        """Raise ControlError unless every field has a usable value."""
        problems = [
            (not isinstance(self.method, str) or not self.method, "fault 'method' must be a non-empty string (or '*')"),
            (not isinstance(self.path, str) or not (self.path == "*" or self.path.startswith("/")),
             "fault 'path' must be an exact raw path starting with '/' (without query) or '*'"),
            (not _is_int(self.count) or self.count < 1, "fault 'count' must be an integer >= 1"),
            (self.status is not None and (not _is_int(self.status) or not 100 <= self.status <= 599),
             "fault 'status' must be an integer HTTP status (100-599)"),
            (not isinstance(self.headers, dict) or not all(isinstance(k, str) and isinstance(v, (str, int, float)) for k, v in self.headers.items()),
             "fault 'headers' must be an object of header name to string"),
            (self.body is not None and not isinstance(self.body, str), "fault 'body' must be a string (raw text); use 'json' for a JSON body"),
            (self.body is not None and self.has_json, "give a fault either 'body' or 'json', not both"),
            (isinstance(self.delay, bool) or not isinstance(self.delay, (int, float)) or not 0 <= self.delay <= 3600,
             "fault 'delay' must be a number of seconds between 0 and 3600"),
            (not isinstance(self.after, bool), "fault 'after' must be a boolean"),
            (self.status is None and (self.body is not None or self.has_json or bool(self.headers)),
             "a fault with 'body', 'json' or 'headers' needs a 'status'"),
            (self.result_info is not None and (not isinstance(self.result_info, dict) or self.status is not None),
             "fault 'result_info' must be an object, and it edits the real answer, so it takes no 'status'"),
        ]
        for failed, message in problems:
            if failed:
                raise ControlError(message)
        if self.status is None and not self.delay and self.result_info is None:
            raise ControlError("a fault needs a 'status', a 'delay' > 0 or a 'result_info'")

    def matches(self, method: str, raw_path: str) -> bool:
        """Whether this fault applies to a request."""
        return self.method in ("*", method) and self.path in ("*", raw_path)

    def reply(self) -> Reply:
        """The answer this fault gives instead of the real one."""
        assert self.status is not None
        headers: dict[str, str] = {}
        if self.has_json:
            headers["Content-Type"] = "application/json; charset=utf-8"
            payload = dump_json(self.json_body)
        elif self.body is not None:
            kind = "text/html" if self.body.lstrip().startswith("<") else "text/plain"
            headers["Content-Type"] = f"{kind}; charset=utf-8"
            payload = self.body.encode("utf-8")
        else:
            headers["Content-Type"] = "application/json; charset=utf-8"
            payload = dump_json(envelope(errors=[dict(zip(("code", "message"), default_error_for(self.status)))]) if self.status >= 400 else envelope())
        for name, value in self.headers.items():
            if name.lower() in ("content-length", "transfer-encoding", "connection"):
                continue
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
            headers[name] = value
        return Reply(self.status, payload, headers)

    def edit(self, reply: Reply) -> Reply:
        """The real answer with this fault's keys written over its ``result_info`` (a paginated list that lies)."""
        if self.result_info is None:
            return reply
        answer = json.loads(reply.body)
        answer["result_info"] = dict(answer.get("result_info") or {}, **self.result_info)
        return Reply(reply.status, dump_json(answer), reply.headers)

    def describe(self) -> dict[str, Any]:
        """JSON view of a pending fault."""
        view: dict[str, Any] = {"method": self.method, "path": self.path, "count": self.count, "status": self.status, "headers": self.headers,
                                "delay": self.delay, "after": self.after}
        if self.result_info is not None:
            view["result_info"] = self.result_info
        if self.has_json:
            view["json"] = self.json_body
        elif self.body is not None:
            view["body"] = self.body
        return view


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_rate_limit(text: str) -> dict[str, Any]:
    """Parse ``N/SECONDS`` or ``N/SECONDS/LOCKOUT`` into a rate_limit config value."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?)\s*)?", text)
    if not match or float(match.group(2)) <= 0:
        raise ValueError(f"rate limit must look like N/SECONDS or N/SECONDS/LOCKOUT with SECONDS > 0, got {text!r}")
    limit = {"requests": int(match.group(1)), "period": _number(float(match.group(2)))}
    if match.group(3) is not None and float(match.group(3)) > 0:
        limit["lockout"] = _number(float(match.group(3)))
    return limit


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def validate_config(update: Any) -> dict[str, Any]:
    """Check a config update and return it normalised, raising ControlError when malformed."""
    if not isinstance(update, dict):
        raise ControlError("config must be a JSON object")
    unknown = set(update) - CONFIG_KEYS
    if unknown:
        raise ControlError(f"unknown config keys: {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(CONFIG_KEYS))})")
    clean: dict[str, Any] = {}
    if "absent_mapping" in update:
        value = update["absent_mapping"]
        value = "null" if value is None else str(value)
        if value not in ("404", "null"):
            raise ControlError("absent_mapping must be \"404\" or \"null\"")
        clean["absent_mapping"] = value
    if "rotate_token" in update:
        if not isinstance(update["rotate_token"], bool):
            raise ControlError("rotate_token must be a boolean")
        clean["rotate_token"] = update["rotate_token"]
    if "rate_limit" in update:
        limit = update["rate_limit"]
        if not isinstance(limit, dict) or not {"requests", "period"} <= set(limit) <= {"requests", "period", "lockout"}:
            raise ControlError("rate_limit must be an object {\"requests\": N, \"period\": SECONDS} with an optional"
                               " \"lockout\": SECONDS")
        requests, period = limit["requests"], limit["period"]
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 0:
            raise ControlError("rate_limit.requests must be an integer >= 0 (0 disables the limit)")
        if isinstance(period, bool) or not isinstance(period, (int, float)) or period <= 0:
            raise ControlError("rate_limit.period must be a number of seconds > 0")
        clean["rate_limit"] = {"requests": requests, "period": period}
        lockout = limit.get("lockout", 0)
        if isinstance(lockout, bool) or not isinstance(lockout, (int, float)) or lockout < 0:
            raise ControlError("rate_limit.lockout must be a number of seconds >= 0 (0: no lockout)")
        if lockout:
            clean["rate_limit"]["lockout"] = lockout
    return clean


def pattern_problem(regex: str, max_match_bytes: int | None) -> str | None:
    """Why Cloudflare would refuse this regex, or None. ``max_match_bytes`` None means no length limit."""
    try:
        re.compile(regex)
        # Python's own parser gives the syntax tree and the longest match; re._parser is private but stable since 3.11.
        parsed = re_parser.parse(regex)
    except (re.error, OverflowError, RecursionError) as exc:
        return f"it does not compile: {exc}"
    unsupported = unsupported_regex_syntax(parsed)
    if unsupported:
        return f"it uses {unsupported}, which Rust's regex does not support"
    if max_match_bytes is None:
        return None
    longest = parsed.getwidth()[1]
    if longest >= re_constants.MAXREPEAT:
        return "it can match an unbounded string (*, + or {n,}); bound it with a range such as {1,100}"
    if longest * 4 > max_match_bytes:
        return f"it can match {longest} characters, up to {longest * 4} bytes, more than the limit of {max_match_bytes}"
    return None


def unsupported_regex_syntax(parsed: Any) -> str | None:
    """The first construct of a parsed regex (a re._parser.SubPattern or any tuple or list holding some) that Rust's
    regex lacks, or None."""
    if isinstance(parsed, re_parser.SubPattern):
        for op, argument in parsed:
            found = UNSUPPORTED_REGEX_OPS.get(str(op)) or unsupported_regex_syntax(argument)
            if found:
                return found
    elif isinstance(parsed, (tuple, list)):
        for item in parsed:
            found = unsupported_regex_syntax(item)
            if found:
                return found
    return None


def predefined_entry_id(profile_id: str, name: str) -> str:
    """The stable ID of a predefined entry."""
    return str(uuid.uuid5(uuid.UUID(profile_id), name))


def default_predefined_settings(profile_id: str) -> dict[str, Any]:
    """The settings of a predefined profile that an account never changed: every entry enabled."""
    names = next(entries for known_id, _name, entries in PREDEFINED_PROFILES if known_id == profile_id)
    return dict(PROFILE_SETTINGS, enabled_entries=[predefined_entry_id(profile_id, name) for name in names])


def predefined_profiles(settings: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The predefined profiles, as the SDK's PredefinedProfile, with an account's settings by profile ID."""
    profiles = []
    for profile_id, name, entry_names in PREDEFINED_PROFILES:
        current = (settings or {}).get(profile_id) or default_predefined_settings(profile_id)
        entries = []
        for entry in entry_names:
            entry_id = predefined_entry_id(profile_id, entry)
            entries.append({"id": entry_id, "name": entry, "type": "predefined", "enabled": entry_id in current["enabled_entries"],
                            "profile_id": profile_id, "confidence": {"ai_context_available": False, "available": True}})
        profiles.append({"id": profile_id, "name": name, "type": "predefined", **{key: current[key] for key in PROFILE_SETTINGS},
                         "open_access": False, "entries": entries})
    return profiles


def predefined_config(profile: dict[str, Any]) -> dict[str, Any]:
    """A predefined profile's config (GET and PUT .../config), as the SDK's profiles.PredefinedProfile."""
    config = {key: value for key, value in profile.items() if key != "type"}
    config["enabled_entries"] = [entry["id"] for entry in profile["entries"] if entry["enabled"]]
    return config


def profile_settings(payload: dict[str, Any]) -> dict[str, Any] | str:
    """The settings a write sets (absent or null: the defaults), or why they are invalid."""
    settings = {key: default if payload.get(key) is None else payload[key] for key, default in PROFILE_SETTINGS.items()}
    if settings["confidence_threshold"] not in CONFIDENCE_LEVELS:
        return f"Invalid confidence_threshold {settings['confidence_threshold']!r}: must be one of {', '.join(CONFIDENCE_LEVELS)}"
    return settings


def custom_entry(fields: dict[str, Any], profile_id: str) -> dict[str, Any]:
    """A new custom (regex) or word-list entry of a custom profile, from a request body's entry."""
    stamp = now_rfc3339()
    entry = {"id": str(uuid.uuid4()), "name": fields["name"], "enabled": fields["enabled"], "profile_id": profile_id,
             "created_at": stamp, "updated_at": stamp}
    if "pattern" in fields:
        entry.update(type="custom", pattern=copy.deepcopy(fields["pattern"]), description=fields.get("description"))
    else:
        entry.update(type="word_list", word_list=list(fields["words"]))
    return entry


def profile_not_found() -> Reply:
    """404 for a profile the account does not have (or not of the kind the path names)."""
    return fail(404, (CODE_PROFILE_NOT_FOUND, "DLP profile not found"))


def entry_not_found() -> Reply:
    """404 for an entry the account does not have."""
    return fail(404, (CODE_ENTRY_NOT_FOUND, "DLP entry not found"))


def unknown_entry(entry_id: str, pointer: str) -> dict[str, Any]:
    """The error object for an entry ID that a body names but the profile (or account) does not have."""
    return {"code": CODE_UNKNOWN_ENTRY, "message": f"Entry {entry_id} not found", "source": {"pointer": pointer}}


def entry_pattern_problem(fields: dict[str, Any], pointer: str) -> dict[str, Any] | None:
    """The error object for an entry whose regex Cloudflare would refuse (with the default length limit), or None."""
    if "pattern" not in fields:
        return None
    problem = pattern_problem(fields["pattern"]["regex"], DEFAULT_MAX_MATCH_BYTES)
    if problem is None:
        return None
    return {"code": CODE_INVALID_PATTERN, "message": f"Invalid regex in entry {fields['name']!r}: {problem}",
            "source": {"pointer": pointer + "/pattern/regex"}}


def entries_pattern_problems(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The error objects for the entries of a profile body whose regex Cloudflare would refuse."""
    problems = [entry_pattern_problem(fields, f"/entries/{index}") for index, fields in enumerate(entries)]
    return [problem for problem in problems if problem is not None]


def seeded_profile(spec: Any) -> dict[str, Any]:
    """A custom or integration profile (the SDK's CustomProfile or IntegrationProfile) from a seed that needs only a
    name; a full profile (a state file read back) stays as it is. Raises ControlError when malformed."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise ControlError("a profile must be an object with a non-empty string 'name'")
    kind = spec.get("type", "custom")
    if kind not in SEEDED_PROFILE_TYPES:
        raise ControlError(f"a seeded profile's 'type' must be one of {', '.join(SEEDED_PROFILE_TYPES)} (every account has the predefined ones)")
    profile_id = spec.get("id", str(uuid.uuid4()))
    if not isinstance(profile_id, str) or not UUID_RE.fullmatch(profile_id):
        raise ControlError(f"a profile's 'id' must be a UUID, got {profile_id!r}")
    stamp = now_rfc3339()
    profile = {"id": profile_id, "name": spec["name"], "type": kind, "description": spec.get("description"), "created_at": stamp,
               "updated_at": stamp, "entries": []}
    if kind == "custom":
        profile.update(PROFILE_SETTINGS, shared_entries=[])
    else:
        profile.update(integration_id=str(uuid.uuid5(uuid.UUID(profile_id), "integration")), shared_entries=[])
    profile.update(copy.deepcopy(spec))
    return profile


def seeded_profiles(specs: Any, where: str) -> list[dict[str, Any]]:
    """Seeded profiles from a list of seeds, with IDs unique among themselves and the predefined ones."""
    if not isinstance(specs, list):
        raise ControlError(f"{where} must be a list of profiles")
    profiles = [seeded_profile(spec) for spec in specs]
    seen = {profile_id for profile_id, _name, _entries in PREDEFINED_PROFILES}
    for profile in profiles:
        if profile["id"].lower() in seen:
            raise ControlError(f"duplicate profile id {profile['id']!r} in {where}")
        seen.add(profile["id"].lower())
    return profiles


def validate_visible_accounts(accounts: Any) -> list[dict[str, Any]]:
    """Check the list of accounts GET /accounts shows and return it with created_on and settings filled in."""
    if not isinstance(accounts, list):
        raise ControlError("visible accounts must be a list of {\"id\", \"name\", \"type\", ...} objects")
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for account in accounts:
        if not isinstance(account, dict) or set(account) - ACCOUNT_KEYS:
            raise ControlError(f"every visible account must be an object with keys among {', '.join(sorted(ACCOUNT_KEYS))}")
        if not isinstance(account.get("id"), str) or not ACCOUNT_RE.fullmatch(account["id"]) or account["id"] in seen:
            raise ControlError(f"visible account id must be 32 lower-case hex characters, and unique: {account.get('id')!r}")
        if not isinstance(account.get("name"), str) or account.get("type") not in ACCOUNT_TYPES:
            raise ControlError(f"visible account {account['id']} needs a string 'name' and a 'type' of {' or '.join(ACCOUNT_TYPES)}")
        for key in ("settings", "managed_by"):
            if key in account and not isinstance(account[key], dict):
                raise ControlError(f"visible account {account['id']}: {key!r} must be an object")
        seen.add(account["id"])
        clean.append({"created_on": now_rfc3339(), "settings": {"abuse_contact_email": None, "enforce_twofactor": False},
                      **copy.deepcopy(account)})
    return clean


def page_query(query: str) -> tuple[int, int] | str:
    """(page, per_page) from a query string, or the reason they are invalid."""
    params = parse_qs(query, keep_blank_values=True)
    values = []
    for name, default, low, high in (("page", 1, 1, None), ("per_page", DEFAULT_PER_PAGE, *PER_PAGE_RANGE)):
        text = params.get(name, [str(default)])[-1]
        if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
            allowed = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
            return f"Invalid query parameter {name}={text!r}: must be {allowed}"
        values.append(int(text))
    return values[0], values[1]


def validate_state(state: Any) -> dict[str, Any]:
    """Check a whole state document and return its accounts, raising ControlError when malformed."""
    if not isinstance(state, dict) or set(state) - {"accounts"}:
        raise ControlError("state must be an object {\"accounts\": {account_id: {\"mapping\": {...} | null, \"rules\": [...],"
                           " \"profiles\": [...] (optional)}}}")
    accounts = state.get("accounts", {})
    if not isinstance(accounts, dict):
        raise ControlError("state.accounts must be an object keyed by account ID")
    clean: dict[str, Any] = {}
    for account_id, account in accounts.items():
        if not isinstance(account, dict) or set(account) - {"mapping", "rules", "profiles", "predefined"}:
            raise ControlError(f"state.accounts[{account_id!r}] must be an object with 'mapping', 'rules' and optionally 'profiles' and 'predefined'")
        mapping = account.get("mapping")
        rules = account.get("rules", [])
        if mapping is not None and not isinstance(mapping, dict):
            raise ControlError(f"state.accounts[{account_id!r}].mapping must be an object or null")
        if not isinstance(rules, list):
            raise ControlError(f"state.accounts[{account_id!r}].rules must be a list")
        seen: set[str] = set()
        for rule in rules:
            if not isinstance(rule, dict) or not isinstance(rule.get("rule_id"), str):
                raise ControlError(f"every rule of account {account_id!r} must be an object with a string 'rule_id'")
            if rule["rule_id"].lower() in seen:
                raise ControlError(f"duplicate rule_id {rule['rule_id']!r} in account {account_id!r}")
            seen.add(rule["rule_id"].lower())
        clean[account_id] = {"mapping": copy.deepcopy(mapping), "rules": copy.deepcopy(rules)}
        if "profiles" in account:
            clean[account_id]["profiles"] = seeded_profiles(account["profiles"], f"state.accounts[{account_id!r}].profiles")
        if "predefined" in account:
            clean[account_id]["predefined"] = predefined_settings(account["predefined"], f"state.accounts[{account_id!r}].predefined")
    return clean


def predefined_settings(settings: Any, where: str) -> dict[str, Any]:
    """An account's settings of predefined profiles, by profile ID, each with the defaults filled in."""
    known = [profile_id for profile_id, _name, _entries in PREDEFINED_PROFILES]
    if not isinstance(settings, dict) or set(settings) - set(known) or not all(isinstance(value, dict) for value in settings.values()):
        raise ControlError(f"{where} must be an object of predefined profile ID ({', '.join(known)}) to settings")
    return {profile_id: dict(default_predefined_settings(profile_id), **copy.deepcopy(value)) for profile_id, value in settings.items()}


class Backend:  # pylint: disable=too-many-instance-attributes
    """All emulator state and request handling, independent of the HTTP plumbing."""

    def __init__(self, tokens: list[str], key_pairs: list[tuple[str, str]], config: dict[str, Any], state_file: Path | None = None):
        self.lock = threading.RLock()
        self.tokens = set(tokens)
        self.key_pairs = {(email.lower(), key) for email, key in key_pairs}
        self.start_config = copy.deepcopy(config)
        self.config = copy.deepcopy(config)
        self.state_file = state_file
        self.validator = BodyValidator(load_schema_documents())
        self.accounts: dict[str, dict[str, Any]] = {}
        self.visible_accounts: list[dict[str, Any]] = []
        self.request_log: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.windows: dict[str, deque[float]] = {}
        self.locked_until: dict[str, float] = {}  # per credential, during a lockout
        self.lockout_count = 0
        if state_file is not None and state_file.exists():
            with state_file.open(encoding="utf-8") as handle:
                self.accounts = validate_state(json.load(handle))

    # ----- persistence -------------------------------------------------
    def state_view(self) -> dict[str, Any]:
        """The whole state as the control endpoint shows it."""
        with self.lock:
            return {"accounts": copy.deepcopy(self.accounts)}

    def _save(self) -> None:
        if self.state_file is None:
            return
        data = json.dumps(self.state_view(), indent=2, sort_keys=True) + "\n"
        directory = self.state_file.parent
        fd, tmp = tempfile.mkstemp(prefix=".cf-emulator-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(tmp, self.state_file)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    # ----- API ---------------------------------------------------------
    def handle_api(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        """Answer one API request: log it, apply any fault, else process it."""
        raw_path, _sep, query = target.partition("?")
        entry = {"method": method, "path": raw_path, "query": query, "headers": self._log_headers(headers), "body": self._log_body(body),
                 "status": None}
        with self.lock:
            self.request_log.append(entry)
            fault = self._take_fault(method, raw_path)
        if fault is None:
            reply = self._process(method, raw_path, headers, body, query)
        elif fault.after:
            reply = self._process(method, raw_path, headers, body, query)
            time.sleep(fault.delay)
            if fault.status is not None:
                reply = fault.reply()
        else:
            time.sleep(fault.delay)
            reply = fault.reply() if fault.status is not None else fault.edit(self._process(method, raw_path, headers, body, query))
        with self.lock:
            entry["status"] = reply.status
        return reply

    @staticmethod
    def _log_headers(headers: Any) -> dict[str, str]:
        logged: dict[str, str] = {}
        for name, value in headers.items():
            key = name.lower()
            value = "REDACTED" if key in REDACTED_HEADERS else value
            logged[key] = f"{logged[key]}, {value}" if key in logged else value
        return logged

    @staticmethod
    def _log_body(body: bytes) -> Any:
        if not body:
            return None
        text = body.decode("utf-8", errors="replace")
        try:
            return parse_json(text)
        except ValueError:
            return text

    def _take_fault(self, method: str, raw_path: str) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.matches(method, raw_path):
                fault.count -= 1
                if fault.count <= 0:
                    del self.faults[index]
                return fault
        return None

    def _process(self, method: str, raw_path: str, headers: Any, body: bytes, query: str = "") -> Reply:
        try:
            return self._process_checked(method, raw_path, headers, body, query)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            return fail(500, (CODE_INTERNAL, f"Internal emulator error: {exc.__class__.__name__}: {exc}"))

    @staticmethod
    def match_route(method: str, raw_path: str) -> tuple[str, str, str | None] | None:
        """(kind, account segment, ID segment) for a known route and method, else None."""
        if raw_path == ACCOUNTS_PATH:
            return ("accounts", "", None) if method == "GET" else None
        parts = raw_path.split("/")
        if len(parts) < 7 or parts[:4] != ["", "client", "v4", "accounts"] or parts[5] != "dlp":
            return None
        rest = parts[6:]
        for pattern, kind, methods in DLP_ROUTES:
            segments = pattern.split("/")
            if method in methods and len(segments) == len(rest) and all(
                    segment == part or (segment == "{id}" and part) for segment, part in zip(segments, rest)):
                return kind, parts[4], rest[segments.index("{id}")] if "{id}" in segments else None
        return None

    def _process_checked(self, method: str, raw_path: str, headers: Any, body: bytes, query: str = "") -> Reply:
        route = self.match_route(method, raw_path)
        if route is None:
            return fail(404, (CODE_NO_ROUTE, MSG_NO_ROUTE))
        credential, problem = self._authenticate(headers)
        if problem is not None:
            return problem
        limited, rate_headers = self._rate_limit(credential)
        reply = limited or self._answer(method, raw_path, route, body, query)
        reply.headers.update(rate_headers)
        return reply

    def _answer(self, method: str, raw_path: str, route: tuple[str, str, str | None], body: bytes, query: str) -> Reply:
        kind, account_id, item_id = route
        if kind == "accounts":
            return self._op_accounts_get(query)
        if not ACCOUNT_RE.fullmatch(account_id) or (item_id is not None and not UUID_RE.fullmatch(item_id)):
            return fail(404, (CODE_BAD_IDENTIFIER, f"Could not route to {raw_path[len(API_PREFIX):]}, perhaps your object identifier is invalid?"),
                        (CODE_NO_ROUTE, MSG_NO_ROUTE))
        if kind == "profiles":
            return self._list_profiles(account_id, query)
        payload, problem = self._parse_body(BODY_SCHEMAS.get((kind, method)), body)
        if problem is not None:
            return problem
        handler = getattr(self, f"_op_{kind}_{method.lower()}")
        with self.lock:
            return handler(account_id, item_id.lower() if item_id else None, payload)

    def _parse_body(self, schema: tuple[str, str] | None, body: bytes) -> tuple[Any, Reply | None]:
        """The parsed, schema-valid request body, or the 400 answer explaining why not."""
        if schema is None:
            return None, None
        try:
            if not body.strip():
                raise ValueError("the request body is empty")
            payload = parse_json(body.decode("utf-8"))
        except ValueError as exc:
            return None, fail(400, (CODE_INVALID_JSON, f"Request body is not valid JSON: {exc}"))
        errors = self.validator.errors(schema, payload)
        if errors:
            return None, Reply.json(400, envelope(errors=errors))
        return payload, None

    def _authenticate(self, headers: Any) -> tuple[str | None, Reply | None]:
        authorization = (headers.get("Authorization") or "").strip()
        email = (headers.get("X-Auth-Email") or "").strip()
        key = (headers.get("X-Auth-Key") or "").strip()
        if authorization:
            match = BEARER_RE.fullmatch(authorization)
            if match is None:
                error = {"code": CODE_BAD_HEADERS, "message": "Invalid request headers",
                         "error_chain": [{"code": CODE_BAD_AUTHORIZATION, "message": "Invalid format for Authorization header"}]}
                return None, Reply.json(400, envelope(errors=[error]))
            if match.group(1) in self.tokens:
                return "token:" + match.group(1), None
            return None, fail(403, (CODE_AUTH_ERROR, "Authentication error"))
        if email and key:
            if (email.lower(), key) in self.key_pairs:
                return f"key:{email.lower()}:{key}", None
            return None, fail(403, (CODE_AUTH_ERROR, "Authentication error"))
        return None, fail(400, (CODE_MISSING_AUTH, "Missing X-Auth-Key, X-Auth-Email or Authorization headers"))

    def _rate_limit(self, credential: str | None) -> tuple[Reply | None, dict[str, str]]:
        """Cloudflare's limit: at most N requests per W seconds per credential (a sliding window). With a lockout L,
        a request past it locks the credential out for L seconds, during which every request answers 429. Returns
        the 429 answer (or None) and the rate-limit headers that every answer of the credential carries."""
        with self.lock:
            limit = self.config["rate_limit"]
            requests, period, lockout = limit["requests"], float(limit["period"]), float(limit.get("lockout", 0))
            if requests <= 0 or credential is None:
                return None, {}
            now = time.monotonic()
            window = self.windows.setdefault(credential, deque())
            while window and window[0] <= now - period:
                window.popleft()
            policy = f'"default";q={requests};w={period:g}'
            if self.locked_until.get(credential, 0) <= now and len(window) >= requests and lockout:
                self.locked_until[credential] = now + lockout
                self.lockout_count += 1
            if self.locked_until.get(credential, 0) > now:
                retry_after = max(1, math.ceil(self.locked_until[credential] - now))
            elif len(window) >= requests:
                retry_after = max(1, math.ceil(window[len(window) - requests] + period - now))
            else:
                window.append(now)
                reset = max(0, math.ceil(window[0] + period - now))
                return None, {"Ratelimit": f'"default";r={requests - len(window)};t={reset}', "Ratelimit-Policy": policy}
            headers = {"Ratelimit": f'"default";r=0;t={retry_after}', "Ratelimit-Policy": policy, "Retry-After": str(retry_after)}
            return fail(429, (CODE_RATE_LIMITED, MSG_RATE_LIMITED), headers=dict(headers)), headers

    # ----- operations (called with the lock held) -----------------------
    def _account(self, account_id: str) -> dict[str, Any]:
        return self.accounts.setdefault(account_id, {"mapping": None, "rules": []})

    def _find_rule(self, account_id: str, rule_id: str) -> dict[str, Any] | None:
        for rule in self.accounts.get(account_id, {}).get("rules", []):
            if str(rule.get("rule_id", "")).lower() == rule_id:
                return rule
        return None

    def _op_accounts_get(self, query: str) -> Reply:
        """One page of the visible accounts, with Cloudflare's result_info."""
        paging = page_query(query)
        if isinstance(paging, str):
            return fail(400, (CODE_BAD_QUERY, paging))
        page, per_page = paging
        with self.lock:
            accounts = copy.deepcopy(self.visible_accounts)
        shown = accounts[(page - 1) * per_page:page * per_page]
        info = {"page": page, "per_page": per_page, "count": len(shown), "total_count": len(accounts),
                "total_pages": math.ceil(len(accounts) / per_page)}
        return Reply.json(200, dict(envelope(shown), result_info=info))

    def _op_mapping_get(self, account_id: str, _rule_id: None, _payload: None) -> Reply:
        mapping = self.accounts.get(account_id, {}).get("mapping")
        if mapping is None:
            if self.config["absent_mapping"] == "null":
                return ok(None)
            return fail(404, (CODE_MAPPING_NOT_FOUND, "Account mapping not found"))
        return ok(mapping)

    def _op_mapping_post(self, account_id: str, _rule_id: None, payload: dict[str, Any]) -> Reply:
        account = self._account(account_id)
        previous = account["mapping"]
        token = previous.get("addin_identifier_token") if previous and not self.config["rotate_token"] else None
        account["mapping"] = {"addin_identifier_token": token or str(uuid.uuid4()), "auth_requirements": payload["auth_requirements"]}
        self._save()
        return ok(account["mapping"])

    def _op_rules_get(self, account_id: str, _rule_id: None, _payload: None) -> Reply:
        return ok(self.accounts.get(account_id, {}).get("rules", []))

    @staticmethod
    def _rule_fields(payload: dict[str, Any]) -> dict[str, Any]:
        action = payload["action"]
        return {
            "name": payload["name"],
            "description": payload.get("description"),
            "enabled": payload["enabled"],
            "conditions": [{"selector": c["selector"], "operator": c["operator"], "value": c["value"]} for c in payload["conditions"]],
            "action": {"action": action["action"], "message": action.get("message")},
        }

    def _op_rules_post(self, account_id: str, _rule_id: None, payload: dict[str, Any]) -> Reply:
        account = self._account(account_id)
        priorities = [r["priority"] for r in account["rules"] if isinstance(r.get("priority"), int) and not isinstance(r.get("priority"), bool)]
        stamp = now_rfc3339()
        rule = {"rule_id": str(uuid.uuid4()), **self._rule_fields(payload), "priority": max(priorities) + 1 if priorities else 0,
                "created_at": stamp, "updated_at": stamp}
        account["rules"].append(rule)
        self._save()
        return ok(rule)

    def _op_rules_patch(self, account_id: str, _rule_id: None, payload: dict[str, Any]) -> Reply:
        new_priorities: dict[str, int] = payload["new_priorities"]
        if not new_priorities:
            return fail(400, (CODE_EMPTY_PRIORITIES, "new_priorities must name at least one rule"))
        found = {rule_id: self._find_rule(account_id, rule_id.lower()) for rule_id in new_priorities}
        unknown = [rule_id for rule_id, rule in found.items() if rule is None]
        if unknown:
            return fail(400, *[(CODE_UNKNOWN_PRIORITY_RULE, f"Rule not found: {rule_id}") for rule_id in unknown])
        stamp = now_rfc3339()
        for rule_id, priority in new_priorities.items():
            found[rule_id]["priority"] = priority
            found[rule_id]["updated_at"] = stamp
        self._save()
        return ok(found[next(iter(new_priorities))])

    def _list_profiles(self, account_id: str, query: str) -> Reply:
        """GET /accounts/{id}/dlp/profiles: the predefined profiles, then the seeded ones. Its one query parameter,
        ``all`` (also profiles the account is not entitled to), changes nothing: every account has every predefined one."""
        for value in parse_qs(query, keep_blank_values=True).get("all", []):
            if value not in ("true", "false"):
                return fail(400, (CODE_BAD_QUERY, f"Invalid query parameter all={value!r}: must be true or false"))
        with self.lock:
            return ok(self._all_profiles(account_id))

    # ----- DLP profiles and entries (called with the lock held) ----------
    def _profiles(self, account_id: str) -> list[dict[str, Any]]:
        """The account's stored profiles: custom (made through the API or seeded) and integration (seeded)."""
        return self.accounts.get(account_id, {}).get("profiles", [])

    def _all_profiles(self, account_id: str) -> list[dict[str, Any]]:
        """Every profile of the account: the predefined ones with its settings (copies), then the stored ones."""
        return predefined_profiles(self.accounts.get(account_id, {}).get("predefined")) + self._profiles(account_id)

    def _find_profile(self, account_id: str, profile_id: str, kind: str | None = None) -> dict[str, Any] | None:
        for profile in self._all_profiles(account_id):
            if str(profile.get("id", "")).lower() == profile_id.lower() and kind in (None, profile.get("type")):
                return profile
        return None

    def _find_entry(self, account_id: str, entry_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(entry, the profile that owns it), or (None, None)."""
        for profile in self._all_profiles(account_id):
            for entry in profile.get("entries", []):
                if str(entry.get("id", "")).lower() == entry_id.lower():
                    return entry, profile
        return None, None

    def _sharing_profiles(self, account_id: str, entry_id: str) -> list[dict[str, Any]]:
        """The stored profiles that share an entry of another profile."""
        return [profile for profile in self._profiles(account_id) if any(shared.get("id") == entry_id for shared in profile.get("shared_entries", []))]

    def _shared_entries(self, account_id: str, references: list[dict[str, Any]], errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entries that {entry_id, enabled} references name, as a profile shows them; unknown IDs go to ``errors``."""
        shared = []
        for index, reference in enumerate(references):
            entry, _owner = self._find_entry(account_id, reference["entry_id"])
            if entry is None:
                errors.append(unknown_entry(reference["entry_id"], f"/shared_entries/{index}/entry_id"))
            else:
                shared.append(dict(copy.deepcopy(entry), enabled=reference["enabled"]))
        return shared

    def _op_custom_profiles_get(self, account_id: str, _item_id: None, _payload: None) -> Reply:
        return ok([profile for profile in self._profiles(account_id) if profile.get("type") == "custom"])

    def _op_custom_profiles_post(self, account_id: str, _item_id: None, payload: dict[str, Any]) -> Reply:
        settings = profile_settings(payload)
        if isinstance(settings, str):
            return fail(400, (CODE_BAD_CONFIDENCE, settings))
        errors = entries_pattern_problems(payload.get("entries", []))
        shared = self._shared_entries(account_id, payload.get("shared_entries", []), errors)
        if errors:
            return Reply.json(400, envelope(errors=errors))
        stamp = now_rfc3339()
        profile_id = str(uuid.uuid4())
        profile = {"id": profile_id, "name": payload["name"], "description": payload.get("description"), "type": "custom", **settings,
                   "entries": [custom_entry(fields, profile_id) for fields in payload.get("entries", [])], "shared_entries": shared,
                   **{key: copy.deepcopy(payload.get(key) or []) for key in KEPT_WHEN_OMITTED}, "created_at": stamp, "updated_at": stamp}
        if "context_awareness" in payload:
            profile["context_awareness"] = copy.deepcopy(payload["context_awareness"])
        self._account(account_id).setdefault("profiles", []).append(profile)
        self._save()
        return ok(profile)

    def _op_custom_profile_get(self, account_id: str, profile_id: str, _payload: None) -> Reply:
        profile = self._find_profile(account_id, profile_id, "custom")
        return ok(profile) if profile is not None else profile_not_found()

    def _op_custom_profile_put(self, account_id: str, profile_id: str, payload: dict[str, Any]) -> Reply:
        """Replaces the profile's fields: omitted settings, description, shared entries and context awareness are reset; omitted
        entries, data classes, data tags and sensitivity levels stay. Listed entries are the whole set of its regex entries."""
        profile = self._find_profile(account_id, profile_id, "custom")
        if profile is None:
            return profile_not_found()
        settings = profile_settings(payload)
        if isinstance(settings, str):
            return fail(400, (CODE_BAD_CONFIDENCE, settings))
        errors = entries_pattern_problems(payload.get("entries") or [])
        entries = self._replaced_entries(profile, payload["entries"], errors) if payload.get("entries") is not None else profile.get("entries", [])
        shared = self._shared_entries(account_id, payload.get("shared_entries", []), errors)
        if errors:
            return Reply.json(400, envelope(errors=errors))
        profile.update(name=payload["name"], description=payload.get("description"), entries=entries, shared_entries=shared, updated_at=now_rfc3339(),
                       **settings)
        profile.update({key: copy.deepcopy(payload[key] or []) for key in KEPT_WHEN_OMITTED if key in payload})
        profile.pop("context_awareness", None)
        if "context_awareness" in payload:
            profile["context_awareness"] = copy.deepcopy(payload["context_awareness"])
        self._save()
        return ok(profile)

    @staticmethod
    def _replaced_entries(profile: dict[str, Any], listed: list[dict[str, Any]], errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A custom profile's entries after a PUT that lists its regex entries: those with an entry_id of the profile are
        updated, the others created, unlisted regex entries dropped; other kinds of entries stay."""
        own = {str(entry.get("id", "")).lower(): entry for entry in profile.get("entries", []) if entry.get("type") == "custom"}
        replaced = [entry for entry in profile.get("entries", []) if entry.get("type") != "custom"]
        for index, fields in enumerate(listed):
            if "entry_id" not in fields:
                replaced.append(custom_entry(fields, profile["id"]))
            elif fields["entry_id"].lower() in own:
                entry = copy.deepcopy(own[fields["entry_id"].lower()])
                entry.update(name=fields["name"], enabled=fields["enabled"], pattern=copy.deepcopy(fields["pattern"]),
                             description=fields.get("description"), updated_at=now_rfc3339())
                replaced.append(entry)
            else:
                errors.append(unknown_entry(fields["entry_id"], f"/entries/{index}/entry_id"))
        return replaced

    def _op_custom_profile_delete(self, account_id: str, profile_id: str, _payload: None) -> Reply:
        profile = self._find_profile(account_id, profile_id, "custom")
        if profile is None:
            return profile_not_found()
        self._profiles(account_id).remove(profile)
        for entry in profile.get("entries", []):
            self._unshare(account_id, entry.get("id"))
        self._save()
        return ok(None)

    def _unshare(self, account_id: str, entry_id: Any) -> None:
        for profile in self._sharing_profiles(account_id, entry_id):
            profile["shared_entries"] = [shared for shared in profile["shared_entries"] if shared.get("id") != entry_id]

    def _op_profile_get(self, account_id: str, profile_id: str, _payload: None) -> Reply:
        profile = self._find_profile(account_id, profile_id)
        return ok(profile) if profile is not None else profile_not_found()

    def _op_predefined_profile_get(self, account_id: str, profile_id: str, _payload: None) -> Reply:
        profile = self._find_profile(account_id, profile_id, "predefined")
        return ok(profile) if profile is not None else profile_not_found()

    def _op_predefined_profile_put(self, account_id: str, profile_id: str, payload: dict[str, Any]) -> Reply:
        """The deprecated update: settings, and the entries it lists ({id, enabled}) switched on or off."""
        return self._write_predefined(account_id, profile_id, payload, keep_enabled=True, answer=lambda profile: profile)

    def _op_predefined_config_get(self, account_id: str, profile_id: str, _payload: None) -> Reply:
        profile = self._find_profile(account_id, profile_id, "predefined")
        return ok(predefined_config(profile)) if profile is not None else profile_not_found()

    def _op_predefined_config_put(self, account_id: str, profile_id: str, payload: dict[str, Any]) -> Reply:
        """Settings, and exactly the entries of enabled_entries enabled (none when it is omitted or null), then the
        deprecated entries ({id, enabled}) applied on top."""
        return self._write_predefined(account_id, profile_id, payload, keep_enabled=False, answer=predefined_config)

    def _write_predefined(self, account_id: str, profile_id: str, payload: dict[str, Any], keep_enabled: bool, answer: Any) -> Reply:
        profile = self._find_profile(account_id, profile_id, "predefined")
        if profile is None:
            return profile_not_found()
        settings = profile_settings(payload)
        if isinstance(settings, str):
            return fail(400, (CODE_BAD_CONFIDENCE, settings))
        known = {entry["id"]: entry for entry in profile["entries"]}
        enabled = {entry_id for entry_id, entry in known.items() if entry["enabled"]} if keep_enabled else set()
        switches = [(entry_id, True) for entry_id in payload.get("enabled_entries") or []]
        switches += [(item["id"], item["enabled"]) for item in payload.get("entries", [])]
        unknown = [entry_id for entry_id, _on in switches if entry_id.lower() not in known]
        if unknown:
            return fail(400, *[(CODE_UNKNOWN_ENTRY, f"Entry {entry_id} is not an entry of the profile {profile['name']}") for entry_id in unknown])
        for entry_id, switch_on in switches:
            if switch_on:
                enabled.add(entry_id.lower())
            else:
                enabled.discard(entry_id.lower())
        self._store_predefined(account_id, profile["id"], settings, enabled)
        return ok(answer(self._find_profile(account_id, profile_id, "predefined")))

    def _store_predefined(self, account_id: str, profile_id: str, settings: dict[str, Any], enabled: set[str]) -> None:
        entries = default_predefined_settings(profile_id)["enabled_entries"]
        stored = self._account(account_id).setdefault("predefined", {})
        stored[profile_id] = dict(settings, enabled_entries=[entry_id for entry_id in entries if entry_id in enabled])
        self._save()

    def _op_entries_post(self, account_id: str, _item_id: None, payload: dict[str, Any]) -> Reply:
        if payload.get("profile_id") is None:
            return fail(400, (CODE_NO_CUSTOM_PROFILE, "profile_id is required: every entry of the emulator belongs to one custom profile"))
        profile = self._find_profile(account_id, payload["profile_id"])
        if profile is None:
            return profile_not_found()
        if profile.get("type") != "custom":
            return fail(400, (CODE_NO_CUSTOM_PROFILE, f"Entries can only be added to custom profiles; {profile['name']} is a {profile.get('type')} profile"))
        problem = entry_pattern_problem(payload, "")
        if problem is not None:
            return Reply.json(400, envelope(errors=[problem]))
        entry = custom_entry(payload, profile["id"])
        profile.setdefault("entries", []).append(entry)
        self._save()
        return ok(entry)

    def _op_custom_entry_put(self, account_id: str, entry_id: str, payload: dict[str, Any]) -> Reply:
        return self._op_entry_put(account_id, entry_id, dict(payload, type="custom"))

    def _op_entry_put(self, account_id: str, entry_id: str, payload: dict[str, Any]) -> Reply:
        """A custom entry takes the body's name, pattern, description (absent: null) and enabled; a predefined or
        integration entry can only be enabled or disabled."""
        entry, profile = self._find_entry(account_id, entry_id)
        if entry is None or profile is None:
            return entry_not_found()
        if entry.get("type") != payload["type"]:
            return fail(400, (CODE_WRONG_ENTRY_TYPE, f"Entry {entry['id']} is a {entry.get('type')} entry, not a {payload['type']} one"))
        if entry["type"] == "predefined":
            enabled = {known["id"] for known in profile["entries"] if known["enabled"] and known["id"] != entry["id"]}
            enabled |= {entry["id"]} if payload["enabled"] else set()
            self._store_predefined(account_id, profile["id"], {key: profile[key] for key in PROFILE_SETTINGS}, enabled)
            return ok(self._find_entry(account_id, entry_id)[0])
        if entry["type"] == "custom":
            problem = entry_pattern_problem(payload, "")
            if problem is not None:
                return Reply.json(400, envelope(errors=[problem]))
            entry.update(name=payload["name"], pattern=copy.deepcopy(payload["pattern"]), description=payload.get("description"))
        entry.update(enabled=payload["enabled"], updated_at=now_rfc3339())
        self._save()
        return ok(entry)

    def _op_entry_get(self, account_id: str, entry_id: str, _payload: None) -> Reply:
        """The entry with the profiles that use it: its own, then those that share it."""
        entry, profile = self._find_entry(account_id, entry_id)
        if entry is None or profile is None:
            return entry_not_found()
        users = [profile] + self._sharing_profiles(account_id, entry["id"])
        return ok(dict(entry, profiles=[{"id": user["id"], "name": user["name"]} for user in users]))

    def _op_entry_delete(self, account_id: str, entry_id: str, _payload: None) -> Reply:
        entry, profile = self._find_entry(account_id, entry_id)
        if entry is None or profile is None:
            return entry_not_found()
        if profile.get("type") != "custom":
            return fail(400, (CODE_WRONG_ENTRY_TYPE, f"Entry {entry['id']} belongs to the {profile.get('type')} profile {profile['name']}:"
                                                     " it can only be disabled"))
        profile["entries"].remove(entry)
        self._unshare(account_id, entry["id"])
        self._save()
        return ok(None)

    def _op_patterns_post(self, _account_id: str, _item_id: None, payload: dict[str, Any]) -> Reply:
        """Valid or not, as Cloudflare documents: an explicit max_match_bytes null lifts the length limit."""
        return ok({"valid": pattern_problem(payload["regex"], payload.get("max_match_bytes", DEFAULT_MAX_MATCH_BYTES)) is None})

    def _op_rule_get(self, account_id: str, rule_id: str, _payload: None) -> Reply:
        rule = self._find_rule(account_id, rule_id)
        return ok(rule) if rule is not None else fail(404, (CODE_RULE_NOT_FOUND, "Email rule not found"))

    def _op_rule_put(self, account_id: str, rule_id: str, payload: dict[str, Any]) -> Reply:
        rule = self._find_rule(account_id, rule_id)
        if rule is None:
            return fail(404, (CODE_RULE_NOT_FOUND, "Email rule not found"))
        rule.update(self._rule_fields(payload))
        rule["updated_at"] = now_rfc3339()
        self._save()
        return ok(rule)

    def _op_rule_delete(self, account_id: str, rule_id: str, _payload: None) -> Reply:
        rule = self._find_rule(account_id, rule_id)
        if rule is None:
            return fail(404, (CODE_RULE_NOT_FOUND, "Email rule not found"))
        self.accounts[account_id]["rules"].remove(rule)
        self._save()
        return ok(rule)

    # ----- control endpoint -------------------------------------------
    def handle_control(self, method: str, target: str, body: bytes) -> Reply:
        """Answer a request under /__emulator__/ (no auth, not logged, not rate limited)."""
        raw_path = target.partition("?")[0]
        name = raw_path[len(CONTROL_PREFIX):].strip("/")
        routes = {
            ("log", "GET"): self._control_log_get, ("log", "DELETE"): self._control_log_delete,
            ("faults", "GET"): self._control_faults_get, ("faults", "POST"): self._control_faults_post,
            ("faults", "DELETE"): self._control_faults_delete,
            ("state", "GET"): self._control_state_get, ("state", "PUT"): self._control_state_put,
            ("config", "GET"): self._control_config_get, ("config", "POST"): self._control_config_post,
            ("reset", "POST"): self._control_reset,
            ("lockouts", "GET"): self._control_lockouts_get,
            ("profiles", "POST"): self._control_profiles_post,
            ("visible_accounts", "GET"): self._control_visible_accounts_get,
            ("visible_accounts", "PUT"): self._control_visible_accounts_put,
        }
        handler = routes.get((name, method))
        if handler is None:
            allowed = sorted(m for (n, m) in routes if n == name)
            if allowed:
                return Reply.json(405, {"error": f"{method} not allowed on {raw_path}; use {', '.join(allowed)}"}, {"Allow": ", ".join(allowed)})
            return Reply.json(404, {"error": f"unknown control endpoint {raw_path}; known: log, faults, state, config, reset, profiles, visible_accounts"})
        payload = None
        if method in ("POST", "PUT") and body.strip():
            try:
                payload = parse_json(body.decode("utf-8"))
            except ValueError as exc:
                return Reply.json(400, {"error": f"request body is not valid JSON: {exc}"})
        try:
            return Reply.json(200, handler(payload))
        except ControlError as exc:
            return Reply.json(400, {"error": str(exc)})
        except Exception as exc:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            return Reply.json(500, {"error": f"{exc.__class__.__name__}: {exc}"})

    def _control_log_get(self, _payload: Any) -> Any:
        with self.lock:
            return copy.deepcopy(self.request_log)

    def _control_log_delete(self, _payload: Any) -> Any:
        with self.lock:
            self.request_log.clear()
        return {"ok": True}

    def _control_faults_get(self, _payload: Any) -> Any:
        with self.lock:
            return [fault.describe() for fault in self.faults]

    def _control_faults_post(self, payload: Any) -> Any:
        if payload is None:
            raise ControlError("POST a fault object (or a list of them) as JSON")
        faults = [Fault.parse(item) for item in (payload if isinstance(payload, list) else [payload])]
        with self.lock:
            self.faults.extend(faults)
            return {"ok": True, "pending": len(self.faults)}

    def _control_faults_delete(self, _payload: Any) -> Any:
        with self.lock:
            self.faults.clear()
        return {"ok": True}

    def _control_state_get(self, _payload: Any) -> Any:
        return self.state_view()

    def _control_state_put(self, payload: Any) -> Any:
        accounts = validate_state(payload)
        with self.lock:
            self.accounts = accounts
            self._save()
            return self.state_view()

    def _control_config_get(self, _payload: Any) -> Any:
        with self.lock:
            return copy.deepcopy(self.config)

    def _control_config_post(self, payload: Any) -> Any:
        update = validate_config(payload if payload is not None else {})
        with self.lock:
            self.config.update(update)
            return copy.deepcopy(self.config)

    def _control_profiles_post(self, payload: Any) -> Any:
        if (not isinstance(payload, dict) or set(payload) != {"account_id", "profiles"} or not isinstance(payload["account_id"], str)
                or not ACCOUNT_RE.fullmatch(payload["account_id"]) or not isinstance(payload["profiles"], list)):
            raise ControlError("POST {\"account_id\": 32 lower-case hex digits, \"profiles\": [{\"name\": ..., \"type\": \"custom\" or \"integration\"}, ...]}")
        with self.lock:
            known = self.accounts.get(payload["account_id"], {}).get("profiles", [])
            profiles = seeded_profiles(known + payload["profiles"], "profiles")
            self._account(payload["account_id"])["profiles"] = profiles
            self._save()
            return profiles[len(known):]

    def _control_visible_accounts_get(self, _payload: Any) -> Any:
        with self.lock:
            return copy.deepcopy(self.visible_accounts)

    def _control_visible_accounts_put(self, payload: Any) -> Any:
        accounts = validate_visible_accounts(payload)
        with self.lock:
            self.visible_accounts = accounts
            return copy.deepcopy(accounts)

    def _control_lockouts_get(self, _payload: Any) -> Any:
        with self.lock:
            return {"count": self.lockout_count}

    def _control_reset(self, _payload: Any) -> Any:
        with self.lock:
            self.accounts = {}
            self.visible_accounts = []
            self.request_log.clear()
            self.faults.clear()
            self.windows.clear()
            self.locked_until.clear()
            self.lockout_count = 0
            self.config = copy.deepcopy(self.start_config)
            self._save()
        return {"ok": True}


class Handler(BaseHTTPRequestHandler):
    """Thin HTTP/1.1 plumbing around the Backend (keep-alive, Content-Length on every answer)."""

    protocol_version = "HTTP/1.1"
    server_version = "cf-emulator"
    sys_version = ""
    server: EmulatorServer

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """GET."""
        self._dispatch()

    def do_HEAD(self) -> None:  # pylint: disable=invalid-name
        """HEAD."""
        self._dispatch()

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        """POST."""
        self._dispatch()

    def do_PUT(self) -> None:  # pylint: disable=invalid-name
        """PUT."""
        self._dispatch()

    def do_PATCH(self) -> None:  # pylint: disable=invalid-name
        """PATCH."""
        self._dispatch()

    def do_DELETE(self) -> None:  # pylint: disable=invalid-name
        """DELETE."""
        self._dispatch()

    def do_OPTIONS(self) -> None:  # pylint: disable=invalid-name
        """OPTIONS."""
        self._dispatch()

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(1024).split(b";")[0].strip()
                size = int(size_line, 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            return None
        return self.rfile.read(int(length))

    def _target(self) -> str:
        target = self.path
        if target.startswith(("http://", "https://")):
            rest = target.split("://", 1)[1]
            target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return target

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            body = None
        if body is None:
            self.close_connection = True
            self._send(fail(400, (CODE_BAD_HEADERS, "Invalid request headers: bad Content-Length or chunked encoding")))
            return
        target = self._target()
        path = target.partition("?")[0]
        backend = self.server.backend
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            reply = backend.handle_control(self.command, target, body)
        else:
            reply = backend.handle_api(self.command, target, self.headers, body)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Access log to stderr, only with --verbose."""
        if self.server.verbose:
            super().log_message(format, *args)


class EmulatorServer(ThreadingHTTPServer):
    """The HTTP server: daemon threads, IPv4 or IPv6, quiet about clients that hang up."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: a fleet run with 20 forks, or a busy machine that is slow to accept,
    # overflows it, and the kernel then drops connections that the client counts as connect timeouts.
    request_queue_size = socket.SOMAXCONN

    def __init__(self, host: str, port: int, backend: Backend, verbose: bool = False):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.backend = backend
        self.verbose = verbose
        super().__init__((host, port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    @property
    def api_url(self) -> str:
        """The API base URL, e.g. http://127.0.0.1:8765/client/v4."""
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}{API_PREFIX}"


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(description="Local emulator of the Cloudflare DLP-email API (a test double, never a replacement).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default: 8765)")
    parser.add_argument("--token", action="append", default=[], help="accepted API token (repeatable)")
    parser.add_argument("--email", help="accepted X-Auth-Email (with --key)")
    parser.add_argument("--key", help="accepted X-Auth-Key (with --email)")
    parser.add_argument("--state-file", type=Path, metavar="PATH", help="load state from this JSON file at start (if it exists) and save it after every write")
    parser.add_argument("--absent-mapping", choices=("404", "null"), default="404", help="answer to GET of an absent mapping (default: 404)")
    parser.add_argument("--rotate-token", action="store_true", help="mint a new addin_identifier_token on every mapping POST")
    parser.add_argument("--rate-limit", default="1200/300", metavar="N/SECONDS[/LOCKOUT]",
                        help="requests per credential per sliding window, and the lockout in seconds after a request past it"
                             " (Cloudflare's: 1200/300/300; default: 1200/300, no lockout; 0/1 disables)")
    parser.add_argument("--url-file", type=Path, metavar="PATH", help="write the API base URL to this file when ready")
    parser.add_argument("--verbose", action="store_true", help="print an access log to stderr")
    return parser


def write_atomically(path: Path, text: str) -> None:
    """Write a small file so that readers never see it half written."""
    fd, tmp = tempfile.mkstemp(prefix=".cf-emulator-", dir=path.resolve().parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until SIGTERM or SIGINT; exit 0 then."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.email is None) != (args.key is None):
        parser.error("--email and --key go together")
    try:
        rate_limit = parse_rate_limit(args.rate_limit)
    except ValueError as exc:
        parser.error(str(exc))
    if args.state_file is not None and not args.state_file.resolve().parent.is_dir():
        parser.error(f"the directory of --state-file {args.state_file} does not exist")
    tokens = list(args.token)
    key_pairs = [(args.email, args.key)] if args.email is not None else []
    if not tokens and not key_pairs:
        tokens, key_pairs = [DEFAULT_TOKEN], [(DEFAULT_EMAIL, DEFAULT_KEY)]
    config = {"absent_mapping": args.absent_mapping, "rotate_token": args.rotate_token, "rate_limit": rate_limit}
    try:
        backend = Backend(tokens, key_pairs, config, state_file=args.state_file)
    except (OSError, ValueError, ControlError) as exc:
        print(f"cf-emulator: cannot load state file {args.state_file}: {exc}", file=sys.stderr)
        return 2
    try:
        server = EmulatorServer(args.host, args.port, backend, verbose=args.verbose)
    except OSError as exc:
        print(f"cf-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="cf-emulator", daemon=True)
    thread.start()
    if args.url_file is not None:
        write_atomically(args.url_file, server.api_url)
    print(f"cf-emulator listening on {server.api_url}", flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
