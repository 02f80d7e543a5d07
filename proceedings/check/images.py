"""Figures without the metadata that can name their makers."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Literal

# --------------------------------------------------------------------------- images

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf"})
_JPEG_APP1, _JPEG_APP13, _JPEG_COM, _JPEG_SOS, _JPEG_EOI = 0xE1, 0xED, 0xFE, 0xDA, 0xD9
_EXIF_HEADER = b"Exif\x00\x00"
_ORIENTATION = 0x0112
_SVG_NOISE = re.compile(
    rb"(<!\[CDATA\[.*?\]\]>)|<!--.*?-->|<((?:[\w.-]+:)?metadata)\b[^>]*?/>|<((?:[\w.-]+:)?metadata)\b[^>]*>.*?</\3\s*>",
    re.DOTALL,
)


def strip_image_metadata(path: Path) -> bool:
    """Remove text metadata (author, software, GPS, comments) from a figure; True if it changed.

    PNG chunks and JPEG segments are filtered by hand rather than re-encoded with
    Pillow: the image data is copied byte for byte, so pixels, compression and colour
    profile stay exactly as the authors made them. PNG loses its ``tEXt``, ``zTXt``,
    ``iTXt`` (XMP) and ``eXIf`` chunks and any bytes after ``IEND``; JPEG loses its
    APP1 (EXIF, XMP), APP13 (IPTC) and COM segments before the image data. An EXIF
    orientation other than upright is kept, in a minimal EXIF of its own, so that
    photos are not turned on their side. SVG loses its ``<metadata>`` elements and
    comments. Other formats are left alone.

    Raises ValueError for a PNG or JPEG whose structure is broken.
    """
    data = path.read_bytes()
    if data.startswith(_PNG_SIGNATURE):
        new = _strip_png(data)
    elif data.startswith(b"\xff\xd8"):
        new = _strip_jpeg(data)
    elif path.suffix.lower() == ".svg":
        new = _SVG_NOISE.sub(lambda match: match.group(1) or b"", data)
    else:
        return False
    if new == data:
        return False
    temporary = path.with_name(path.name + ".strip")
    temporary.write_bytes(new)
    temporary.replace(path)
    return True


def _strip_png(data: bytes) -> bytes:
    out, pos = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise ValueError("PNG ends before its IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError(f"PNG chunk {kind!r} runs past the end of the file")
        if kind == b"eXIf":
            orientation = _exif_orientation(data[pos + 8 : end - 4])
            if orientation not in (None, 1):
                out.append(_png_chunk(b"eXIf", _orientation_exif(orientation)))
        elif kind not in _PNG_TEXT:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            return b"".join(out)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return len(payload).to_bytes(4, "big") + kind + payload + crc.to_bytes(4, "big")


def _strip_jpeg(data: bytes) -> bytes:
    """Filter the segments before the first scan; the scan and what follows are copied as is."""
    out, pos = [data[:2]], 2
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise ValueError("JPEG segment does not start with a marker")
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        if pos >= len(data):
            raise ValueError("JPEG ends inside a marker")
        marker = data[pos]
        pos += 1
        if marker in (_JPEG_SOS, _JPEG_EOI):
            out.append(bytes([0xFF, marker]) + data[pos:])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(bytes([0xFF, marker]))
            continue
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        if length < 2 or end > len(data):
            raise ValueError(f"JPEG segment {marker:#04x} runs past the end of the file")
        payload = data[pos + 2 : end]
        if marker == _JPEG_APP1 and payload.startswith(_EXIF_HEADER):
            orientation = _exif_orientation(payload[len(_EXIF_HEADER) :])
            if orientation not in (None, 1):
                exif = _EXIF_HEADER + _orientation_exif(orientation)
                out.append(bytes([0xFF, _JPEG_APP1]) + (len(exif) + 2).to_bytes(2, "big") + exif)
        elif marker not in (_JPEG_APP1, _JPEG_APP13, _JPEG_COM):
            out.append(bytes([0xFF, marker]) + data[pos:end])
        pos = end


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation tag (1-8) of EXIF's first IFD, if it has a sane one."""
    orders: dict[bytes, Literal["little", "big"]] = {b"II": "little", b"MM": "big"}
    endian = orders.get(tiff[:2])
    if endian is None or len(tiff) < 8:
        return None
    ifd = int.from_bytes(tiff[4:8], endian)
    if ifd + 2 > len(tiff):
        return None
    for number in range(int.from_bytes(tiff[ifd : ifd + 2], endian)):
        entry = ifd + 2 + 12 * number
        if entry + 12 > len(tiff):
            return None
        if int.from_bytes(tiff[entry : entry + 2], endian) == _ORIENTATION:
            value = int.from_bytes(tiff[entry + 8 : entry + 10], endian)
            return value if 1 <= value <= 8 else None
    return None


def _orientation_exif(orientation: int) -> bytes:
    """A TIFF structure holding only the Orientation tag (big-endian, one IFD entry)."""
    entry = _ORIENTATION.to_bytes(2, "big") + (3).to_bytes(2, "big") + (1).to_bytes(4, "big")
    entry += orientation.to_bytes(2, "big") + b"\x00\x00"
    return b"MM\x00\x2a" + (8).to_bytes(4, "big") + (1).to_bytes(2, "big") + entry + (0).to_bytes(4, "big")
