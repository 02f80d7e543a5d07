"""Math is TeX that reaches xelatex unchanged: only the math commands of MathJax and amsmath pass.

A formula is split into TeX tokens the way TeX reads them (a control word is ``\\``
and letters, a control symbol ``\\`` and one other character). Every control sequence
must be in :data:`ALLOWED`, every ``\\begin``/``\\end`` must name an environment of
:data:`ENVIRONMENTS` (or, for an amsmath block, :data:`DISPLAY_ENVIRONMENTS`), and
``^^`` (TeX's notation for any character, ``^^5c`` being a backslash), a bare ``%``
(which comments out what Sphinx writes after the formula) and unbalanced braces are
refused. So ``\\input{/etc/hostname}``, ``\\gdef``, ``\\def\\x{\\x}``, ``\\openout``,
``\\csname`` or ``\\catcode`` never reach TeX: what is not listed is refused.

The list is what MathJax renders on the web and the volume's preamble defines
(amsmath, amssymb, xcolor), plus the few MathJax-only commands that real papers use,
which :data:`LATEX_EQUIVALENTS` spells as LaTeX does: any other command only MathJax
knows would stop the LaTeX build of the whole volume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ALLOWED",
    "DISPLAY_ENVIRONMENTS",
    "ENVIRONMENTS",
    "LATEX_EQUIVALENTS",
    "MathProblem",
    "expand_macros",
    "math_problems",
]

_GREEK = """
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda mu nu xi pi
varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma
Upsilon Phi Psi Omega varGamma varDelta varTheta varLambda varXi varPi varSigma varUpsilon varPhi varPsi
varOmega digamma
"""

_SYMBOLS = """
aleph beth gimel daleth hbar hslash imath jmath ell wp Re Im partial infty nabla emptyset varnothing top
bot angle measuredangle sphericalangle triangle triangledown square blacksquare lozenge blacklozenge
blacktriangle blacktriangledown bigstar diamond Diamond diamondsuit heartsuit clubsuit spadesuit flat
natural sharp surd forall exists nexists neg lnot prime backprime complement eth Finv Game mho circledS
checkmark maltese dagger ddagger S P yen dots ldots cdots vdots ddots dotsb dotsc dotsi dotsm dotso colon
vert Vert lvert rvert lVert rVert backslash mathdollar mathparagraph mathsection
"""

_OPERATORS = """
pm mp times div cdot ast star circ bullet cap cup uplus sqcap sqcup vee wedge land lor setminus
smallsetminus wr amalg oplus ominus otimes oslash odot bigcirc centerdot dotplus ltimes rtimes
leftthreetimes rightthreetimes curlyvee curlywedge barwedge doublebarwedge boxplus boxminus boxtimes
boxdot circleddash circledast circledcirc divideontimes intercal veebar Cap Cup doublecap doublecup sum
prod coprod int iint iiint iiiint idotsint oint bigcap bigcup bigsqcup bigvee bigwedge bigodot bigoplus
bigotimes biguplus intop smallint ointop arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp
gcd hom inf ker lg lim liminf limsup ln log max min Pr sec sin sinh sup tan tanh injlim projlim varinjlim
varprojlim varliminf varlimsup bmod pmod pod mod
"""

_RELATIONS = """
leq le geq ge neq ne equiv sim simeq approx cong propto prec succ preceq succeq ll gg lll ggg subset
supset subseteq supseteq subsetneq supsetneq sqsubset sqsupset sqsubseteq sqsupseteq in ni notin owns
mid parallel nmid nparallel perp models vdash dashv vDash Vdash Vvdash nvdash nvDash nVdash nVDash asymp
bowtie smile frown doteq doteqdot Doteq fallingdotseq risingdotseq leqq geqq leqslant geqslant
eqslantless eqslantgtr lesssim gtrsim lessapprox gtrapprox approxeq lessdot gtrdot lessgtr gtrless
lesseqgtr gtreqless lesseqqgtr gtreqqless preccurlyeq succcurlyeq curlyeqprec curlyeqsucc precsim
succsim precapprox succapprox subseteqq supseteqq Subset Supset sqsubsetneq sqsupsetneq thicksim
thickapprox backsim backsimeq triangleq circeq bumpeq Bumpeq between pitchfork shortmid shortparallel
smallsmile smallfrown vartriangleleft vartriangleright trianglelefteq trianglerighteq varpropto
therefore because eqcirc neqq nleq ngeq nless ngtr nleqq ngeqq nleqslant ngeqslant lneq gneq lneqq
gneqq lvertneqq gvertneqq lnsim gnsim lnapprox gnapprox nprec nsucc npreceq nsucceq precneqq succneqq
precnsim succnsim precnapprox succnapprox nsim ncong nshortmid nshortparallel nsubseteq nsupseteq
nsubseteqq nsupseteqq subsetneqq supsetneqq varsubsetneq varsupsetneq varsubsetneqq varsupsetneqq
ntriangleleft ntriangleright ntrianglelefteq ntrianglerighteq lhd rhd unlhd unrhd triangleleft
triangleright
"""

_ARROWS = """
leftarrow rightarrow gets to leftrightarrow Leftarrow Rightarrow Leftrightarrow longleftarrow
longrightarrow longleftrightarrow Longleftarrow Longrightarrow Longleftrightarrow iff implies impliedby
mapsto longmapsto hookleftarrow hookrightarrow leftharpoonup leftharpoondown rightharpoonup
rightharpoondown rightleftharpoons leftrightharpoons uparrow downarrow updownarrow Uparrow Downarrow
Updownarrow nearrow searrow swarrow nwarrow leadsto dashleftarrow dashrightarrow leftleftarrows
rightrightarrows leftrightarrows rightleftarrows upuparrows downdownarrows Lleftarrow Rrightarrow
twoheadleftarrow twoheadrightarrow leftarrowtail rightarrowtail looparrowleft looparrowright
curvearrowleft curvearrowright circlearrowleft circlearrowright Lsh Rsh upharpoonleft upharpoonright
downharpoonleft downharpoonright restriction multimap rightsquigarrow leftrightsquigarrow nleftarrow
nrightarrow nLeftarrow nRightarrow nleftrightarrow nLeftrightarrow xleftarrow xrightarrow
"""

_ACCENTS = """
hat widehat check tilde widetilde acute grave dot ddot dddot ddddot breve bar vec mathring overline
underline overbrace underbrace overleftarrow overrightarrow overleftrightarrow underleftarrow
underrightarrow underleftrightarrow overset underset stackrel not boxed
"""

_STRUCTURE = """
frac dfrac tfrac cfrac binom dbinom tbinom genfrac sqrt root of over atop choose brace brack above left
right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm biggm Biggm langle
rangle lceil rceil lfloor rfloor lbrace rbrace lbrack rbrack llcorner lrcorner ulcorner urcorner lgroup
rgroup lmoustache rmoustache limits nolimits displaylimits substack sideset begin end
text textrm textit textbf textsf texttt textnormal textup mbox mathrm mathit mathbf mathsf mathtt mathcal
mathbb mathfrak mathnormal boldsymbol pmb operatorname operatornamewithlimits rm it bf sf tt cal
displaystyle textstyle scriptstyle scriptscriptstyle quad qquad enspace thinspace medspace thickspace
negthinspace negmedspace negthickspace space hspace mspace phantom hphantom vphantom smash strut
mathstrut nonumber notag color textcolor colorbox mathop mathbin mathrel mathopen mathclose mathpunct
mathinner mathord cr hline cline lefteqn llap rlap
"""

LATEX_EQUIVALENTS: dict[str, str] = {
    "lt": "<",
    "gt": ">",
    "coloneqq": r"\mathrel{:}=",
    "eqqcolon": r"=\mathrel{:}",
    "omicron": "o",
    "Bbb": r"\mathbb{#1}",
    "bold": r"\mathbf{#1}",
    "bm": r"\boldsymbol{#1}",
    "mathscr": r"\mathcal{#1}",
    "degree": r"{}^{\circ}",
}
r"""Commands MathJax has and the volume's packages lack, as LaTeX spells them.

