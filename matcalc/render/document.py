"""A whole LaTeX document holding a question and its answer (or its derivation), for pdflatex.

The derivative is written as the article writes it, ∂F/∂X, in the document as in the steps and
on the terminal, and the sentence after the formula says that it stands for the Jacobian
∂vec F/∂(vec X)ᵀ. A formula wider than the page is broken at its top-level + and − first
(matcalc.render.lines), inside amsmath's split; a derivation is an align* that may break
across pages, with each rule's name on a line of its own.
"""
from __future__ import annotations

from itertools import chain, count

from ..calculus.expr import Expr, Var
from .base import POSTFIX
from .latex import LatexPrinter, latex_dim, latex_width
from .lines import PRODUCTS, SUMS, break_lines, wrap_words

TEXT_WIDTH = 345.0  # \textwidth of the article class at 10 pt, in points
MARGIN = 15.0       # what the width estimate may miss
QUAD, RELATION = 10.0, 19.0
LEADING = SUMS + PRODUCTS  # a line that starts with one of these goes on with a sum or a ⊗

TEMPLATE = r"""\documentclass{article}
\usepackage{amsmath}
\usepackage{amssymb}
\pagestyle{empty}
\raggedright%(preamble)s
\begin{document}
%(body)s
\end{document}
"""


def tex(e: Expr) -> str:
    """e in LaTeX, by a printer of its own: a printer sizes I and K by the expression it prints."""
    return LatexPrinter().print(e)


def question_latex(expr: Expr, wrt: Var, layout: str = "jacobian", by_vech: bool = False,
                   order: int = 1) -> str:
    """The left-hand side as the question was asked: ∂F/∂X (the Jacobian ∂vec F/∂(vec X)ᵀ, as
    the article writes it), ∇_X f for the gradient matrix, ∂vec F/∂(vech X)ᵀ for a symmetric
    X, and for a Hessian ∂²f/∂vec X ∂(vec X)ᵀ."""
    printer = LatexPrinter()
    printer.question = True  # chol(S), not the L of the answer
    x, f = tex(wrt), printer.paren(expr, POSTFIX)
    if order == 2:
        if wrt.is_scalar:
            return rf"\frac{{\partial^{{2}} {f}}}{{\partial {x}^{{2}}}}"
        column = x if wrt.shape[1].is_one else rf"\operatorname{{vec}} {x}"
        row = x if wrt.shape[1].is_one else rf"(\operatorname{{vec}} {x})"
        return rf"\frac{{\partial^{{2}} {f}}}{{\partial {column} \, \partial {row}^{{\top}}}}"
    if layout == "gradient":
        return rf"\nabla_{{{x}}} {f}"
    if by_vech:
        numerator = f if expr.is_scalar or expr.shape[1].is_one else rf"\operatorname{{vec}} {f}"
        return rf"\frac{{\partial {numerator}}}{{\partial (\operatorname{{vech}} {x})^{{\top}}}}"
    return rf"\frac{{\partial {f}}}{{\partial {x}}}"


def meaning_latex(expr: Expr, wrt: Var, order: int = 1, by_vech: bool = False) -> str:
    """What the left-hand side stands for, when it is the article's shorthand ∂F/∂X."""
    if order == 2 or by_vech or wrt.is_scalar and expr.shape[1].is_one:
        return ""
    x = tex(wrt)
    f = "f" if expr.is_scalar else "F"
    numerator = f if expr.shape[1].is_one else rf"\operatorname{{vec}} {f}"
    denominator = x + r"^{\top}" if wrt.shape[1].is_one else rf"(\operatorname{{vec}} {x})^{{\top}}"
    if wrt.is_scalar:
        denominator = x
    return (rf"the derivative $\partial {f}/\partial {x}$ stands for the Jacobian "
            rf"$\partial {numerator}/\partial {denominator}$")


def space_latex(var: Var) -> str:
    """Where a name lives: ℝ^{m×n}; a column vector in ℝ^n, a scalar in ℝ."""
    rows, cols = var.shape
    if rows.is_one and cols.is_one:
        return r"\mathbb{R}"
    if cols.is_one:
        return rf"\mathbb{{R}}^{{{latex_dim(rows)}}}"
    return rf"\mathbb{{R}}^{{{latex_dim(rows)} \times {latex_dim(cols)}}}"


