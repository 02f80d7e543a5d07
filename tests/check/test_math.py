"""Math is TeX that reaches xelatex: only the math commands of MathJax and amsmath get through."""

from __future__ import annotations

from pathlib import Path

import pytest

from proceedings.check.markdown import scan_markdown
from proceedings.check.math import ALLOWED, expand_macros, math_problems
from proceedings.pdf.compile import compile_volume

from conftest import MiniSite, paper_text, pdf_text

REFUSED = [
    (r"\input{/etc/hostname}", [r"\input"]),
    (r"\input /proc/self/environ", [r"\input"]),
    (r"\include{secret}", [r"\include"]),
    (r"\openin1=/etc/passwd \read1 to\x", [r"\openin", r"\read", r"\x"]),
    (r"\immediate\openout1=x.tex\write1{y}", [r"\immediate", r"\openout", r"\write"]),
    (r"\gdef\sphinxstylestrong#1{X}", [r"\gdef", r"\sphinxstylestrong"]),
    (r"\def\x{\x}\x", [r"\def", r"\x", r"\x", r"\x"]),
    (r"\edef\a{b}\xdef\c{d}\let\e\f", [r"\edef", r"\a", r"\xdef", r"\c", r"\let", r"\e", r"\f"]),
    (r"\csname input\endcsname{x}", [r"\csname", r"\endcsname"]),
    (r"\catcode`\^=7", [r"\catcode"]),
    (r"\makeatletter\special{x}", [r"\makeatletter", r"\special"]),
    (r"^^5cinput{/etc/hostname}", ["^^"]),
    (r"\^^69nput{/etc/hostname}", ["^^"]),  # a text accent's backslash, then '^^' that TeX reads as 'i'
    (r"\text{\^^5cinput}", ["^^"]),
    (r"\newcommand{\x}{1}\renewcommand\y{2}", [r"\newcommand", r"\x", r"\renewcommand", r"\y"]),
    (r"\href{javascript:alert(1)}{x}", [r"\href"]),
    (r"\require{action}\unicode{x}", [r"\require", r"\unicode"]),
    (r"\begin{document}x\end{document}", [r"\begin{document}", r"\end{document}"]),
    (r"\begin{align}x\end{align}", [r"\begin{align}", r"\end{align}"]),
    (r"\begin{verbatim}x\end{verbatim}", [r"\begin{verbatim}", r"\end{verbatim}"]),
    (r"a % \)", ["%", r"\)"]),
    (r"x}\input{y}{", ["}", r"\input", "{"]),
    (r"\endinput", [r"\endinput"]),
    (r"\@@input x", [r"\@"]),
]

ACCEPTED = [
    r"\text{Fr\'{e}chet} \text{na\"{i}ve} \text{\^{o}}",
    r"\frac{a}{b} + \sqrt[3]{x_i^2} \leq \sum_{i=1}^{n} \alpha_i",
    r"\mathbf{x} \in \mathbb{R}^n, \mathcal{L}(\theta) = -\log p_\theta(x)",
    r"\operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
    r"\left( \begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix} \right)",
    r"f(x) = \begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\begin{aligned} a &= b \\ &= c \end{aligned}",
    r"\hat{y}, \tilde{x}, \vec{v}, \overline{AB}, \underbrace{a+b}_{2}",
    r"x \to \infty, A \Rightarrow B, \quad \qquad \, \; \! \{1, 2\} \% 50\%",
    r"\mathrm{KL}(P \,\|\, Q) \geq 0",
    r"\begin{array}{cc} a & b \\ c & d \end{array}",
]


@pytest.mark.parametrize(("tex", "commands"), REFUSED)
def test_disallowed_math_is_refused_with_each_command(tex: str, commands: list[str]) -> None:
    assert [p.command for p in math_problems(tex)] == commands


@pytest.mark.parametrize("tex", ACCEPTED)
def test_ordinary_math_passes(tex: str) -> None:
    assert math_problems(tex) == []


def test_display_environments_only_in_display_math() -> None:
    tex = r"\begin{align} a &= b \end{align}"
    assert math_problems(tex, display=True) == []
    assert [p.command for p in math_problems(tex)] == [r"\begin{align}", r"\end{align}"]


def test_allowlist_names_no_primitive_that_reads_writes_or_defines() -> None:
    dangerous = {"input", "include", "openin", "openout", "read", "write", "immediate", "def", "gdef", "edef",
                 "xdef", "let", "csname", "catcode", "makeatletter", "special", "newcommand", "renewcommand",
                 "expandafter", "futurelet", "afterassignment", "jobname", "endinput", "scantokens", "detokenize",
                 "href", "url", "verb", "usepackage", "shipout", "output", "everypar", "the", "meaning"}
    assert not dangerous & ALLOWED


def test_overlong_formula_is_refused() -> None:
    assert [p.command for p in math_problems("x+" * 6000)] == [""]


def test_deeply_nested_braces_are_refused_once() -> None:
    """TeX stops the volume at 255 grouping levels; 300 are refused at 51."""
    assert [(p.command, p.offset) for p in math_problems("{" * 300 + "x" + "}" * 300)] == [("{", 50)]


MATH_IN_MARKDOWN = """\
---
title: T
---

The host is $\\input{/etc/hostname}$.

$$
a
\\gdef\\x{y}
$$

```{math}
:label: e
\\openout1=x
```

Inline {math}`\\csname input\\endcsname` too.

\\begin{align}
\\write18{ls}
\\end{align}
"""


