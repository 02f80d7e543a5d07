"""Published image names that depend on the papers present, not on the order of past builds.

Sphinx names each image after its file (``figure.svg``), numbering the ones whose name is
taken (``figure1.svg``) in the order documents happen to be read. After papers come and go,
a rebuild keeps names a clean build would not give, and pages that point to them. Here of
the images sharing a file name, the first by path keeps it and the others are named by their
folder (``vol-p2-figure.svg``). Pages whose images get another name are written again.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

__all__ = ["name_images"]


def _qualified(path: str) -> str:
    """``vol/papers/p1/figure.svg`` → ``vol-p1-figure.svg``."""
    return "-".join(part for part in PurePosixPath(path).parts if part != "papers")


def name_images(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rename the source tree's images as the set of them decides; the documents to write again."""
    images = env.images
    sources = sorted(path for path in images if not PurePosixPath(path).is_absolute())
    by_name: dict[str, list[str]] = {}
    for path in sources:
        by_name.setdefault(PurePosixPath(path).name, []).append(path)
    renamed: set[str] = set()
    for name, paths in by_name.items():
        for path in paths:
            wanted = name if path == paths[0] else _qualified(path)
            docnames, unique = images[path]
            if unique != wanted:
                images[path] = (docnames, wanted)
                renamed.update(docnames)
    images._existing = {unique for _docnames, unique in images.values()}
    return sorted(renamed)
