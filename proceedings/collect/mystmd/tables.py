"""Tables as mystmd papers write them: HTML tables and ``{table}`` around a list table, as Sphinx reads them."""

from __future__ import annotations

from html.parser import HTMLParser

from proceedings.collect.mystmd.blocks import _parse
from proceedings.collect.mystmd.source import KNOWN_DIRECTIVES, Context, Fence, Line, Node


class _TableReader(HTMLParser):
    """The cells of one HTML table, with their spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, bool, int, int]]] = []
        self.head_rows: set[int] = set()
        self.tables = 0
        self._in_head = False
        self._cell: tuple[list[str], bool, int, int] | None = None

    def _close_cell(self) -> None:
        if self._cell is not None and self.rows:
            parts, header, rows, cols = self._cell
            self.rows[-1].append((" ".join("".join(parts).split()), header, rows, cols))
        self._cell = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        spans = {k: int(v) for k, v in attrs if k in ("rowspan", "colspan") and v and v.isdigit()}
        if tag == "table":
            self.tables += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._close_cell()
            self.rows.append([])
            if self._in_head:
                self.head_rows.add(len(self.rows) - 1)
        elif tag in ("td", "th"):
            self._close_cell()
            if not self.rows:
                self.rows.append([])
            self._cell = ([], tag == "th", spans.get("rowspan", 1), spans.get("colspan", 1))
        elif tag == "br" and self._cell is not None:
            self._cell[0].append(" ")
        elif tag == "code" and self._cell is not None:
            self._cell[0].append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr", "table"):
            self._close_cell()
        elif tag == "thead":
            self._in_head = False
        elif tag == "code" and self._cell is not None:
            self._cell[0].append("`")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)


def _table_grid(html_text: str) -> tuple[list[list[str]], int] | None:
    """An HTML table as rows of cell texts (spans flattened) and its number of header rows."""
    reader = _TableReader()
    reader.feed(html_text)
    reader.close()
    if reader.tables != 1 or not reader.rows:
        return None
    grid: dict[tuple[int, int], str] = {}
    header = []
    for r, row in enumerate(reader.rows):
        c = 0
        for text, _, down, across in row:
            while (r, c) in grid:
                c += 1
            for dr in range(down):
                for dc in range(across):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += across
        header.append(r in reader.head_rows or (bool(row) and all(cell[1] for cell in row)))
    width = max(c for _, c in grid) + 1
    cells = [[grid.get((r, c), "") for c in range(width)] for r in range(len(reader.rows))]
    keep_cols = [c for c in range(width) if any(row[c] for row in cells)]
    kept = [(h, [row[c] for c in keep_cols]) for h, row in zip(header, cells, strict=True) if any(row)]
    head_rows = next((i for i, (h, _) in enumerate(kept) if not h), len(kept))
    return [row for _, row in kept], head_rows


def _html_table(fence: Fence, ctx: Context) -> list[Node]:
    """A ``{table}`` holding an HTML table becomes a ``{list-table}``: Sphinx tables cannot be raw HTML."""
    html_text = "\n".join(line.text for line in fence.body)
    if "<table" not in html_text.lower():
        if any(isinstance(c, Line) and c.text.lstrip().startswith("|") for c in fence.children or []):
            return [fence]
        at = fence.opener
        ctx.problem(at.at(), "{table} holds no table Sphinx can read; its caption and content are kept as text")
        title = [Line(f"**{fence.argument}**", at.file, at.number)] if fence.argument else []
        return [Line("", at.file, at.number), *title, Line("", at.file, at.number), *(fence.children or [])]
    table = _table_grid(html_text)
    if table is None:
        ctx.problem(fence.opener.at(), "HTML table could not be read; it is kept as raw HTML, without its caption")
        return [Line("", fence.opener.file, fence.opener.number), *fence.body]
    rows, head_rows = table
    lines = [f"{'*' if c == 0 else ' '} - {cell}".rstrip() for row in rows for c, cell in enumerate(row)]
    options = [(k, v) for k, v in fence.options if k in KNOWN_DIRECTIVES["list-table"]]
    if head_rows:
        options.append(("header-rows", str(head_rows)))
    at = fence.opener
    content = [Line("", at.file, at.number), *(Line(t, at.file, at.number) for t in lines)]
    ctx.note(at.at(), "HTML table turned into a list-table (row and column spans flattened)")
    return [Fence(at, fence.indent, fence.marker, "list-table", fence.argument, options, content, _parse(content))]


def _wrapped_table(fence: Fence, inner: Fence) -> list[Node]:
    """mystmd's ``{table}`` around a ``{list-table}``: the list table, with the outer caption and label."""
    if not inner.argument:
        inner.argument = fence.argument
    own = {k for k, _ in inner.options}
    inner.options += [(k, v) for k, v in fence.options if k not in own and k in KNOWN_DIRECTIVES[inner.name or ""]]
    return [inner]
