"""NumPy code: one Python expression in `np` and the question's names.

Names are bound to 2-D arrays (vectors as (n, 1)); vec is column-major (order="F"), so the
Jacobian of an m×n function of a p×q matrix evaluates to an (m·n)×(p·q) array. Sizes come from
the arrays themselves (X.shape[0]), so the code works at any size.
"""
from __future__ import annotations

import keyword

from ..dims import Dim
from ..errors import MatcalcError
from ..expr import Expr, Var
from .base import Printer


class NumpyPrinter(Printer):
    def __init__(self, variables: dict[str, Var]):
        self.sizes: dict[str, str] = {}
        for var in variables.values():
            for axis, dim in enumerate(var.shape):
                if len(dim.symbols) == 1 and dim.coeff == 1:
                    self.sizes.setdefault(dim.symbols[0], f"{var.name}.shape[{axis}]")

    def print(self, e: Expr) -> str:
        return super().print(e)

    def dim(self, d: Dim) -> str:
        parts = [str(d.coeff)] if d.coeff != 1 or not d.symbols else []
        parts += [self.sizes.get(s, s) for s in d.symbols]
        return "*".join(parts)

    def _print_Var(self, e) -> str:
        return e.name

    def _print_Num(self, e) -> str:
        v = e.value
        return str(v.numerator) if v.denominator == 1 else f"({v.numerator}/{v.denominator})"

    def _print_Identity(self, e) -> str:
        return f"np.eye({self.dim(e.n)})"

    def _print_Zero(self, e) -> str:
        return f"np.zeros(({self.dim(e.rows)}, {self.dim(e.cols)}))"

    def _print_Commutation(self, e) -> str:
        m, n = self.dim(e.m), self.dim(e.n)
        return f"np.eye({m}*{n})[np.arange({m}*{n}).reshape(({m}, {n}), order='F').ravel()]"

    def _print_Add(self, e) -> str:
        return "(" + " + ".join(self.print(t) for t in e.terms) + ")"

    def _print_Mul(self, e) -> str:
        scalars = [self.print(f) for f in e.scalars]
        matrices = [self.print(f) for f in e.matrices]
        if matrices:
            scalars.append(" @ ".join(matrices) if len(matrices) == 1 else "(" + " @ ".join(matrices) + ")")
        return "(" + " * ".join(scalars) + ")"

    def _print_Transpose(self, e) -> str:
        from ..expr import Vec
        if isinstance(e.arg, Vec):
            return f"{self.print(e.arg.arg)}.reshape(1, -1, order='F')"
        return f"{self.print(e.arg)}.T"

    def _print_Inverse(self, e) -> str:
        return f"np.linalg.inv({self.print(e.arg)})"

    def _print_Power(self, e) -> str:
        return f"np.linalg.matrix_power({self.print(e.arg)}, {e.k})"

    def _print_ScalarPow(self, e) -> str:
        return f"({self.print(e.arg)})**{_exponent(e.exponent)}"

    def _print_Det(self, e) -> str:
        return f"np.linalg.det({self.print(e.arg)})"

    def _print_LogDet(self, e) -> str:
        return f"np.log(np.linalg.det({self.print(e.arg)}))"

    def _print_Trace(self, e) -> str:
        return f"np.trace({self.print(e.arg)})"

    def _print_Vec(self, e) -> str:
        return f"{self.print(e.arg)}.reshape(-1, 1, order='F')"

    def _print_Kron(self, e) -> str:
        return f"np.kron({self.print(e.left)}, {self.print(e.right)})"

    def _print_Func(self, e) -> str:
        return f"np.{e.name}({self.print(e.arg)})"

    def _print_Ones(self, e) -> str:
        return f"np.ones(({self.dim(e.rows)}, {self.dim(e.cols)}))"

    def _print_ElementFunc(self, e) -> str:
        return f"np.{e.name}({self.print(e.arg)})"

    def _print_ElementPow(self, e) -> str:
        return f"(({self.print(e.arg)})**{_exponent(e.exponent)})"

    def _print_Hadamard(self, e) -> str:
        return f"({self.print(e.left)} * {self.print(e.right)})"

    def _print_DiagMatrix(self, e) -> str:
        return f"np.diagflat({self.print(e.arg)})"

    def _print_DiagPart(self, e) -> str:
        return f"np.diag({self.print(e.arg)}).reshape(-1, 1)"

    def _print_SumAll(self, e) -> str:
        return f"np.sum({self.print(e.arg)})"

    def _print_Norm(self, e) -> str:
        return f"np.linalg.norm({self.print(e.arg)})"

    def _print_Duplication(self, e) -> str:
        n = self.dim(e.n)
        return ("(lambda n: np.stack([np.eye(n*n)[i + n*j] + (i != j)*np.eye(n*n)[j + n*i] "
                f"for j in range(n) for i in range(j, n)], axis=1))({n})")

    def _print_Partial(self, e) -> str:
        from ..errors import MatcalcError
        raise MatcalcError("an unexpanded derivative ∂F/∂X has no NumPy form")


def _exponent(p) -> str:
    return str(p.numerator) if p.denominator == 1 else f"({p.numerator}/{p.denominator})"


def numpy_code(e: Expr, variables: dict[str, Var]) -> str:
    """The expression as code; a 1×1 result is made a 2-D array too."""
    clashes = [name for name in variables if keyword.iskeyword(name) or name == "np"]
    if clashes:
        raise MatcalcError(f"the name {clashes[0]} cannot be used in Python code; "
                           "rename it to get --format numpy")
    code = NumpyPrinter(variables).print(e)
    return f"np.atleast_2d({code})" if e.is_scalar else code
