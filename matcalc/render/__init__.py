"""Printers, one module a format: text (Unicode, ASCII), LaTeX, NumPy code; and sympy code,
which matcalc.render.sympy_export writes (imported only when that format is asked for). Around them:
`lines` breaks a long formula at its operators (for the terminal and for LaTeX), `document`
lays a question and its answer, or a derivation, out as a LaTeX document."""
from __future__ import annotations

from ..calculus.expr import Expr, tree_size, variables
from ..limits import check_answer_size

FORMATS = ("unicode", "latex", "ascii", "numpy", "sympy", "python")


def render(e: Expr, fmt: str = "unicode", names: dict | None = None) -> str:
    """Print e; `names` (name → Var) tells the NumPy printer where sizes come from."""
    check_answer_size(tree_size(e))
    if fmt in ("unicode", "ascii"):  # each printer imported when its format is asked for
        from .text import AsciiPrinter, UnicodePrinter
        printer = UnicodePrinter() if fmt == "unicode" else AsciiPrinter()
        return printer.print(e) + printer.where()
    if fmt == "latex":
        from .latex import LatexPrinter
        printer = LatexPrinter()
        return printer.print(e) + printer.where()
    if fmt == "numpy":
        from .numpy import numpy_code
        return numpy_code(e, names if names is not None else variables(e))
    if fmt == "sympy":
        from .sympy_export import sympy_code
        return sympy_code(e, names)
    if fmt == "python":
        raise ValueError("the python format is a derivative's: Derivative.render('python')")
    raise ValueError(f"unknown format {fmt!r}")
