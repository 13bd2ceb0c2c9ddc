"""NumPy code: one Python expression in `np` and the question's names.

Names are bound to 2-D arrays (vectors as (n, 1)); vec is column-major (order="F"), so the
Jacobian of an m×n function of a p×q matrix evaluates to an (m·n)×(p·q) array. Sizes come from
the arrays themselves (X.shape[0]), so the code works at any size.
"""
from __future__ import annotations

import keyword

from ..calculus.dims import Dim
from ..errors import MatcalcError
from ..calculus.expr import Expr, Var
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
        parts += [self.sizes.get(s) or self._derived(s) for s in d.symbols]
        return "*".join(parts)

    def _derived(self, symbol: str) -> str:
        """min(m,n), the rank of an m×n matrix, and n(n+1)/2 (dims.DERIVED_CODE), in terms of
        the arrays' sizes."""
        from ..calculus.dims import DERIVED_CODE
        if symbol in DERIVED_CODE:
            return DERIVED_CODE[symbol](self.dim)
        if symbol.startswith("min(") and symbol.endswith(")"):
            sizes = [self.sizes.get(part, part) for part in symbol[4:-1].split(",")]
            return f"min({', '.join(sizes)})"
        return symbol

    def _print_Size(self, e) -> str:
        return f"({self.dim(e.n)})"

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
        """A − B rather than A + (-1 * B)."""
        out = self.print(e.terms[0])
        for term in e.terms[1:]:
            negated = _negated(term)
            out += f" - {self.print(negated)}" if negated is not None else f" + {self.print(term)}"
        return f"({out})"

    def _print_Mul(self, e) -> str:
        scalars = [self.print(f) for f in e.scalars]
        matrices = [self.print(f) for f in e.matrices]
        if matrices:
            scalars.append(" @ ".join(matrices) if len(matrices) == 1 else "(" + " @ ".join(matrices) + ")")
        return "(" + " * ".join(scalars) + ")"

    def _print_Transpose(self, e) -> str:
        from ..calculus.expr import Vec
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
        return _numpy_function(e.name, self.print(e.arg))

    def _print_Ones(self, e) -> str:
        return f"np.ones(({self.dim(e.rows)}, {self.dim(e.cols)}))"

    def _print_ElementFunc(self, e) -> str:
        return _numpy_function(e.name, self.print(e.arg))

    def _print_Softmax(self, e) -> str:
        x = self.print(e.arg)
        return f"(np.exp({x} - np.max({x})) / np.sum(np.exp({x} - np.max({x}))))"

    def _print_LogSumExp(self, e) -> str:
        x = self.print(e.arg)
        return f"(np.max({x}) + np.log(np.sum(np.exp({x} - np.max({x})))))"

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

    # ── matrix functions, decompositions and spectra ──
    # Matrix functions and their Fréchet derivatives come from scipy.linalg (Schur–Padé
    # methods, stable where an eigendecomposition is not), imported by the code itself.
    def _print_MatFunc(self, e) -> str:
        call = f"{SCIPY}.{e.name}({self.print(e.arg)})"
        return call if e.name == "expm" else f"np.real_if_close({call})"

    def _print_Frechet(self, e) -> str:
        """e^X: scipy's expm_frechet, one direction a column; X^½: (I ⊗ S + Sᵀ ⊗ I)⁻¹;
        log X: the inverse of the exponential's at log X."""
        x = self.print(e.arg)
        if e.name == "sqrtm":
            return (f"(lambda S: (lambda I: np.linalg.inv(np.kron(I, S) + np.kron(S.T, I)))"
                    f"(np.eye(len(S))))(np.real_if_close({SCIPY}.sqrtm({x})))")
        expm = ("(lambda A: (lambda n: np.column_stack([{s}.expm_frechet(A, E.reshape(n, n, "
                "order='F'), compute_expm=False).reshape(-1, order='F') for E in np.eye(n * n)]))"
                "(len(A)))").format(s=SCIPY)
        if e.name == "expm":
            return f"{expm}({x})"
        return f"np.linalg.inv({expm}(np.real_if_close({SCIPY}.logm({x}))))"

    def _print_DivDiff(self, e) -> str:
        f, fprime = {"expm": ("np.exp(w)", "np.exp(w)"), "logm": ("np.log(w)", "1 / w"),
                     "sqrtm": (None, None)}[e.name]
        if f is None:
            body = "1 / (np.sqrt(w)[:, None] + np.sqrt(w)[None, :])"
        else:
            body = (f"(lambda d, c: np.where(c, ({fprime})[:, None] + 0 * d, (({f})[:, None] - "
                    f"({f})[None, :]) / np.where(c, 1, d)))(w[:, None] - w[None, :], "
                    "np.isclose(w[:, None], w[None, :]))")
        return f"(lambda w: {body})(np.linalg.eig({self.print(e.arg)})[0])"

    def _print_Factor(self, e) -> str:
        x = self.print(e.arg)
        sym = f"(({x} + {x}.T) / 2)"
        svd = f"np.linalg.svd({x}, full_matrices=False)"
        return {"V": f"np.linalg.eig({x})[1]", "Q": f"np.linalg.eigh({sym})[1]",
                "U": f"{svd}[0]", "W": f"{svd}[2].T",
                "qmax": f"np.linalg.eigh({sym})[1][:, -1:]", "qmin": f"np.linalg.eigh({sym})[1][:, :1]",
                "umax": f"{svd}[0][:, :1]", "wmax": f"{svd}[2][:1].T",
                "umin": f"{svd}[0][:, -1:]", "wmin": f"{svd}[2][-1:].T",
                "emax": f"np.eye(len({x}))[:, [np.argmax({x})]]",
                "emin": f"np.eye(len({x}))[:, [np.argmin({x})]]"}[e.kind]

    def _print_Spectrum(self, e) -> str:
        x = self.print(e.arg)
        if e.kind == "eig":
            return f"np.linalg.eigvalsh(({x} + {x}.T) / 2).reshape(-1, 1)"
        return f"np.linalg.svd({x}, compute_uv=False).reshape(-1, 1)"

    def _print_Extreme(self, e) -> str:
        return f"np.{e.kind}({self.print(e.arg)})"

    def _print_Chol(self, e) -> str:
        x = self.print(e.arg)
        return f"np.linalg.cholesky(({x} + {x}.T) / 2)"

    def _print_HalfLower(self, e) -> str:
        n = self.dim(e.n)
        return f"(np.tril(np.ones(({n}, {n}))) - np.eye({n}) / 2)"

    def _print_Adj(self, e) -> str:
        x = self.print(e.arg)
        return f"(np.linalg.det({x}) * np.linalg.inv({x}))"

    def _print_Pinv(self, e) -> str:
        return f"np.linalg.pinv({self.print(e.arg)})"

    def _print_Partial(self, e) -> str:
        from ..errors import MatcalcError
        raise MatcalcError("an unexpanded derivative ∂F/∂X has no NumPy form")


