"""``proceedings serve``: started for real, a page edited, the new page fetched from localhost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT, MiniSite, paper_text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(condition: Callable[[], bool], seconds: float, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s")


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def test_serve_rebuilds_an_edited_page_and_serves_it(mini_site: MiniSite, tmp_path: Path) -> None:
    mini_site.add_paper("p1", paper_text(title="Served Paper", body="The first version."))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "proceedings.cli", "serve", "--srcdir", str(mini_site.srcdir),
               "--out", str(tmp_path / "serve"), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/vol/papers/p1/paper.html"
    try:
        _until(lambda: "The first version." in _fetch(url), 90, server)
        paper = mini_site.papers / "p1" / "paper.md"
        paper.write_text(paper.read_text(encoding="utf-8").replace("The first version.", "An edited version."),
                         encoding="utf-8")
        _until(lambda: "An edited version." in _fetch(url), 90, server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert not (mini_site.srcdir.parent / "build").exists()  # nothing written beside the sources
