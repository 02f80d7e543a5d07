"""Time the proceedings build on N synthetic papers, beside plain Sphinx on the same text.

    .venv/bin/python tools/benchmark.py 50 [200 ...] [--jobs auto] [--keep DIR]

Each synthetic paper has about 1,500 words, inline and display math, a table and ten
citations from its own ``.bib``. The floor is the same text built by plain
``sphinx-build`` with myst-parser and furo, citations removed. Rebuilds are timed
``--repeat`` times (each edit on another paper) and reported as the median, with the runs
beside it. Clean, no-change and edit rebuilds are printed with their floor and the ratio;
collecting, the PDF stages and an author's preview of one paper have no plain-Sphinx
equivalent. With LaTeX installed, the whole pipeline (``proceedings build``: HTML, volume
and paper PDFs, output check) is also timed clean, unchanged and after an edit. Prints one
table per N.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proceedings.layout import new_volume

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
WORDS = (
    "peace research model data military surveillance funding dual use audit benchmark policy "
    "community conflict civilian governance risk disclosure training dataset evaluation system "
    "accountability transparency deployment oversight harm analysis method result evidence"
).split()


@dataclass
class Step:
    name: str
    seconds: float
    peak_mib: float
    runs: tuple[float, ...] = ()

    @classmethod
    def median(cls, name: str, steps: list[Step]) -> Step:
        """One row for repeated runs of a step: the median time, the highest peak."""
        runs = tuple(step.seconds for step in steps)
        return cls(name, statistics.median(runs), max(step.peak_mib for step in steps), runs)


def _paper(rng: random.Random, number: int, cite: bool) -> tuple[str, str]:
    keys = [f"ref{k}" for k in range(10)]
    paragraphs = []
    for p in range(12):
        words = " ".join(rng.choice(WORDS) for _ in range(120))
        if cite and p < 10:
            words += f" as shown by {{cite:p}}`{keys[p]}`"
        paragraphs.append(words.capitalize() + f", with $x_{p} = {p}\\alpha$.")
    body = "\n\n".join(paragraphs)
    table = "| Setting | Score |\n|---|---|\n" + "\n".join(f"| s{i} | {rng.random():.2f} |" for i in range(5))
    text = (
        f"---\ntitle: Synthetic paper {number}\nauthors:\n  - name: Author {number}\n"
        f"    affiliations: [Institute {number % 7}]\nabstract: A synthetic abstract {number}.\n"
        f"keywords: [synthetic, benchmark]\ntrack: Tiny papers\nfunding: Synthetic Fund {number % 5}.\n---\n\n"
        f"## Introduction\n\n{body}\n\n## Results\n\n$$\n\\sum_i x_i^2 = {number}\n$$\n\n{table}\n"
    )
    bib = "".join(
        f"@article{{{key}, author = {{Writer, Alex and Other, Sam}}, title = {{Work {number}-{key}}}, "
        f"journal = {{Journal {k}}}, year = {{20{10 + k}}}}}\n"
        for k, key in enumerate(keys)
    )
    return text, bib


def generate(root: Path, count: int) -> tuple[Path, Path]:
    """Write the proceedings tree and the plain-Sphinx floor tree with the same papers."""
    rng = random.Random(count)
    ours, floor = root / "ours", root / "floor"
    (floor / "vol" / "papers").mkdir(parents=True)
    new_volume(ours, "vol", DOCS / "iclr2026" / "workshop.yml")
    shutil.copy(DOCS / "conf.py", ours / "conf.py")
    shutil.copytree(DOCS / "_static", ours / "_static")
    for tree in (ours, floor):
        (tree / "index.md").write_text("# Bench\n\n```{toctree}\nvol/papers/index\n```\n", encoding="utf-8")
    (floor / "conf.py").write_text(
        'extensions = ["myst_parser"]\nhtml_theme = "furo"\nmyst_enable_extensions = ["dollarmath", "amsmath"]\n'
        "myst_title_to_header = True\n",
        encoding="utf-8",
    )
    (floor / "vol" / "papers" / "index.md").write_text(
        "# Papers\n\n```{toctree}\n:glob:\n\n*/paper\n```\n", encoding="utf-8"
    )
    for number in range(count):
        folder = f"p{number:04d}"
        text, bib = _paper(rng, number, cite=True)
        plain, _ = _paper(random.Random(0), number, cite=False)
        (ours / "vol" / "papers" / folder).mkdir()
        (ours / "vol" / "papers" / folder / "paper.md").write_text(text, encoding="utf-8")
        (ours / "vol" / "papers" / folder / "paper.bib").write_text(bib, encoding="utf-8")
        (floor / "vol" / "papers" / folder).mkdir()
        (floor / "vol" / "papers" / folder / "paper.md").write_text(plain, encoding="utf-8")
    return ours, floor


def run(name: str, command: list[str], cwd: Path | None = None) -> Step:
    """Run one command and measure its wall time and the peak memory of its process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{name} failed:\n{stderr[-3000:]}")
    return Step(name, seconds, usage.ru_maxrss / 1024)