SCIPY = "__import__('scipy.linalg').linalg"


def _exponent(p) -> str:
    return str(p.numerator) if p.denominator == 1 else f"({p.numerator}/{p.denominator})"


def numpy_code(e: Expr, variables: dict[str, Var]) -> str:
    """The expression as code; a 1×1 result is made a 2-D array too."""
    clashes = [name for name in variables if keyword.iskeyword(name) or name == "np"]
    if clashes:
        raise MatcalcError(f"the name {clashes[0]} cannot be used in Python code; "
                           "rename it to get --format numpy")
    code = NumpyPrinter(variables).print(e)
    if _eigenbasis(e):  # V and F may be complex for a real X; the answer is real
        code = f"np.real({code})"
    return f"np.atleast_2d({code})" if e.is_scalar else code


def _eigenbasis(e: Expr) -> bool:
    from ..calculus.expr import DivDiff, Factor
    stack, seen = [e], set()
    while stack:
        node = stack.pop()
        if isinstance(node, DivDiff) or (isinstance(node, Factor) and node.kind == "V"):
            return True
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.children)
    return False


def _numpy_function(name: str, x: str) -> str:
    """np.exp(x); relu, the logistic function and softplus, which NumPy lacks (the last two in
    stable forms)."""
    if name == "sigmoid":
        return f"(0.5 * (1 + np.tanh(0.5 * {x})))"
    if name == "softplus":
        return f"np.logaddexp(0, {x})"
    if name == "relu":
        return f"np.maximum({x}, 0)"
    return f"np.{name}({x})"


def _negated(term):
    """−term when term is a product with a negative number in front, else None."""
    from ..calculus.expr import Mul, Num
    if not isinstance(term, Mul) or not isinstance(term.factors[0], Num) or term.factors[0].value >= 0:
        return None
    c, rest = -term.factors[0].value, term.factors[1:]
    factors = rest if c == 1 else (Num(c), *rest)
    return factors[0] if len(factors) == 1 else Mul(factors)