def where_latex(names: dict[str, Var]) -> str:
    """"$A, X \\in \\mathbb{R}^{n \\times n}$ and $x \\in \\mathbb{R}^{n}$": one space, one list."""
    spaces: dict[str, list[str]] = {}
    for var in names.values():
        spaces.setdefault(space_latex(var), []).append(tex(var))
    parts = [f"${', '.join(listed)} \\in {space}$" for space, listed in spaces.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def equation_latex(question: str, answer: str, width: float = TEXT_WIDTH) -> str:
    """question = answer as display math: on one line when it fits, else in a split broken at
    the answer's top-level + and − (then between factors), the question on a line of its own
    when it takes much of the width."""
    q = latex_width(question)
    if q + RELATION + latex_width(answer) <= width - MARGIN:
        return f"\\[\n  {question}\n  = {answer}\n\\]"
    if q <= 0.4 * width:
        room = width - MARGIN - q - RELATION
        lines = break_lines(answer, room, room - 2 * QUAD, latex_width)
        rows = [f"{question} &= {lines[0]}"] + [rf"&\quad {_lead(line)}" for line in lines[1:]]
    else:
        rows = [f"&{question}"] + equals_rows(answer, width)
    return "\\[\n\\begin{split}\n  " + "\\\\\n  ".join(rows) + "\n\\end{split}\n\\]"


def equals_rows(expr_latex: str, width: float = TEXT_WIDTH) -> list[str]:
    """`= expr`, broken into rows of an alignment whose column is at the left: `&\\quad {}= …`,
    then `&\\qquad {}+ …`."""
    room = width - MARGIN - QUAD - RELATION
    lines = break_lines(expr_latex, room, room - 2 * QUAD, latex_width)
    return [rf"&\quad {{}}= {lines[0]}"] + [rf"&\qquad {_lead(line)}" for line in lines[1:]]


def rule_rows(rule: str, width: float = TEXT_WIDTH) -> list[str]:
    """A rule's name, in brackets on rows of its own, wrapped to stay on the page."""
    room = width - MARGIN - 2 * QUAD
    words = wrap_words(f"({rule})", room, lambda s: 5.2 * len(s))
    return [rf"&\qquad \text{{{line}}}" for line in words]


def _lead(line: str) -> str:
    """A line that starts with + or − gets an empty atom before it, so that the sign keeps the
    spacing of a binary operator; one that goes on with a product is indented further."""
    return "{}" + line if line.startswith(LEADING) else r"\quad " + line


def latex_document(expr: Expr, wrt: Var, answer: str, layout: str,
                   names: dict[str, Var], symmetric: frozenset = frozenset(),
                   order: int = 1, conditions: list[str] = (),
                   decompositions: list[str] = (), definitions: tuple = (),
                   open_names: tuple[str, ...] = ()) -> str:
    """The document: the question = the answer, then where each name lives; `definitions`,
    the names the answer uses for what recurs (render.names), open that sentence."""
    by_vech = wrt.name in symmetric and layout == "jacobian" and order == 1
    intro, asked = "", expr
    if latex_width(question_latex(expr, wrt, layout, by_vech, order)) > TEXT_WIDTH - MARGIN:
        intro, asked = _named(expr, wrt, names)
        intro += " is\n"
    sentences = where_sentences(expr, wrt, names, layout, symmetric, order, by_vech)
    if definitions and sentences.startswith("where "):
        named = ", ".join(f"${tex(d.name)} = {tex(d.expr)}$" for d in definitions)
        sentences = f"where {named}, " + sentences[len("where "):]
    body = intro + equation_latex(question_latex(asked, wrt, layout, by_vech, order), answer) + \
        "\n" + sentences
    if decompositions:  # what V, F, L, … of the answer stand for
        body += " In the answer, " + "; ".join(f"${entry}$" for entry in decompositions) + "."
    if conditions:  # what the answer assumes: S symmetric positive definite, …
        body += " The answer holds where " + "; ".join(conditions) + "."
    if open_names:  # columns by their letter alone: t + 3 might have meant a scalar t
        listed = ", ".join(f"${tex(names[n])}$" for n in open_names if n in names)
        options = ", ".join(rf"\texttt{{--shape {n}=1,1}}" for n in open_names)
        body += (f" Nothing in the question fixes the length of {listed}: a lower-case name is "
                 f"then a column, as here, and {options} makes it a scalar.")
    return TEMPLATE % {"preamble": "", "body": body}


def _named(expr: Expr, wrt: Var, names: dict[str, Var]) -> tuple[str, Var]:
    """A question too wide for the page is named first and then asked of its name: the words
    "With f = …, the derivative by X", and the name."""
    letters = ("f", "g", "h") if expr.is_scalar else ("F", "G", "H")
    pool = chain(letters, (f"{letters[0]}{k}" for k in count(1)))
    name = Var(next(n for n in pool if n not in names), *expr.shape)
    return ("With\n" + equation_latex(tex(name), tex(expr)) +
            f"\nthe derivative by ${tex(wrt)}$"), name


def where_sentences(expr: Expr, wrt: Var, names: dict[str, Var], layout: str = "jacobian",
                    symmetric: frozenset = frozenset(), order: int = 1,
                    by_vech: bool = False) -> str:
    """"where A, X ∈ ℝ^{n×n}; …": the sentence the display belongs to, and what follows it.
    No sentence begins with a symbol."""
    clauses = [where_latex(names)]
    if layout == "jacobian" and order == 1 and (meaning := meaning_latex(expr, wrt, 1, by_vech)):
        clauses.append(meaning)
    if (layout == "jacobian" and not expr.is_scalar) or order == 2 or by_vech or \
            any(clause.startswith("the derivative") for clause in clauses):
        clauses.append(r"$\operatorname{vec}$ stacks the columns of a matrix")
    where = "where " + "; ".join(clauses) + "."
    if symmetric:
        listed = [tex(names[n]) for n in sorted(symmetric) if n in names]
        x = tex(wrt)
        where += (f" The matrix ${listed[0]}$ is symmetric" if len(listed) == 1 else
                  f" The matrices ${', '.join(listed)}$ are symmetric")
        where += (rf", and $\operatorname{{vec}} {x} = D_{{n}} \operatorname{{vech}} {x}$ with the"
                  r" duplication matrix $D_{n}$." if by_vech else
                  r": the gradient is $G + G^{\top} - G \circ I$ for the unconstrained"
                  r" gradient $G$.")
    return where


def steps_document(derivation, names: dict[str, Var]) -> str:
    """The derivation as a document: a sentence, then the steps as an align* that may break
    across pages, then where each name lives."""
    start = derivation.start
    f, x = tex(start.arg), tex(start.wrt)
    if latex_width(f) < 0.6 * TEXT_WIDTH:
        intro, asked = rf"The derivative of ${f}$ by ${x}$, one rule or identity a step:", None
    else:
        intro, asked = _named(start.arg, start.wrt, names)
        intro += ", one rule or identity a step:"
    rows = derivation_rows(derivation, None if asked is None else
                           rf"\frac{{\partial {tex(asked)}}}{{\partial {x}}}")
    body = (intro + "\n\\begin{align*}\n  " + "\\\\\n  ".join(rows) + "\n\\end{align*}\n" +
            where_sentences(start.arg, start.wrt, names))
    return TEMPLATE % {"preamble": "\n\\allowdisplaybreaks", "body": body}


def derivation_rows(derivation, question: str | None = None) -> list[str]:
    """The rows of an alignment: the question, then for each step its rule's name and `= …`."""
    rows = [f"&{question or tex(derivation.start)}"]
    for k, step in enumerate(derivation.steps):
        rows += rule_rows(step.rule.replace("–", "--"))
        where = derivation.where("latex") if k == len(derivation.steps) - 1 else ""
        rows += equals_rows(tex(step.expr) + where)
    return rows