def sphinx(builder: str, src: Path, out: Path, jobs: str) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-j", jobs, "-d", str(out / "doctrees"),
            str(src), str(out / builder)]


def packages(root: Path, count: int) -> tuple[Path, Path]:
    """Camera-ready packages written for mystmd (``[@key]`` citations, ``myst.yml`` authors)."""
    folder = root / "packages"
    metadata: dict[str, Any] = {"defaults": {"track": "Tiny papers"}, "papers": {}}
    for number in range(count):
        text, bib = _paper(random.Random(number), number, cite=True)
        text = text.replace("{cite:p}`", "[@").replace("`", "]")
        package = folder / f"package-{number:04d}"
        package.mkdir(parents=True)
        (package / "main.md").write_text(text, encoding="utf-8")
        (package / "refs.bib").write_text(bib, encoding="utf-8")
        metadata["papers"][f"package-{number:04d}"] = {"funding": f"Synthetic Fund {number}."}
    (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return folder, root / "metadata.json"


def previews(root: Path, pdf: bool) -> list[Step]:
    """``proceedings preview`` of one typical package (targets: under 5 s without PDF, under 15 s with it),
    clean and again after an edit, as an author previews while writing."""
    package = root / "author-package"
    package.mkdir()
    text, bib = _paper(random.Random(1), 1, cite=True)
    (package / "paper.md").write_text(text, encoding="utf-8")
    (package / "paper.bib").write_text(bib, encoding="utf-8")
    # Where a package carries the workshop's fields whichever collector reads it.
    (package / "proceedings.yml").write_text("track: Tiny papers\nfunding: Synthetic Fund 1.\n", encoding="utf-8")
    steps = []
    for label, flags in [("HTML only", ["--no-pdf"]), ("with PDF", [])][: 2 if pdf else 1]:
        scratch = root / f"preview-{len(steps)}"
        command = [sys.executable, "-m", "proceedings.cli", "preview", str(package), "--out", str(scratch), *flags]
        steps.append(run(f"author preview, {label}, clean", command, cwd=ROOT))
        _edit(package / "paper.md", "## Results", "## Results, edited")
        steps.append(run(f"author preview, {label}, after an edit", command, cwd=ROOT))
    return steps


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def bench(count: int, jobs: str, keep: Path | None, pdf: bool, repeat: int) -> list[Step]:
    root = Path(tempfile.mkdtemp(prefix=f"bench{count}-", dir=keep))
    ours, floor = generate(root, count)
    out, floor_out = root / "out", root / "floor-out"
    papers = ours / "vol" / "papers"

    def rebuilds(name: str, src: Path, dest: Path, change: Any = None) -> Step:
        steps = []
        for number in range(repeat):
            if change is not None:
                change(number)
            steps.append(run(name, sphinx("html", src, dest, jobs)))
        return Step.median(name, steps)

    floor_papers = floor / "vol" / "papers"
    steps = [
        run("floor: plain Sphinx + myst, clean HTML", sphinx("html", floor, floor_out, jobs)),
        rebuilds("floor: no-change rebuild", floor, floor_out),
        rebuilds(
            "floor: one-paper edit rebuild", floor, floor_out,
            lambda n: _edit(floor_papers / f"p{n + 1:04d}" / "paper.md", "## Results", "## Results, edited"),
        ),
        run("clean HTML build", sphinx("html", ours, out, jobs)),
        rebuilds("no-change rebuild", ours, out),
        rebuilds(
            "one-paper edit rebuild", ours, out,
            lambda n: _edit(papers / f"p{n + 1:04d}" / "paper.md", "## Results", "## Results, edited"),
        ),
        rebuilds(
            "one .bib edit rebuild", ours, out,
            lambda n: _edit(papers / f"p{n + 1:04d}" / "paper.bib", "Journal 3", "Journal Three"),
        ),
    ]
    folder, metadata = packages(root, count)
    collect = [
        sys.executable, "-m", "proceedings.cli", "collect", "--volume", "vol", "--srcdir", str(root / "collected"),
        "--metadata", str(metadata), "--private", str(root / "private"), "--report", str(root / "report.json"),
        "--package", *map(str, sorted(folder.iterdir())),
    ]
    new_volume(root / "collected", "vol", DOCS / "iclr2026" / "workshop.yml")
    steps.append(run(f"collect {count} packages", collect))
    steps.append(run(f"collect {count} packages again (unchanged)", collect))
    steps += previews(root, pdf and shutil.which("latexmk") is not None)
    if pdf and shutil.which("latexmk"):
        latex = sphinx("latex", ours, out, jobs)
        steps.append(run("volume: LaTeX sources", latex))
        compile_code = "import sys; from pathlib import Path; from proceedings.pdf.compile import compile_volume; " \
                       "compile_volume(Path(sys.argv[1]))"
        tex = out / "latex" / "vol-proceedings.tex"
        steps.append(run("volume PDF (latexmk)", [sys.executable, "-c", compile_code, str(tex)]))
        split_code = "import sys; from pathlib import Path; from proceedings.pdf.cut import split_volume; " \
                     "split_volume(Path(sys.argv[1]), Path(sys.argv[2]), {})"
        split = [sys.executable, "-c", split_code, str(tex.with_suffix(".pdf")), str(out / "pdf")]
        steps.append(run("all per-paper PDFs (split)", split))
        pipeline = [
            sys.executable, "-m", "proceedings.cli", "build", "--srcdir", str(ours), "--out", str(root / "site"),
            "--private", str(root / "private"), "-j", jobs,
        ]
        steps.append(run("pipeline (HTML + PDFs + check), clean", pipeline))
        steps.append(run("pipeline, nothing changed", pipeline))
        _edit(papers / "p0000" / "paper.md", "## Results", "## Results, edited")
        steps.append(run("pipeline, one-paper edit", pipeline))
    if keep is None:
        shutil.rmtree(root)
    return steps


def report(count: int, steps: list[Step]) -> None:
    floor = {s.name: s.seconds for s in steps if s.name.startswith("floor")}
    bases = {
        "clean HTML build": floor["floor: plain Sphinx + myst, clean HTML"],
        "no-change rebuild": floor["floor: no-change rebuild"],
        "one-paper edit rebuild": floor["floor: one-paper edit rebuild"],
        # The plain tree has no .bib: its floor is the rewrite of the citing paper's page.
        "one .bib edit rebuild": floor["floor: one-paper edit rebuild"],
    }
    print(f"\nN = {count} papers")
    print(f"{'step':<42} {'seconds':>8} {'floor':>8} {'ratio':>6} {'peak MiB':>9}  runs (median shown)")
    for step in steps:
        base = bases.get(step.name)
        ratio = f"{step.seconds / base:6.2f}" if base else ""
        base_text = f"{base:8.2f}" if base else ""
        runs = "  " + " ".join(f"{r:.2f}" for r in step.runs) if len(step.runs) > 1 else ""
        print(f"{step.name:<42} {step.seconds:8.2f} {base_text:>8} {ratio:>6} {step.peak_mib:9.0f}{runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("counts", type=int, nargs="+", help="numbers of papers")
    parser.add_argument("--jobs", default="1", help="Sphinx -j value")
    parser.add_argument("--keep", type=Path, help="keep the generated trees under this folder")
    parser.add_argument("--no-pdf", action="store_true", help="time the HTML and collect steps only")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rebuild step")
    args = parser.parse_args()
    # As an installed package would be: compiled once, not on every run (PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(ROOT / "proceedings", quiet=1)
    for count in args.counts:
        report(count, bench(count, args.jobs, args.keep, not args.no_pdf, args.repeat))


if __name__ == "__main__":
    main()
