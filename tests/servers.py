"""Helpers for tests that start a server and watch it: a free port, polling, fetching."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], seconds: float, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s")


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def serves_the_edit(command: list[str], env: dict[str, str], url: str, source: Path, old: str, new: str) -> None:
    """Start ``command``, wait until ``url`` shows ``old``, replace it by ``new`` in ``source``, wait until
    ``url`` shows ``new``; the server and all it started are stopped whatever happens."""
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        wait_until(lambda: old in fetch(url), 90, server)
        source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        wait_until(lambda: new in fetch(url), 90, server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
