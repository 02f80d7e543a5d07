"""``proceedings serve``: started for real, a page edited, the new page fetched from localhost."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from servers import free_port, serves_the_edit

from conftest import ROOT, MiniSite, paper_text


def test_serve_rebuilds_an_edited_page_and_serves_it(mini_site: MiniSite, tmp_path: Path) -> None:
    mini_site.add_paper("p1", paper_text(title="Served Paper", body="The first version."))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "proceedings.cli", "serve", "--srcdir", str(mini_site.srcdir),
               "--out", str(tmp_path / "serve"), "--port", str(port)]
    url = f"http://127.0.0.1:{port}/vol/papers/p1/paper.html"
    serves_the_edit(command, env, url, mini_site.papers / "p1" / "paper.md", "The first version.", "An edited version.")
    assert not (mini_site.srcdir.parent / "build").exists()  # nothing written beside the sources
