"""matcalc answers as sympy matrix expressions, to go on with in sympy.

    >>> d = derive("inv(A)", "A")
    >>> J = d.to_sympy()                 # -KroneckerProduct(A.T**(-1), A**(-1))
    >>> s = d.sympy_symbols()            # {"n": n, "A": A}: the size and the name
    >>> J.subs({s["n"]: 2, s["A"]: Matrix([[2, 1], [1, 1]])}).doit()     # a 4×4 Matrix

The tree is walked and sympy objects are built from it; no text is ever parsed by sympy.
Names become `MatrixSymbol`s (a 1×1 name becomes a `Symbol`), sizes become positive integer
`Symbol`s, and the operations sympy's own `Transpose`, `Inverse`, `MatPow`, `Determinant`,
`Trace`, `KroneckerProduct`, `Identity`, `ZeroMatrix`, `log`, `exp`, `sqrt`. The element-wise
operations are sympy's too: 𝟏 is `OneMatrix`, F ∘ G `HadamardProduct`, F.^p `HadamardPower`,
exp(F) (or log, sqrt, sin, cos, tanh, cosh, sinh) an `ElementwiseApplyFunction`, diag(v)
`DiagMatrix`, diag(X) `Diagonal`, sympy's `DiagonalOf` with a shape that survives substituting
an explicit matrix; sum(F) is 𝟏ᵀF𝟏 and ‖F‖ is √tr(FᵀF).

Small additions stand for what sympy lacks: `Vec(M)`, the columns of M stacked,
`CommutationMatrix(m, n)`, K_mn with K vec(M) = vec(Mᵀ), and `DuplicationMatrix(n)`, Dₙ with
Dₙ vech(X) = vec(X) for symmetric X; all give explicit matrices under `.doit()` once their
arguments are explicit, as does `Diagonal(X)`. `elementwise(f, M)` builds the
`ElementwiseApplyFunction` of a sympy function with one fixed bound variable, so that two
builds of exp(X) are equal (sympy's own `M.applyfunc(exp)` makes a new Dummy each time).

matcalc treats every 1×1 expression as a scalar, and so does this module: a determinant, a
trace, a 1×1 name or number is a sympy scalar, and a product of matrices that comes out 1×1
(aᵀXb) is written as the trace of that 1×1 matrix, `Trace(a.T*X*b)` — its one entry, in a form
sympy keeps as it is (an indexed entry, `(a.T*X*b)[0, 0]`, is expanded into a Sum).

sympy's `doit()` leaves an identity next to an explicit matrix unevaluated (`I + Matrix(…)`);
`explicit(e)` finishes the job: `doit()`, then identity, zero and all-ones matrices written
out and `doit()` again, and what is still left (a Hadamard power, say) written out entry by entry.
Transposes are taken with `.T`, as sympy code would, so `(A⁻¹)ᵀ` comes out `A.T**(-1)`.

This module is the only one that imports sympy; importing matcalc does not.
"""
from __future__ import annotations

import keyword
from functools import reduce
from operator import add, mul

import sympy as sp
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.str import StrPrinter

from ..calculus.build import definition
from ..calculus.dims import DERIVED_SIZES, Dim
from ..errors import MatcalcError
from ..calculus.expr import Adj, Chol, DivDiff, Extreme, Factor, Frechet, HalfLower, MatFunc, Pinv, Spectrum
from ..calculus.expr import symbolic_power
from ..calculus.expr import (Add, Commutation, Det, DiagMatrix, DiagPart, Duplication, ElementFunc,
                   ElementPow, Expr, Func, Hadamard, Identity, Inverse, Kron, LogDet, LogSumExp,
                   Mul, Norm, Num, Ones, Power, ScalarPow, Size, Softmax, SumAll, Trace, Transpose, Var, Vec as VecNode,
                   Zero, tree_size, variables)
from ..limits import check_sympy_size


# ── the two additions ───────────────────────────────────────────────────────────────────

