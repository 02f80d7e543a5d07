"""What a build shows while it works: each stage, Sphinx's reading and writing, LaTeX's passes.

Shown on a terminal only (``proceedings build`` decides, and ``--quiet`` silences it); the
stages find the display through a context variable, so that no function between the
command and the stage has to pass it on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO

from rich.console import Console

__all__ = ["Progress", "progress", "shown"]


class Progress:
    """Stage lines with rich, and a stream for Sphinx's own status; silent without a console."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console

    @property
    def status(self) -> IO[str] | None:
        """Where Sphinx writes its progress (reading and writing pages), or nowhere."""
        return self.console.file if self.console is not None else None

    def stage(self, message: str) -> None:
        if self.console is not None:
            self.console.print(f"[bold cyan]proceedings:[/] {message}", highlight=False)


_current: ContextVar[Progress | None] = ContextVar("progress", default=None)


def progress() -> Progress:
    """The display of the build running now (a silent one outside a build)."""
    return _current.get() or Progress()


@contextmanager
def shown(display: Progress) -> Iterator[None]:
    token = _current.set(display)
    try:
        yield
    finally:
        _current.reset(token)
