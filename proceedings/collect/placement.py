"""Writing a paper folder: only when its content changed, atomically, the previous version kept."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from proceedings.collect.submission import Status
from proceedings.frontmatter import load_mapping

MANIFEST = ".collected.json"

def _digest(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}


def _on_disk(folder: Path) -> dict[str, str]:
    return _digest({
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    })


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def place(
    folder: Path, files: dict[str, bytes], source: str, history: Path, force: bool, owner: str = ""
) -> tuple[Status, str]:
    """Write a paper's folder if its content changed, keeping what was there recoverable.

    The manifest records the ``owner`` that collected the folder (``package:peace.zip``);
    another owner claiming the same id is rejected unless ``force`` is given.
    """
    new = _digest(files)
    manifest_path = folder / MANIFEST
    owner = owner or source
    if folder.exists():
        manifest = _manifest(manifest_path) or {}
        claimed_by = manifest.get("owner")
        if claimed_by and claimed_by != owner and not force:
            return Status.rejected, (f"id {folder.name!r} belongs to {claimed_by} (collected from "
                                     f"{manifest.get('source')}), not {owner}; not replaced (use --force)")
        current = _on_disk(folder)
        recorded = manifest.get("files")
        edited = current != recorded
        if current == new:
            return Status.unchanged, ""
        if edited and not force:
            why = "edited by an organizer after collection" if recorded else "not made by collect"
            return Status.kept, f"{folder.name}: {why}; not replaced (use --force)"
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".collecting-{folder.name}-", dir=folder.parent.parent))
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        record = {"source": source, "owner": owner, "files": new}
        (staging / MANIFEST).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        note = ""
        if folder.exists():
            kept = history / folder.name / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(folder), str(kept))
            note = f"previous version kept in {kept}"
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return (Status.updated if note else Status.collected), note


def save_private(private_file: Path, paper_id: str, entries: list[dict[str, Any]]) -> None:
    """What must not be published (anonymous authors, e-mail addresses) goes to the organizers' own file,
    outside the published tree, under the paper's id; none, and the paper's entry goes."""
    data = load_mapping(private_file.read_text(encoding="utf-8"), private_file.name) if private_file.is_file() else {}
    if data.get(paper_id, []) == entries:
        return
    if entries:
        data[paper_id] = entries
    else:
        del data[paper_id]  # no longer anonymous, or no address: an old entry would mislead the check
    private_file.parent.mkdir(parents=True, exist_ok=True)
    private_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=True), encoding="utf-8")
