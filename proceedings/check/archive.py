"""Submitted zips, unpacked only when every entry is safe to write."""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from proceedings.check.threats import DEFAULT_LIMITS, PACKAGE, Limits, Threat, UnsafePackage, over_limit

# --------------------------------------------------------------------------- zip

_RATIO_FLOOR = 2**20
"""Entries smaller than this are not held to Limits.max_ratio: they cannot hurt."""

_MACOS_JUNK = "__MACOSX"


def extract_zip(archive: Path, dest: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Unpack a submitted zip into ``dest``, or raise :class:`UnsafePackage` having written nothing.

    The archive's own size is checked before it is opened, then its central directory
    (paths, links, sizes, ratios, count); then every entry is decompressed once into
    nothing to check its CRC; only then is anything written. A single top-level folder
    is stripped, and macOS's ``__MACOSX`` folder is left out.
    """
    try:
        size = archive.stat().st_size
        if size > limits.max_package_bytes:
            message = f"The zip has {size} bytes, more than the {limits.max_package_bytes} allowed."
            raise UnsafePackage([Threat(PACKAGE, None, "package:too-large", message)])
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafePackage([Threat(PACKAGE, None, "zip:corrupt", f"The zip cannot be read ({exc}).")]) from exc
    with zf:
        infos = zf.infolist()
        threats = _zip_threats(infos, limits) or _zip_verify(zf, infos)
        if threats:
            raise UnsafePackage(threats)
        _zip_write(zf, infos, dest)


def _zip_threats(infos: list[zipfile.ZipInfo], limits: Limits) -> list[Threat]:
    """What the central directory alone says is wrong."""
    threats = over_limit("zip:too-many-files", "The zip has", len(infos), limits.max_files, "entries")
    for info in infos:
        threats += _entry_threats(info, limits)
    threats += _file_and_folder(infos)
    total = sum(info.file_size for info in infos)
    return threats + over_limit("package:too-large", "The zip expands to", total, limits.max_package_bytes, "bytes")


def _entry_threats(info: zipfile.ZipInfo, limits: Limits) -> list[Threat]:
    name = info.filename
    found: list[tuple[str, str]] = []
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        found.append(("zip:absolute", "This entry has an absolute path; zip the paper's folder with relative paths."))
    if ".." in re.split(r"[/\\]", name):
        found.append(("zip:parent", "This entry's path climbs out of the package with '..'."))
    if stat.S_ISLNK(info.external_attr >> 16):
        found.append(("zip:symlink", "This entry is a symbolic link; zip the files themselves."))
    if info.flag_bits & 0x1:
        found.append(("zip:corrupt", "This entry is encrypted; submit an unencrypted zip."))
    if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        found.append(("zip:bomb", f"This entry expands from {info.compress_size} to {info.file_size} bytes, "
                      f"more than {limits.max_ratio} times."))
    elif info.file_size > limits.max_file_bytes:
        found.append(("file:too-large", f"This entry has {info.file_size} bytes, more than the "
                      f"{limits.max_file_bytes} allowed."))
    return [Threat(name, None, field, message) for field, message in found]


def _file_and_folder(infos: list[zipfile.ZipInfo]) -> list[Threat]:
    """Entries that are files where other entries need a folder: they cannot both be written."""
    folders = {"/".join(_parts(info.filename)[:end]) for info in infos for end in range(1, len(_parts(info.filename)))}
    return [
        Threat(info.filename, None, "zip:corrupt", "This entry is a file, but other entries put files inside it.")
        for info in infos
        if not info.is_dir() and "/".join(_parts(info.filename)) in folders
    ]


def _zip_verify(zf: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo]) -> list[Threat]:
    """Decompress every entry into nothing, so that a bad CRC is found before writing."""
    threats: list[Threat] = []
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as stream:
                while stream.read(2**20):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
                OSError) as exc:
            threats.append(Threat(info.filename, None, "zip:corrupt", f"This entry cannot be read ({exc})."))
    return threats


def _zip_write(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], dest: Path) -> None:
    kept = [(info, _parts(info.filename)) for info in infos]
    kept = [(info, parts) for info, parts in kept if parts and parts[0] != _MACOS_JUNK]
    top = {parts[0] for _, parts in kept}
    if len(top) == 1 and all(len(parts) > 1 or info.is_dir() for info, parts in kept):
        kept = [(info, parts[1:]) for info, parts in kept]
    dest.mkdir(parents=True, exist_ok=True)
    for info, parts in kept:
        if not parts:
            continue
        target = dest.joinpath(*parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)


def _parts(name: str) -> list[str]:
    """An entry's path as folder names, either separator accepted, empty and '.' parts dropped."""
    return [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]