Real papers use them (``\lt`` in tables of numbers); the build expands them with
:func:`expand_macros` in what it gives LaTeX, and leaves them to MathJax on the web.
"""

ALLOWED: frozenset[str] = frozenset(
    " ".join((_GREEK, _SYMBOLS, _OPERATORS, _RELATIONS, _ARROWS, _ACCENTS, _STRUCTURE)).split()
) | frozenset(LATEX_EQUIVALENTS) | frozenset("\\,;:! \n><{}|#%&_$") | frozenset("'`^\"~=.")
"""Control words (without the backslash) and control symbols that a formula may use, text accents
(``\text{Fr\'{e}chet}``) among them."""

ENVIRONMENTS: frozenset[str] = frozenset("""
matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array subarray cases aligned alignedat gathered
split
""".split())
"""Environments any formula may open with ``\\begin``: amsmath's inner ones."""

DISPLAY_ENVIRONMENTS: frozenset[str] = ENVIRONMENTS | frozenset("""
align align* alignat alignat* gather gather* multline multline* flalign flalign* equation equation*
eqnarray eqnarray*
""".split())
"""Environments a display formula (a block, not ``$...$`` in a line) may also open."""

MAX_FORMULA = 10_000
"""Characters in one formula; a longer one is not a formula."""

MAX_GROUPS = 50
"""Braces nested in one formula; TeX stops the whole volume at 255 levels of grouping."""

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\^\^)|(%)|([{}])", re.DOTALL)
_ENV_ARGUMENT = re.compile(r"\s*\{([^{}]*)\}")
_CARETS = "'^^' is TeX's notation for any character, a backslash included; write the character itself."


def _carets(tex: str) -> list[int]:
    """Where '^^' stands in ``tex``, inside a control symbol (``\\^^``) too."""
    return [at for at in range(len(tex) - 1) if tex[at] == tex[at + 1] == "^"]


@dataclass(frozen=True)
class MathProblem:
    """Why a formula is refused: the command at fault and its offset in the formula."""

    command: str
    offset: int
    message: str


def math_problems(tex: str, display: bool = False) -> list[MathProblem]:
    """What in ``tex`` may not reach TeX; empty for a formula of allowed commands only.

    ``display`` admits :data:`DISPLAY_ENVIRONMENTS`, for formulas that stand as a
    block (``$$``, ``{math}``, amsmath environments), as real papers write them.
    """
    if len(tex) > MAX_FORMULA:
        return [MathProblem("", 0, f"The formula has {len(tex)} characters, more than the {MAX_FORMULA} allowed.")]
    environments = DISPLAY_ENVIRONMENTS if display else ENVIRONMENTS
    problems: list[MathProblem] = []
    # TeX turns '^^' into another character before it reads commands, whatever stands before it
    # (``\^^69nput`` is ``\input``): it is refused wherever it stands, not only as a token.
    tokens = {m.start() for m in _TOKEN.finditer(tex) if m.group(2)}
    problems += [MathProblem("^^", at, _CARETS) for at in _carets(tex) if at not in tokens]
    depth = deepest = 0
    for match in _TOKEN.finditer(tex):
        word, carets, percent, brace = match.groups()
        if carets:
            problems.append(MathProblem("^^", match.start(), _CARETS))
        elif percent:
            problems.append(MathProblem("%", match.start(), "A bare '%' comments out the rest of the line "
                                        "in LaTeX; write '\\%' for a percent sign."))
        elif brace:
            depth += 1 if brace == "{" else -1
            if depth > MAX_GROUPS >= deepest:
                problems.append(MathProblem("{", match.start(), f"Braces are nested more than {MAX_GROUPS} deep."))
            deepest = max(deepest, depth)
            if depth < 0:
                problems.append(MathProblem("}", match.start(), "A '}' closes a group the formula did not open."))
                depth = 0
        elif word not in ALLOWED:
            shown = f"\\{word}" if word.isprintable() else f"\\U+{ord(word):04X}"
            problems.append(MathProblem(shown, match.start(), f"{shown} is not a math command that MathJax "
                                        "and amsmath provide; only those may be used in math."))
        elif word in ("begin", "end"):
            environment = _ENV_ARGUMENT.match(tex, match.end())
            name = environment.group(1).strip() if environment else ""
            if name not in environments:
                command = f"\\{word}{{{name}}}"
                problems.append(MathProblem(command, match.start(), f"{command} is not a math environment "
                                            "that may be used here."))
    if depth > 0:
        problems.append(MathProblem("{", len(tex), "A '{' opens a group the formula does not close."))
    return problems


_MACRO_USE = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])")
_PARAMETER = re.compile(r"#([1-9])")