def test_math_is_scanned_in_every_form_with_file_and_line() -> None:
    found = [(t.file, t.line, t.field, t.message.split(" is ")[0]) for t in scan_markdown(MATH_IN_MARKDOWN, "p.md")]
    assert found == [
        ("p.md", 5, "math", "Math: \\input"),
        ("p.md", 9, "math", "Math: \\gdef"),
        ("p.md", 9, "math", "Math: \\x"),
        ("p.md", 14, "math", "Math: \\openout"),
        ("p.md", 17, "math", "Math: \\csname"),
        ("p.md", 17, "math", "Math: \\endcsname"),
        ("p.md", 20, "math", "Math: \\write"),
    ]


def test_math_in_a_directive_body_is_scanned() -> None:
    text = ":::{note}\nSee $\\input{x}$.\n:::\n"
    assert [(t.line, t.field) for t in scan_markdown(text, "p.md")] == [(2, "math")]


def test_a_mathjax_only_command_lacking_its_argument_is_found() -> None:
    assert [(t.line, t.message) for t in scan_markdown("A $\\Bbb$.", "p.md")] == [
        (1, "Math: a math macro lacks an argument.")]


def test_code_is_not_math() -> None:
    assert scan_markdown("```latex\n$\\input{x}$\n```\n\n`$\\def$`\n", "p.md") == []


def test_macros_expand_only_with_allowed_bodies() -> None:
    macros = {r"\RR": r"\mathbb{R}", r"\norm": r"\left\| #1 \right\|"}
    assert expand_macros(r"x \in \RR^n, \norm{\RR}", macros) == r"x \in {\mathbb{R}}^n, {\left\| {\mathbb{R}} \right\|}"
    with pytest.raises(ValueError, match=r"math macro \\evil: \\input is not a math command"):
        expand_macros(r"\evil", {r"\evil": r"\input{/etc/hostname}"})
    with pytest.raises(ValueError, match="expanded more than 1000 times"):
        expand_macros(r"\x", {r"\x": r"\x\x"})


def test_build_prints_disallowed_math_as_text_and_names_it(mini_site: MiniSite) -> None:
    """A paper placed by hand skips collect: the build still refuses its math, with the location."""
    mini_site.add_paper("p1", paper_text(body="The host is $\\input{/etc/hostname}$.\n\n$$\n\\def\\x{\\x}\\x\n$$\n"))
    run = mini_site.sphinx()
    assert run.returncode != 0
    assert "vol/papers/p1/paper.md:13: WARNING: math not allowed (\\input)" in run.warnings
    assert "vol/papers/p1/paper.md:15: WARNING: math not allowed (\\def, \\x)" in run.warnings
    html = (mini_site.srcdir.parent / "out-html" / "vol" / "papers" / "p1" / "paper.html").read_text()
    assert '<code class="docutils literal notranslate"><span class="pre">\\input{/etc/hostname}</span></code>' in html
    assert "\\(\\input" not in html


def test_pdf_never_contains_a_file_read_through_math(mini_site: MiniSite, tmp_path: Path) -> None:
    """A real xelatex run of a hand-placed paper: the formula is printed as text, the files are not read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-4242\n", encoding="utf-8")
    body = f"The host is $\\input{{/etc/hostname}}$ and $\\input{{{secret}}}$ end."
    mini_site.add_paper("p1", paper_text(body=body))
    run = mini_site.sphinx("latex")
    assert "math not allowed (\\input)" in run.warnings
    tex = mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex"
    assert "\\input{/etc/hostname}" not in tex.read_text(encoding="utf-8").replace("\\sphinxhyphen{}", "-")
    text = " ".join(pdf_text(compile_volume(tex)).split())
    assert "SECRET-MARKER" not in text
    assert "The host is \\input{/etc/hostname} and" in text
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    assert f"The host is {hostname}" not in text


def test_mathjax_only_commands_reach_latex_as_latex(mini_site: MiniSite) -> None:
    r"""``\lt`` and ``\Bbb`` are MathJax's; the volume's LaTeX gets ``<`` and ``\mathbb``, and compiles."""
    mini_site.add_paper("p1", paper_text(body="Less: $a \\lt b$, $\\Bbb{R}^n$.\n\n$$\nx \\gt 0\n$$\n"))
    run = mini_site.sphinx("latex")
    assert run.returncode == 0, run.warnings
    tex = mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex"
    source = tex.read_text(encoding="utf-8")
    assert "a {<} b" in source and "{\\mathbb{R}}^n" in source and "x {>} 0" in source
    text = " ".join(pdf_text(compile_volume(tex)).split())
    assert "Less: a<b, Rn ." in text and "x>0" in text


def test_a_mathjax_only_command_without_its_argument_is_printed_as_text(mini_site: MiniSite) -> None:
    mini_site.add_paper("p1", paper_text(body="Broken: $\\Bbb$."))
    run = mini_site.sphinx("latex")
    assert "paper.md:13: WARNING: math a math macro lacks an argument; printed as text" in run.warnings
    source = (mini_site.srcdir.parent / "out-latex" / "vol-proceedings.tex").read_text(encoding="utf-8")
    assert "\\sphinxcode{\\sphinxupquote{\\textbackslash{}Bbb}}" in source
