"""Figures: what they are by their bytes, how large they are, and without the metadata that can name their makers."""

from __future__ import annotations

import io
import re
import warnings
import zlib
from pathlib import Path
from typing import Literal

from PIL import Image, ImageSequence, UnidentifiedImageError

from proceedings.check.threats import Threat

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


MAX_PIXELS = 50_000_000
"""Pixels in one figure (width times height): a 30000x30000 PNG stops the volume's LaTeX run."""

_KINDS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP", ".tif": "TIFF",
          ".tiff": "TIFF", ".pdf": "PDF", ".svg": "SVG"}
_RASTER = frozenset({"PNG", "JPEG", "GIF", "WEBP", "TIFF"})
_KEPT_INFO = frozenset({"duration", "loop", "transparency", "background", "disposal"})
"""What a re-encoded animation needs to play as before; everything else (comments, EXIF, XMP, ICC) goes."""


def sniff(data: bytes) -> str | None:
    """What a figure is by its first bytes (``PNG``, ``JPEG``, ``GIF``, ``WEBP``, ``TIFF``, ``PDF``, ``SVG``)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    signatures = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
                  (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"%PDF-", "PDF"))
    for signature, kind in signatures:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"<") and re.search(rb"<svg[\s>]", data[:65536]):
        return "SVG"
    return None


def figure_threats(data: bytes, file: str) -> list[Threat]:
    """A figure whose bytes are not what its name says, that is too large, or that does not decode.

    The size is read from the header before anything is decoded, so a 30000x30000
    image costs nothing; a figure within the limit is decoded once, so a truncated
    JPEG or a PNG with a broken chunk is found here and not in the LaTeX run.
    """
    expected = _KINDS.get(Path(file).suffix.lower())
    if expected is None:
        return []
    actual = sniff(data)
    if actual != expected:
        what = f"a {actual} file" if actual else "not a figure format this pipeline reads"
        return [Threat(file, None, "file:type", f"The file is named {Path(file).suffix} but its bytes are {what}; "
                       f"export the figure as a real {expected}.")]
    if expected not in _RASTER:
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # damage is reported as an error below, or is harmless
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return [Threat(file, None, "image:too-large", f"The image is {width}x{height} pixels, more "
                                   f"than the {MAX_PIXELS} allowed; scale it down.")]
                frames = getattr(image, "n_frames", 1)
                if width * height * frames > 2 * MAX_PIXELS:
                    return [Threat(file, None, "image:too-large", f"The animation has {frames} frames of "
                                   f"{width}x{height} pixels, more than {2 * MAX_PIXELS} pixels in all.")]
                for frame in ImageSequence.Iterator(image):
                    frame.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return [Threat(file, None, "image:too-large", f"The image has more than the {MAX_PIXELS} pixels allowed; "
                       "scale it down.")]
    except UnidentifiedImageError:
        return [Threat(file, None, "image:broken", f"The {expected} image cannot be read; export it again.")]
    except Exception as exc:  # a decoder fails in its own way on each kind of damage
        return [Threat(file, None, "image:broken", f"The {expected} image cannot be decoded ({exc}); "
                       "export it again.")]
    return []


def clean_image(name: str, data: bytes) -> bytes:
    """A figure's bytes without the metadata that can name its maker.

    PNG and JPEG are filtered chunk by chunk (:func:`strip_image_metadata`), so their
    pixels stay exactly as made; GIF, WebP and TIFF, whose metadata hides in many more
    places (GIF comment extensions, WebP EXIF/XMP chunks, TIFF tags), are re-encoded
    by Pillow from their pixels alone. Raises ValueError for an image that does not decode.
    """
    kind = sniff(data)
    if kind in ("GIF", "WEBP", "TIFF"):
        return _reencode(data, kind)
    return _stripped(data, Path(name).suffix.lower())


def _reencode(data: bytes, kind: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for frame in ImageSequence.Iterator(image):
                copy = frame.copy()
                copy.info = {key: value for key, value in frame.info.items() if key in _KEPT_INFO}
                frames.append(copy)
    except Exception as exc:  # a decoder fails in its own way on each kind of damage
        raise ValueError(f"the {kind} image cannot be decoded ({exc})") from None
    out = io.BytesIO()
    first = frames[0]
    options: dict[str, object] = {"save_all": len(frames) > 1, "append_images": frames[1:]} if len(frames) > 1 else {}
    if kind == "WEBP":
        options["lossless"] = True
    first.save(out, format=kind, **options)
    return out.getvalue()


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
    new = _stripped(data, path.suffix.lower())
    if new == data:
        return False
    temporary = path.with_name(path.name + ".strip")
    temporary.write_bytes(new)
    temporary.replace(path)
    return True


def _stripped(data: bytes, suffix: str) -> bytes:
    if data.startswith(_PNG_SIGNATURE):
        return _strip_png(data)
    if data.startswith(b"\xff\xd8"):
        return _strip_jpeg(data)
    if suffix == ".svg":
        return _SVG_NOISE.sub(lambda match: match.group(1) or b"", data)
    return data


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
