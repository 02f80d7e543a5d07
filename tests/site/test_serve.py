"""``proceedings serve``: started for real, a page edited, the new page fetched from localhost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from servers import fetch, free_port, wait_until

from conftest import ROOT, MiniSite, paper_text


def test_serve_rebuilds_an_edited_page_and_serves_it(mini_site: MiniSite, tmp_path: Path) -> None:
    mini_site.add_paper("p1", paper_text(title="Served Paper", body="The first version."))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "proceedings.cli", "serve", "--srcdir", str(mini_site.srcdir),
               "--out", str(tmp_path / "serve"), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/vol/papers/p1/paper.html"
    try:
        wait_until(lambda: "The first version." in fetch(url), 90, server)
        paper = mini_site.papers / "p1" / "paper.md"
        paper.write_text(paper.read_text(encoding="utf-8").replace("The first version.", "An edited version."),
                         encoding="utf-8")
        wait_until(lambda: "An edited version." in fetch(url), 90, server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert not (mini_site.srcdir.parent / "build").exists()  # nothing written beside the sources
