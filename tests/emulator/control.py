"""Start the Cloudflare DLP-email emulator in a subprocess and drive its control endpoint (stdlib only).

    from control import start_emulator

    with start_emulator("--rate-limit", "5/10") as emulator:
        emulator.base_url        # http://127.0.0.1:PORT/client/v4
        emulator.add_fault(method="POST", path="*", status=502, after=True)
        emulator.log()           # every API request received, in order
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

EMULATOR_SCRIPT = Path(__file__).resolve().with_name("cf_emulator.py")
READY_PREFIX = "cf-emulator listening on "

DEFAULT_TOKEN = "emulator-token"
DEFAULT_EMAIL = "emulator@example.com"
DEFAULT_KEY = "emulator-key"

# Never send control requests through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control request failed."""


class Emulator:
    """A running emulator process and a client for its control endpoint."""

    def __init__(self, process: subprocess.Popen, base_url: str, stderr_file: Any):
        self.process = process
        self.base_url = base_url
        self.root_url = base_url[: -len("/client/v4")]
        self.control_url = self.root_url + "/__emulator__"
        self._stderr_file = stderr_file
        self._stderr_text = ""

    @property
    def pid(self) -> int:
        """The emulator's process ID."""
        return self.process.pid

    def _call(self, method: str, name: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(f"{self.control_url}/{name}", data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with _OPENER.open(request, timeout=10) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")
            raise EmulatorError(f"{method} {name} -> {exc.code}: {detail}") from exc

    def log(self) -> list[dict[str, Any]]:
        """Every API request received so far, in order."""
        return self._call("GET", "log")

    def clear_log(self) -> None:
        """Forget the request log."""
        self._call("DELETE", "log")

    def add_fault(self, **fault: Any) -> None:
        """Queue a fault, e.g. add_fault(method="GET", path="*", status=429, headers={"Retry-After": "1"})."""
        self._call("POST", "faults", fault)

    def faults(self) -> list[dict[str, Any]]:
        """Faults still pending."""
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._call("DELETE", "faults")

    def state(self) -> dict[str, Any]:
        """The whole state: {"accounts": {account_id: {"mapping": ..., "rules": [...], "profiles": [...] once the account has custom
        or integration profiles, "predefined": {profile_id: settings} once it changed a predefined profile}}}."""
        return self._call("GET", "state")

    def set_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """Replace the whole state."""
        return self._call("PUT", "state", state)

    def add_profiles(self, account_id: str, *profiles: dict[str, Any]) -> list[dict[str, Any]]:
        """Seed custom (or integration) DLP profiles in an account, e.g. add_profiles(ACCOUNT, {"name": "Employee IDs"});
        returns them as the API lists them (with their IDs). Every account also has the predefined profiles."""
        return self._call("POST", "profiles", {"account_id": account_id, "profiles": list(profiles)})

    def set_visible_accounts(self, accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace the accounts GET /accounts lists ({"id", "name", "type"}, optional "created_on", "settings",
        "managed_by"); returns them as stored."""
        return self._call("PUT", "visible_accounts", accounts)

    def visible_accounts(self) -> list[dict[str, Any]]:
        """The accounts GET /accounts lists."""
        return self._call("GET", "visible_accounts")

    def configure(self, **cfg: Any) -> dict[str, Any]:
        """Change absent_mapping, rotate_token or rate_limit ({"requests": N, "period": W} and an optional
        "lockout": L); returns the new config."""
        return self._call("POST", "config", cfg)

    def config(self) -> dict[str, Any]:
        """The current config."""
        return self._call("GET", "config")

    def lockouts(self) -> int:
        """How many lockouts the rate limit (with a lockout configured) has started since the last reset."""
        return self._call("GET", "lockouts")["count"]

    def reset(self) -> None:
        """Empty state, visible accounts, log, faults and rate-limit counters; restore the start-up config."""
        self._call("POST", "reset", {})

    def stderr(self) -> str:
        """What the emulator wrote to stderr so far."""
        if self._stderr_file.closed:
            return self._stderr_text
        self._stderr_file.seek(0)
        return self._stderr_file.read().decode("utf-8", errors="replace")

    def stop(self, timeout: float = 10) -> int | None:
        """Stop the process (SIGTERM, then SIGKILL after timeout) and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._stderr_file.closed:
            self._stderr_text = self.stderr()
            self._stderr_file.close()
        return self.process.returncode

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def _drain(stream: Any, lines: queue.Queue) -> None:
    with stream:
        for line in stream:
            lines.put(line)
    lines.put(None)


def start_emulator(*args: str, env: dict[str, str] | None = None, timeout: float = 20, python: str = sys.executable) -> Emulator:
    """Start ``cf_emulator.py --port 0 *args`` with ``python`` (default: this one) and wait until it listens."""
    stderr_file = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [python, str(EMULATOR_SCRIPT), "--port", "0", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file, env=env if env is not None else os.environ.copy(),
        text=True, encoding="utf-8",
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = None
    if not line or not line.startswith(READY_PREFIX):
        process.kill()
        process.wait()
        stderr_file.seek(0)
        detail = stderr_file.read().decode("utf-8", errors="replace")
        raise EmulatorError(f"emulator did not start (exit {process.returncode}, first line {line!r}): {detail}")
    return Emulator(process, line[len(READY_PREFIX):].strip(), stderr_file)