class Vec(sp.MatrixExpr):
    """vec(M): the columns of M stacked into one column (column-major, numpy order="F")."""

    def __new__(cls, arg):
        arg = _sympify(arg)
        if not getattr(arg, "is_Matrix", False):
            raise TypeError(f"Vec needs a matrix, given {arg!r}")
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @property
    def shape(self):
        rows, cols = self.arg.shape
        return (rows * cols, sp.S.One)

    def _entry(self, i, j, **kwargs):
        rows = self.arg.shape[0]
        return self.arg[i % rows, i // rows]

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if not isinstance(arg, sp.MatrixBase) and _is_concrete(arg):
            arg = arg.as_explicit()
        if isinstance(arg, sp.MatrixBase):
            return sp.ImmutableMatrix(arg.T.reshape(arg.rows * arg.cols, 1))
        return Vec(arg)

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm
        form = prettyForm(*printer._print(self.arg).parens())
        return prettyForm(*form.left("vec"))

    def _latex(self, printer):
        return rf"\operatorname{{vec}}\left({printer._print(self.arg)}\right)"


class CommutationMatrix(sp.MatrixExpr):
    """K_mn, the mn×mn permutation matrix with K vec(M) = vec(Mᵀ) for every m×n matrix M."""

    def __new__(cls, m, n):
        return super().__new__(cls, _sympify(m), _sympify(n))

    @property
    def shape(self):
        m, n = self.args
        return (m * n, m * n)

    def _entry(self, i, j, **kwargs):
        m, n = self.args
        return sp.KroneckerDelta(j, (i // n) + (i % n) * m)

    def doit(self, **hints):
        m, n = self.args
        if m.is_Integer and n.is_Integer:
            return self.as_explicit()
        return self

    def _pretty(self, printer):
        m, n = self.args
        return printer._print(sp.Symbol(f"K_{m}" if m == n else f"K_{m}{n}"))

    def _latex(self, printer):
        m, n = self.args
        if m == n:
            return rf"K_{{{printer._print(m)}}}"
        return rf"K_{{{printer._print(m)}{printer._print(n)}}}"


class DuplicationMatrix(sp.MatrixExpr):
    """Dₙ (Magnus & Neudecker), the n²×n(n+1)/2 matrix of zeros and ones with
    Dₙ vech(X) = vec(X) for every symmetric n×n X; vech stacks the lower triangle by columns."""

    def __new__(cls, n):
        return super().__new__(cls, _sympify(n))

    @property
    def n(self):
        return self.args[0]

    @property
    def shape(self):
        return (self.n ** 2, self.n * (self.n + 1) / 2)

    def _entry(self, i, j, **kwargs):
        if not self.n.is_Integer or not getattr(i, "is_Integer", False) or \
                not getattr(j, "is_Integer", False):
            raise NotImplementedError("Dₙ's entries are written out for a number n")
        row, col = _vech_position(int(self.n), int(j))
        return sp.S.One if int(i) in (row + int(self.n) * col, col + int(self.n) * row) \
            else sp.S.Zero

    def doit(self, **hints):
        return self.as_explicit() if self.n.is_Integer else self

    def _pretty(self, printer):
        return printer._print(sp.Symbol(f"D_{self.n}"))

    def _latex(self, printer):
        return rf"D_{{{printer._print(self.n)}}}"


def _vech_position(n: int, k: int) -> tuple[int, int]:
    """(row, column) of vech's k-th element: the lower triangle read column by column."""
    for col in range(n):
        if k < n - col:
            return col + k, col
        k -= n - col
    raise IndexError("past the end of vech")


class Diagonal(sp.DiagonalOf):
    """diag(X), the diagonal of a square X as a column: sympy's DiagonalOf, with a shape that
    still works once X is an explicit Matrix (sympy's own fails there, on a Python int, as soon
    as a product or a substitution asks for it)."""

    def __new__(cls, arg):
        arg = _sympify(arg)
        if not getattr(arg, "is_Matrix", False):
            raise TypeError(f"Diagonal needs a matrix, given {arg!r}")
        return super().__new__(cls, arg)

    @property
    def shape(self):
        rows, cols = (_sympify(d) for d in self.arg.shape)
        if rows == cols:
            return (rows, sp.S.One)
        return (sp.Min(rows, cols), sp.S.One)

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sp.MatrixBase):
            return sp.ImmutableMatrix(arg.diagonal().T)
        return Diagonal(arg)


_ELEMENT = sp.Dummy("x")


def elementwise(function, m):
    """function applied element by element to the matrix m, as sympy's
    ElementwiseApplyFunction, bound always to one variable so that equal builds are equal
    (f of g of M is one function of M, as sympy would make it, but bound to that variable)."""
    if isinstance(m, ElementwiseApplyFunction):
        (variable,), inner = m.function.variables, m.function.expr
        return ElementwiseApplyFunction(
            sp.Lambda(_ELEMENT, function(inner.subs(variable, _ELEMENT))), m.expr)
    return ElementwiseApplyFunction(sp.Lambda(_ELEMENT, function(_ELEMENT)), m)


SYMPY_NAMES = {"abs": "Abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan"}


def _sympy_function(name: str):
    """The rule table's function `name` in sympy; relu(s) = (s + |s|)/2."""
    if name == "relu":
        return lambda s: (s + sp.Abs(s)) / 2
    return getattr(sp, SYMPY_NAMES.get(name, name))


def _elementwise(name: str, m):
    if name == "relu":  # (M + abs(M))/2, element by element
        return sp.Rational(1, 2) * (m + elementwise(sp.Abs, m))
    return elementwise(_sympy_function(name), m)


def _is_concrete(m) -> bool:
    """A matrix expression with no names left and a shape in numbers: it can be written out."""
    return not m.free_symbols and all(_sympify(d).is_Integer for d in m.shape)


def explicit(e):
    """An explicit sympy Matrix (or number) once every name in e has been given a value.

    `doit()` first; sympy keeps identities and zero matrices symbolic beside explicit matrices
    (`I + Matrix(…)`), so those are written out next and the products done again.
    """
    e = e.doit()
    if not isinstance(e, sp.MatrixExpr) or isinstance(e, sp.MatrixBase):
        return e
    e = e.replace(lambda x: isinstance(x, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix))
                  and _is_concrete(x), lambda x: x.as_explicit()).doit()
    # What doit() leaves (a Hadamard product with I, diag(X) of a Matrix) is written out from
    # its entries, innermost first.
    e = e.replace(lambda x: isinstance(x, sp.MatrixExpr) and not isinstance(x, sp.MatrixBase)
                  and _is_concrete(x), lambda x: x.as_explicit()).doit()
    if not isinstance(e, sp.MatrixExpr) or isinstance(e, sp.MatrixBase):
        return e
    return e.as_explicit()


# ── matcalc tree → sympy ────────────────────────────────────────────────────────────────

def size(d: Dim) -> sp.Expr:
    """A dimension as a sympy expression: 3, n, m*n, n*(n + 1)/2."""
    return reduce(mul, (_size_factor(s) for s in d.symbols), sp.Integer(d.coeff))


def _size_factor(name: str) -> sp.Expr:
    """A size symbol, or a derived size such as n(n+1)/2 computed by its registered rule with
    sympy symbols for the sizes (its integer division of a product known even is exact)."""
    rule = DERIVED_SIZES.get(name)
    if rule is None:
        return size_symbol(name)
    value = rule(_SizeSymbols())  # an int, or a sympy expression in the size symbols
    value = sp.Integer(value) if isinstance(value, int) else value
    return value.replace(sp.floor, lambda x: x)


class _SizeSymbols(dict):
    def __missing__(self, name):
        return size_symbol(name)


def size_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


def symbol(var: Var):
    """The sympy name of a variable: a MatrixSymbol, or a Symbol when it is 1×1."""
    if var.is_scalar:
        return sp.Symbol(var.name)
    return sp.MatrixSymbol(var.name, size(var.rows), size(var.cols))


def symbols(e: Expr, names: dict[str, Var] | None = None) -> dict[str, sp.Basic]:
    """The size symbols and the names of e (and of `names`) by name, as `to_sympy` writes
    them; a name that is also a size (a vector n of size n) means the name."""
    sizes, names = _symbols(e, names)
    return {**sizes, **names}


def _symbols(e: Expr, names: dict[str, Var] | None):
    every = {**variables(e), **(names or {})}
    sizes = {s: size_symbol(s) for var in every.values() for d in var.shape for s in d.symbols}
    return sizes, {name: symbol(var) for name, var in every.items()}


def to_sympy(e: Expr):
    """The sympy expression for e: a matrix expression, or a scalar when e is 1×1."""
    check_sympy_size(tree_size(e))  # sympy takes seconds for a few thousand nodes
    memo: dict[Expr, sp.Basic] = {}

    def convert(node: Expr):
        done = memo.get(node)
        if done is None:
            build = _BUILDERS.get(type(node))
            if build is None:
                raise MatcalcError(f"{type(node).__name__} has no sympy form")
            done = memo[node] = build(node, convert)
        return done

    return convert(e)


def _scalar(node: Expr, value):
    """A 1×1 node's value as a sympy scalar: a 1×1 matrix product becomes its trace."""
    assert node.is_scalar
    return sp.Trace(value) if isinstance(value, sp.MatrixExpr) else value


def _mul(e: Mul, convert):
    coeffs = [convert(f) for f in e.scalars]
    chain = [convert(f) for f in e.matrices]
    if not chain:
        return reduce(mul, coeffs)
    product = reduce(mul, chain)
    if e.is_scalar:
        product = _scalar(e, product)
    return reduce(mul, coeffs + [product])


def _kron(e: Kron, convert):
    left, right = convert(e.left), convert(e.right)
    if e.left.is_scalar or e.right.is_scalar:
        return left * right
    (c, left), (d, right) = _split_scalar(left), _split_scalar(right)
    return c * d * sp.KroneckerProduct(left, right)


def _split_scalar(m):
    """(c, M) with m = cM: sympy's Kronecker product fails on a symbolic scalar inside it,
    as in (tr(aᵀXᵀa) aaᵀ) ⊗ I, so scalars go outside."""
    if isinstance(m, sp.MatMul):
        c, matrices = m.as_coeff_matrices()
        return c, matrices[0] if len(matrices) == 1 else sp.MatMul(*matrices)
    return sp.Integer(1), m


def _commutation(e: Commutation, convert):
    if e.m.is_one or e.n.is_one:
        return _identity(Identity(e.m * e.n), convert)
    return CommutationMatrix(size(e.m), size(e.n))


def _identity(e: Identity, convert):
    return sp.Integer(1) if e.n.is_one else sp.Identity(size(e.n))


def _unless_scalar(matrix_op, scalar_op=lambda x: x):
    """A matrix operation that, on a 1×1 argument, is the scalar operation instead."""
    return lambda e, convert: (scalar_op(convert(e.arg)) if e.arg.is_scalar
                               else matrix_op(convert(e.arg)))


def _ones(e: Ones, convert):
    return sp.Integer(1) if e.is_scalar else sp.OneMatrix(size(e.rows), size(e.cols))


def _hadamard(e: Hadamard, convert):
    left, right = convert(e.left), convert(e.right)
    return left * right if e.is_scalar else sp.HadamardProduct(left, right)


def _sum_all(e: SumAll, convert):
    """sum(F) = 𝟏ᵀF𝟏, a ones vector left out where F has one row or one column."""
    value = convert(e.arg)
    if e.arg.is_scalar:
        return value
    rows, cols = e.arg.shape
    chain = ([] if rows.is_one else [sp.OneMatrix(1, size(rows))]) + [value] + \
        ([] if cols.is_one else [sp.OneMatrix(size(cols), 1)])
    return _scalar(e, sp.MatMul(*chain))


def _norm(e: Norm, convert):
    """‖F‖ = √tr(FᵀF), the square root of the sum of squares; |x| of a scalar."""
    value = convert(e.arg)
    if e.arg.is_scalar:
        return sp.Abs(value)
    return sp.sqrt(sp.Trace(value.T * value))


def _duplication(e: Duplication, convert):
    return sp.Integer(1) if e.n.is_one else DuplicationMatrix(size(e.n))


def _rational(q) -> sp.Rational:
    return sp.Rational(q.numerator, q.denominator)


def _function(e, convert):
    """exp(F), sin(F), …; σ and softplus, which sympy lacks, by their definitions."""
    if e.name in ("sigmoid", "softplus"):
        return convert(definition(e))
    if (power := symbolic_power(e)) is not None:  # exp(b ln a) = a^b, X.^t as HadamardPower
        base, u = (convert(part) for part in power)
        return base ** u if power[0].is_scalar else sp.HadamardPower(base, u)
    if e.arg.is_scalar:
        return _sympy_function(e.name)(convert(e.arg))
    return _elementwise(e.name, convert(e.arg))


_BUILDERS = {
    Var: lambda e, convert: symbol(e),
    Num: lambda e, convert: sp.Rational(e.value.numerator, e.value.denominator),
    Identity: _identity,
    Size: lambda e, convert: size(e.n),
    Zero: lambda e, convert: sp.Integer(0) if e.is_scalar else sp.ZeroMatrix(size(e.rows),
                                                                             size(e.cols)),
    Commutation: _commutation,
    Add: lambda e, convert: reduce(add, [convert(t) for t in e.terms]),
    Mul: _mul,
    Transpose: _unless_scalar(lambda m: m.T),
    Inverse: _unless_scalar(sp.Inverse, lambda x: 1 / x),
    Power: lambda e, convert: convert(e.arg) ** e.k,
    Det: _unless_scalar(sp.Determinant),
    LogDet: _unless_scalar(lambda m: sp.log(sp.Determinant(m)), sp.log),
    Trace: _unless_scalar(sp.Trace),
    VecNode: _unless_scalar(Vec),
    Kron: _kron,
    Func: lambda e, convert: _function(e, convert),
    ScalarPow: lambda e, convert: convert(e.arg) ** _rational(e.exponent),
    Ones: _ones,
    ElementFunc: lambda e, convert: _function(e, convert),
    Softmax: lambda e, convert: convert(definition(e)),
    LogSumExp: lambda e, convert: convert(definition(e)),
    ElementPow: lambda e, convert: (convert(e.arg) ** _rational(e.exponent) if e.arg.is_scalar
                                    else sp.HadamardPower(convert(e.arg),
                                                          _rational(e.exponent))),
    Hadamard: _hadamard,
    DiagMatrix: _unless_scalar(sp.DiagMatrix),
    DiagPart: _unless_scalar(Diagonal),
    SumAll: _sum_all,
    Norm: _norm,
    Duplication: _duplication,
}


def _matrix_function(e, convert):
    """X^½ is sympy's MatPow(X, 1/2); sympy has no matrix exponential or logarithm object."""
    if e.name == "sqrtm":
        return sp.MatPow(convert(e.arg), sp.Rational(1, 2))
    return _absent(e, convert)


def _frechet(e, convert):
    """(I ⊗ X^½ + (X^½)ᵀ ⊗ I)⁻¹ for the square root; the eigenbasis form has no sympy object."""
    if e.name != "sqrtm":
        return _absent(e, convert)
    from ..calculus.matfunc import expanded
    return convert(expanded(e))


def _absent(e, convert):
    from . import render
    raise MatcalcError(f"sympy has no object for {render(e)}; use --format unicode, latex or numpy")


_BUILDERS.update({
    MatFunc: _matrix_function,
    Adj: lambda e, convert: sp.Determinant(convert(e.arg)) * sp.Inverse(convert(e.arg)),
    Frechet: _frechet,
    **dict.fromkeys((DivDiff, Factor, Spectrum, Extreme, Chol, HalfLower, Pinv), _absent),
})


# ── Python source that builds the same object ───────────────────────────────────────────

_ADDITIONS = ("Vec", "CommutationMatrix", "DuplicationMatrix", "Diagonal", "elementwise")
_RESERVED = {"sp", *_ADDITIONS}


class _CodePrinter(StrPrinter):
    """sympy's str printer, made to print Python that rebuilds the object exactly."""

    def __init__(self, identifiers: dict[sp.Basic, str]):
        super().__init__({"order": "none"})
        self.identifiers = identifiers
        self.used: set[str] = set()

    def _call(self, name: str, *args) -> str:
        self.used.add(name)
        prefix = "" if name in _ADDITIONS else "sp."
        return f"{prefix}{name}({', '.join(self._print(a) for a in args)})"

    def _print_Symbol(self, e):
        return self.identifiers.get(e, e.name)

    def _print_MatrixSymbol(self, e):
        return self.identifiers[e]

    def _print_Rational(self, e):
        return self._call("Rational", e.p, e.q)

    def _print_Half(self, e):
        return self._print_Rational(e)

    def _print_Pow(self, e, rational=False):
        if e.exp == sp.S.Half:
            return self._call("sqrt", e.base)
        if e.exp == -sp.S.Half:
            return f"1/{self._call('sqrt', e.base)}"
        return super()._print_Pow(e, rational)

    def _print_Function(self, e):
        return self._call(type(e).__name__, *e.args)

    _print_exp = _print_log = _print_sin = _print_cos = _print_tanh = _print_cosh = \
        _print_sinh = _print_Abs = _print_sign = _print_tan = _print_asin = _print_acos = \
        _print_atan = _print_Function

    def _print_OneMatrix(self, e):
        return self._call("OneMatrix", e.rows, e.cols)

    def _print_HadamardProduct(self, e):
        return self._call("HadamardProduct", *e.args)

    def _print_HadamardPower(self, e):
        return self._call("HadamardPower", e.base, e.exp)

    def _print_ElementwiseApplyFunction(self, e):
        """elementwise(sp.f, M); sympy merges f of g of M into one function, written back as
        elementwise(sp.f, elementwise(sp.g, M))."""
        (variable, *more), body, names = e.function.variables, e.function.expr, []
        while body != variable and len(body.args) == 1 and isinstance(body, sp.Function):
            names.append(type(body).__name__)
            body = body.args[0]
        if more or body != variable or not names:
            raise MatcalcError(f"{e} was not built by elementwise()")
        self.used.add("elementwise")
        text = self._print(e.expr)
        for name in reversed(names):
            text = f"elementwise(sp.{name}, {text})"
        return text

    def _print_DiagMatrix(self, e):
        return self._call("DiagMatrix", *e.args)

    def _print_Diagonal(self, e):
        return self._call("Diagonal", e.arg)

    def _print_Identity(self, e):
        return self._call("Identity", e.rows)

    def _print_ZeroMatrix(self, e):
        return self._call("ZeroMatrix", e.rows, e.cols)

    def _print_Inverse(self, e):
        return self._call("Inverse", e.arg)

    def _print_Determinant(self, e):
        return self._call("Determinant", e.arg)

    def _print_Trace(self, e):
        return self._call("Trace", e.arg)

    def _print_KroneckerProduct(self, e):
        return self._call("KroneckerProduct", *e.args)

    def _print_Vec(self, e):
        return self._call("Vec", e.arg)

    def _print_CommutationMatrix(self, e):
        return self._call("CommutationMatrix", *e.args)

    def _print_DuplicationMatrix(self, e):
        return self._call("DuplicationMatrix", e.n)


def _identifiers(objects: list[sp.Basic]) -> dict[sp.Basic, str]:
    """A Python identifier for each symbol, steering clear of keywords and of each other."""
    taken = set(_RESERVED)
    out = {}
    for obj in objects:
        ident = obj.name
        while keyword.iskeyword(ident) or ident in taken:
            ident += "_"
        taken.add(ident)
        out[obj] = ident
    return out


def sympy_code(e: Expr, names: dict[str, Var] | None = None) -> str:
    """Python source that builds to_sympy(e): imports, the symbols, then the expression.

    The last line is the expression itself, so the code pasted into a notebook cell shows the
    answer; `names` (name → Var) adds symbols e itself may lack, such as the variable of
    differentiation.
    """
    sizes, matrices = _symbols(e, names)
    identifiers = _identifiers([*sizes.values(), *matrices.values()])
    printer = _CodePrinter(identifiers)
    value = to_sympy(e)
    body = printer.doprint(value)
    if isinstance(value, sp.Integer):
        body = f"sp.Integer({body})"

    lines = ["import sympy as sp"]
    additions = [name for name in _ADDITIONS if name in printer.used]
    if additions:
        lines.append(f"from matcalc.render.sympy_export import {', '.join(additions)}")
    if sizes:
        idents = ", ".join(identifiers[s] for s in sizes.values())
        make = "sp.symbols" if len(sizes) > 1 else "sp.Symbol"
        lines.append(f'{idents} = {make}("{" ".join(sizes)}", integer=True, positive=True)')
    for obj in matrices.values():
        if isinstance(obj, sp.MatrixSymbol):
            rows, cols = (printer.doprint(d) for d in obj.shape)
            lines.append(f'{identifiers[obj]} = sp.MatrixSymbol("{obj.name}", {rows}, {cols})')
        else:
            lines.append(f'{identifiers[obj]} = sp.Symbol("{obj.name}")')
    lines.append(body)
    return "\n".join(lines)
