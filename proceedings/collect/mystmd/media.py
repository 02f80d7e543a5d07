"""Figures as the build can print them: raster formats LaTeX lacks become PNG, SVG loses ``<foreignObject>``.

xelatex includes PNG, JPEG and PDF (and SVG through rsvg-convert); a WebP, GIF or TIFF
figure would be missing from the PDF. Diagram tools (draw.io) wrap each label in a
``<foreignObject>`` holding HTML, inside a ``<switch>`` whose other branch is the same
label as SVG text: that fallback is what an SVG renderer without HTML draws, so keeping
only it loses nothing, and leaves no element that could run script.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image, UnidentifiedImageError

__all__ = ["CONVERTED_SUFFIXES", "publishable", "published_name"]

CONVERTED_SUFFIXES = frozenset({".webp", ".gif", ".tif", ".tiff", ".bmp"})
MAX_SIDE = 4000
"""Pixels on a figure's longer side: 13 inches at 300 dpi, more than a page. Plots exported
at 7200 pixels decode to over 100 MB each, which no reader of the PDF needs."""
_SVG = "http://www.w3.org/2000/svg"
_NAMESPACES = {"": _SVG, "xlink": "http://www.w3.org/1999/xlink"}


def published_name(relative: str) -> str:
    """The name a figure is published under: a PNG for the formats LaTeX or a browser cannot show, and
    a lower-case extension, which is all LaTeX's graphics package recognises (``.PNG`` is not)."""
    path = Path(relative)
    suffix = path.suffix.lower()
    converted = suffix in CONVERTED_SUFFIXES or suffix == ".pdf"
    return path.with_suffix(".png" if converted else suffix).as_posix()


def _pdf_page(path: Path) -> tuple[bytes, str]:
    """A PDF figure's first page as PNG: browsers show no PDF as an image (poppler's pdftoppm, 200 dpi)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "page"
        try:
            subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile", str(path), str(out)],
                           check=True, capture_output=True, timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as exc:
            raise ValueError(f"not a PDF that poppler reads ({exc})") from None
        return _raster(out.with_suffix(".png"), ".png")[0], "PDF figure's first page converted to PNG"


def _raster(path: Path, suffix: str) -> tuple[bytes, str]:
    """A raster figure as PNG (or as it is, if LaTeX reads it), no larger than :data:`MAX_SIDE`."""
    with Image.open(path) as image:
        frames = getattr(image, "n_frames", 1)
        image.seek(0)
        too_large = max(image.size) > MAX_SIDE
        if suffix not in CONVERTED_SUFFIXES and not too_large:
            return path.read_bytes(), ""
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info else "RGB"
        picture = image.convert(mode)
        size = image.size
    changes = []
    if suffix in CONVERTED_SUFFIXES:
        changes.append(f"{suffix.lstrip('.').upper()} converted to PNG")
    if frames > 1:
        changes.append(f"it has {frames} frames, the first is shown")
    if too_large:
        picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        changes.append(f"scaled from {size[0]}x{size[1]} to {picture.size[0]}x{picture.size[1]} pixels")
    out = io.BytesIO()
    if suffix in (".jpg", ".jpeg"):
        picture.convert("RGB").save(out, "JPEG", quality=92)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue(), "; ".join(changes)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _without_foreign_objects(path: Path) -> tuple[bytes, str] | None:
    """The SVG without ``<foreignObject>`` (nor a diagram tool's ``content`` copy), or None if it has none."""
    data = path.read_bytes()
    if b"foreignobject" not in data.lower():
        return None
    for prefix, uri in _NAMESPACES.items():
        ElementTree.register_namespace(prefix, uri)
    root = ElementTree.fromstring(data)
    removed = 0
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) == "foreignobject":
                parent.remove(child)
                removed += 1
    root.attrib.pop("content", None)
    text = ElementTree.tostring(root, encoding="unicode")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'.encode(),
            f"{removed} <foreignObject> element(s) (HTML labels) removed; their SVG text fallbacks are shown")


def publishable(path: Path) -> tuple[bytes, str]:
    """The bytes to publish for a figure of the package, and what was changed ('' if nothing).

    Raises ValueError when the file is not the image its name says.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in CONVERTED_SUFFIXES or suffix in (".png", ".jpg", ".jpeg"):
            return _raster(path, suffix)
        if suffix == ".pdf":
            return _pdf_page(path)
        if suffix == ".svg":
            cleaned = _without_foreign_objects(path)
            if cleaned is not None:
                return cleaned
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ElementTree.ParseError) as exc:
        raise ValueError(f"not a readable {suffix.lstrip('.').upper()} image ({exc})") from None
    return path.read_bytes(), ""
