"""A whole LaTeX document holding a question and its answer, ready for pdflatex."""
from __future__ import annotations

from ..expr import Expr, Var
from .base import POSTFIX
from .latex import LatexPrinter, latex_dim

TEMPLATE = r"""\documentclass{article}
\usepackage{amsmath}
\usepackage{amssymb}
\pagestyle{empty}
\begin{document}
\[
  %(question)s
  = %(answer)s
\]
%(where)s
\end{document}
"""


def question_latex(expr: Expr, wrt: Var, layout: str = "jacobian", by_vech: bool = False) -> str:
    """The left-hand side as the question was asked.

    A matrix function gives the Jacobian ∂vec F/∂(vec X)ᵀ; a scalar one ∂f/∂X, as the article
    writes it, or ∇_X f for the gradient matrix. For a symmetric X the Jacobian is by vech X.
    """
    printer = LatexPrinter()
    x = printer.print(wrt)
    if layout == "gradient":
        return rf"\nabla_{{{x}}} {printer.paren(expr, POSTFIX)}"
    if expr.is_scalar and not by_vech:
        return rf"\frac{{\partial {printer.paren(expr, POSTFIX)}}}{{\partial {x}}}"
    if expr.shape[1].is_one:  # vec of a column vector is the vector
        numerator = printer.paren(expr, POSTFIX)
    else:
        numerator = r"\operatorname{vec} " + printer.paren(expr, POSTFIX)
    if by_vech:
        denominator = rf"\left(\operatorname{{vech}} {x}\right)^{{\top}}"
    elif wrt.is_scalar:
        denominator = x
    elif wrt.shape[1].is_one:
        denominator = x + r"^{\top}"
    else:
        denominator = rf"\left(\operatorname{{vec}} {x}\right)^{{\top}}"
    return rf"\frac{{\partial {numerator}}}{{\partial {denominator}}}"


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
        spaces.setdefault(space_latex(var), []).append(LatexPrinter().print(var))
    parts = [f"${', '.join(listed)} \\in {space}$" for space, listed in spaces.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def latex_document(expr: Expr, wrt: Var, answer: str, layout: str,
                   names: dict[str, Var], symmetric: frozenset = frozenset()) -> str:
    """The document: the question = the answer, then where each name lives."""
    by_vech = wrt.name in symmetric and layout == "jacobian"
    where = f"where {where_latex(names)}."
    if layout == "jacobian" and not expr.is_scalar:
        where = where[:-1] + r"; $\operatorname{vec}$ stacks the columns of a matrix."
    if symmetric:
        printer = LatexPrinter()
        listed = ", ".join(printer.print(names[n]) for n in sorted(symmetric) if n in names)
        where += f" ${listed}$ {'is' if len(symmetric) == 1 else 'are'} symmetric"
        where += (r", and $\operatorname{vec} X = D_{n} \operatorname{vech} X$ with the duplication"
                  r" matrix $D_{n}$." if by_vech else
                  r": the gradient is $G + G^{\top} - G \circ I$ for the unconstrained gradient $G$.")
        where = where.replace(r"\operatorname{vec} X", r"\operatorname{vec} " + printer.print(wrt))
        where = where.replace(r"\operatorname{vech} X", r"\operatorname{vech} " + printer.print(wrt))
    return TEMPLATE % {"question": question_latex(expr, wrt, layout, by_vech), "answer": answer,
                       "where": where}
