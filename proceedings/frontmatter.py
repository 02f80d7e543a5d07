"""The one reader of submitted YAML (front matter, ``proceedings.yml``, PDF-only metadata, organizers' files).

PyYAML's safe loader still accepts aliases, so a few lines of ``&a [*a, *a, ...]``
expand into billions of items the moment anything walks the result (a 1 kB file ran
76 s and ended in MemoryError), and it lets a repeated key silently replace the first.
This loader refuses both, caps the text it reads and the depth of nesting, and turns
every failure into a :class:`YamlError` naming the source and line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError

__all__ = [
    "FRONT_MATTER",
    "MAX_DEPTH",
    "MAX_YAML_BYTES",
    "YamlError",
    "YamlRefused",
    "load_mapping",
    "load_yaml",
    "split_frontmatter",
]

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
"""A front matter block as myst-parser finds it: between two ``---`` lines (blanks may follow
them), the second possibly the file's last line. The one rule every reader here uses."""

MAX_YAML_BYTES = 256 * 1024
"""A paper's metadata is a few kilobytes; an OpenReview export is JSON and not read here."""

MAX_DEPTH = 20
"""Deeper nesting is not metadata; a deep enough one overflows the parser's stack."""

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """YAML that cannot be used, with where and why."""


class YamlRefused(YamlError):
    """YAML that parses but breaks a limit: an alias, a repeated key, too deep, too large."""


class _Refused(ConstructorError):
    pass


class _LimitedLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that refuses aliases, repeated keys and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An alias is a node met a second time: the C parser resolves aliases before Python sees them.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Refused(None, None, "aliases (*name) are not accepted; write the value out",
                                   node.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(None, None, f"nested more than {MAX_DEPTH} deep", node.start_mark)
            return super().construct_object(node, deep=True)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise _Refused(None, None, f"key {key!r} appears twice; keep one", key_node.start_mark)
            if key is not None:
                seen.add(key)
                del self.constructed_objects[key_node]
        return super().construct_mapping(node, deep=True)  # type: ignore[no-any-return]


def load_yaml(text: str, source: str, first_line: int = 1) -> Any:
    """The data of ``text``, or :class:`YamlError` naming ``source`` and the line at fault.

    ``first_line`` is the line of ``source`` on which ``text`` starts (2 for front matter).
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise YamlRefused(f"{source}: {size} bytes of YAML, more than the {MAX_YAML_BYTES} allowed")
    try:
        return yaml.load(text, Loader=_LimitedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + first_line}" if mark is not None else ""
        kind = YamlRefused if isinstance(exc, _Refused) else YamlError
        raise kind(f"{source}{line}: {exc.problem or exc.context}") from None
    except RecursionError:
        raise YamlRefused(f"{source}: nested too deeply") from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise YamlError(f"{source}: invalid YAML ({type(exc).__name__}: {exc})") from None


def load_mapping(text: str, source: str, first_line: int = 1) -> dict[str, Any]:
    """A YAML mapping of field names (an empty document is an empty mapping)."""
    data = load_yaml(text, source, first_line)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YamlError(f"{source}: must be a mapping of field names to values, not {type(data).__name__}")
    return {str(key): value for key, value in data.items()}


def split_frontmatter(text: str, source: str) -> tuple[dict[str, Any], str, int]:
    """A MyST file's front matter, its body and the body's first line number."""
    match = FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---\n"):
            raise YamlError(f"{source}: the front matter block is not closed by '---'")
        return {}, text, 1
    data = load_mapping(match["yaml"] or "", source, first_line=2)
    return data, text[match.end() :], text.count("\n", 0, match.end()) + 1
