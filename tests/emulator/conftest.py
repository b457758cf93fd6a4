"""Fixtures for the emulator's own tests: one shared emulator process, reset before each test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from control import Emulator, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

STRAY_ENV_PREFIXES = ("CLOUDFLARE_",)
STRAY_ENV_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def is_stray(name: str) -> bool:
    """Whether an environment variable could redirect or authenticate a client behind the test's back."""
    upper = name.upper()
    return upper.startswith(STRAY_ENV_PREFIXES) or upper in STRAY_ENV_NAMES


def clean_env() -> dict[str, str]:
    """This process's environment without CLOUDFLARE_* and proxy variables."""
    return {name: value for name, value in os.environ.items() if not is_stray(name)}


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if is_stray(name):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared_emulator() -> Emulator:
    """One emulator for the whole session, started with default credentials."""
    emulator = start_emulator(env=clean_env())
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(shared_emulator: Emulator) -> Emulator:  # pylint: disable=redefined-outer-name
    """The shared emulator, reset to a fresh state."""
    shared_emulator.reset()
    return shared_emulator