def expand_macros(text: str, macros: dict[str, str], max_expansions: int = 1000) -> str:
    """``text`` with mystmd's ``math:`` macros (``{"\\\\RR": "\\\\mathbb{R}"}``) expanded.

    For the mystmd conversion to call on each formula. A macro is defined only if its
    body passes :func:`math_problems`, other macros aside (``ValueError`` names the first that does not),
    so what comes out is made of allowed commands and the formula's own. Arguments
    (``#1``) are taken from the braced groups or single characters that follow a use.
    Expansion stops with ``ValueError`` after ``max_expansions`` uses, so a macro that
    uses itself cannot loop; the result is still to be checked like any formula.
    """
    table = {str(name).removeprefix("\\"): str(body) for name, body in macros.items()}
    for key, body in table.items():
        if not re.fullmatch(r"[A-Za-z]+", key):
            raise ValueError(f"math macro {key!r}: a macro name is a backslash and letters only")
        found = [p for p in math_problems(body) if p.command.removeprefix("\\") not in table]
        if found:
            raise ValueError(f"math macro \\{key}: {found[0].message}")
    expansions = 0
    while True:
        match = next((m for m in _MACRO_USE.finditer(text) if m.group(1) in table), None)
        if match is None:
            return text
        expansions += 1
        if expansions > max_expansions:
            raise ValueError(f"math macros expanded more than {max_expansions} times; a macro may use itself")
        body = table[match.group(1)]
        count = max((int(n) for n in _PARAMETER.findall(body)), default=0)
        arguments, end = _arguments(text, match.end(), count)
        expanded = _substitute(body, arguments)
        text = text[: match.start()] + "{" + expanded + "}" + text[end:]


def _substitute(body: str, arguments: list[str]) -> str:
    return _PARAMETER.sub(lambda m: arguments[int(m.group(1)) - 1], body)


def _arguments(text: str, start: int, count: int) -> tuple[list[str], int]:
    """``count`` arguments after ``start``: braced groups, or single characters, as TeX reads them."""
    arguments, pos = [], start
    for _ in range(count):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            raise ValueError("a math macro lacks an argument")
        if text[pos] != "{":
            arguments.append(text[pos])
            pos += 1
            continue
        depth, end = 0, pos
        while end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
            if depth == 0:
                break
        if depth:
            raise ValueError("a math macro's argument is not closed")
        arguments.append(text[pos + 1 : end - 1])
        pos = end
    return arguments, pos
