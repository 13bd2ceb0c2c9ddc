"""The expression tree: immutable nodes that know their shape.

Nodes are hash-consed: building the same node twice gives the same object, so equal
subexpressions are shared, and equality and hashing cost O(1) however deep the tree.
Derivatives are expressions too (Kronecker products, the commutation matrix K, vec and vecᵀ),
so one tree, one simplifier and one set of printers serve questions and answers alike.
"""
from __future__ import annotations

import weakref
from fractions import Fraction

from .dims import DERIVED_CODE, DERIVED_SIZES, ONE, Dim, Shape, shape_str
from ..errors import ShapeError
from ..limits import check_depth, check_number, spend

_NODES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


class _Interned(type):
    def __call__(cls, *args):
        spend(1 + sum(len(a) >> 2 for a in args if type(a) is tuple))  # operands cost a quarter
        key = (cls, *args)
        node = _NODES.get(key)
        if node is None:
            node = super().__call__(*args)
            _NODES[key] = node
        return node


class Expr(metaclass=_Interned):
    """A node. A kind of node lists its fields as annotations, in the order its constructor
    takes them: Var("X", rows, cols). Nodes are immutable, and equal only when identical.

    Plain classes rather than dataclasses: importing dataclasses and building the classes
    with it would take longer than parsing, deriving and printing an answer.
    """

    fields: tuple[str, ...] = ()
    shape: Shape
    is_scalar: bool
    depth: int

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.fields = tuple(cls.__dict__.get("__annotations__", {}))

    def __init__(self, *values):
        if len(values) != len(self.fields):
            raise TypeError(f"{type(self).__name__} takes {len(self.fields)} values "
                            f"({', '.join(self.fields)}), not {len(values)}")
        for name, value in zip(self.fields, values):
            object.__setattr__(self, name, value)
        self.__post_init__()

    def __post_init__(self) -> None:
        depth = 1 + max((c.depth for c in self.children), default=0)
        check_depth(depth)  # every tree walk is recursive: no tree may be deeper than this
        object.__setattr__(self, "depth", depth)
        shape = self._shape()
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "is_scalar", shape == (ONE, ONE))

    def __setattr__(self, name, value):
        raise AttributeError(f"a {type(self).__name__} node is immutable")

    def __delattr__(self, name):
        raise AttributeError(f"a {type(self).__name__} node is immutable")

    def __reduce__(self):
        """Copies and pickles are rebuilt through the constructor, so they are the same node."""
        return type(self), tuple(getattr(self, name) for name in self.fields)

    def _shape(self) -> Shape:
        raise NotImplementedError

    @property
    def children(self) -> tuple[Expr, ...]:
        return ()

    @property
    def size(self) -> Dim:
        return self.shape[0] * self.shape[1]

    def __repr__(self) -> str:
        from ..render import render
        return f"<{type(self).__name__} {render(self, 'ascii')} : {shape_str(self.shape)}>"

    def __str__(self) -> str:
        """The expression as matcalc prints it: A⁻ᵀ, vecᵀ, ⊗."""
        from ..render import render
        return render(self)

    def _repr_latex_(self) -> str:
        """How a notebook shows an expression: display math."""
        from ..render import render
        return f"$${render(self, 'latex')}$$"


def _unary(cls):
    cls.children = property(lambda self: (self.arg,))
    return cls


# ── leaves ──────────────────────────────────────────────────────────────────────────────

class Var(Expr):
    name: str
    rows: Dim
    cols: Dim

    def _shape(self):
        return (self.rows, self.cols)


class Num(Expr):
    value: Fraction

    def _shape(self):
        check_number(self.value)
        return (ONE, ONE)


class Identity(Expr):
    n: Dim

    def _shape(self):
        return (self.n, self.n)


class Size(Expr):
    """A size as a number: n = tr(Iₙ), the 1×1 value of a dimension."""
    n: Dim

    def _shape(self):
        return (ONE, ONE)


class Zero(Expr):
    rows: Dim
    cols: Dim

    def _shape(self):
        return (self.rows, self.cols)


class Commutation(Expr):
    """K_{mn}: the mn×mn permutation with K vec(M) = vec(Mᵀ) for every m×n matrix M."""
    m: Dim
    n: Dim

    def _shape(self):
        size = self.m * self.n
        return (size, size)


# ── operations ──────────────────────────────────────────────────────────────────────────

class Add(Expr):
    terms: tuple[Expr, ...]

    @property
    def children(self):
        return self.terms

    def _shape(self):
        first = self.terms[0]
        for term in self.terms[1:]:
            if term.shape != first.shape:
                raise ShapeError(f"cannot add {_describe(first)} and {_describe(term)}")
        return first.shape


class Mul(Expr):
    """A product. Factors of shape 1×1 are scalars and commute; the others must chain."""
    factors: tuple[Expr, ...]

    @property
    def children(self):
        return self.factors

    @property
    def scalars(self) -> tuple[Expr, ...]:
        return tuple(f for f in self.factors if f.is_scalar)

    @property
    def matrices(self) -> tuple[Expr, ...]:
        return tuple(f for f in self.factors if not f.is_scalar)

    def _shape(self):
        chain = self.matrices
        if not chain:
            return (ONE, ONE)
        rows, cols = chain[0].shape
        for left, right in zip(chain, chain[1:]):
            if right.shape[0] != cols:
                raise ShapeError(f"cannot multiply {_describe(left)} by {_describe(right)}: "
                                 f"{_count(cols, 'column')} against {_count(right.shape[0], 'row')}")
            cols = right.shape[1]
        return (rows, cols)


@_unary
class Transpose(Expr):
    arg: Expr

    def _shape(self):
        return self.arg.shape[::-1]


def _square(op: str, arg: Expr) -> Shape:
    if arg.shape[0] != arg.shape[1]:
        raise ShapeError(f"{op} needs a square matrix, but {_describe(arg)}")
    return arg.shape


def _scalar_shape(op: str, arg: Expr) -> Shape:
    if not arg.is_scalar:
        raise ShapeError(f"{op} needs a scalar argument, but {_describe(arg)}")
    return (ONE, ONE)


@_unary
class Inverse(Expr):
    arg: Expr

    def _shape(self):
        return _square("the inverse", self.arg)


@_unary
class Power(Expr):
    """A matrix (or scalar) raised to an integer power k ≠ 0, 1."""
    arg: Expr
    k: int

    def _shape(self):
        check_number(Fraction(self.k))
        return _square("a matrix power", self.arg)


@_unary
class Det(Expr):
    arg: Expr

    def _shape(self):
        _square("the determinant", self.arg)
        return (ONE, ONE)


@_unary
class LogDet(Expr):
    """ln|A|, kept whole: its derivative vecᵀ(A⁻ᵀ) is simpler than that of its parts."""
    arg: Expr

    def _shape(self):
        _square("the log-determinant", self.arg)
        return (ONE, ONE)


@_unary
class Trace(Expr):
    arg: Expr

    def _shape(self):
        _square("the trace", self.arg)
        return (ONE, ONE)


@_unary
class Vec(Expr):
    arg: Expr

    def _shape(self):
        return (self.arg.size, ONE)


class Kron(Expr):
    left: Expr
    right: Expr

    @property
    def children(self):
        return (self.left, self.right)

    def _shape(self):
        (a, b), (c, d) = self.left.shape, self.right.shape
        return (a * c, b * d)


SCALAR_FUNCTIONS = ("log", "exp", "sqrt")


@_unary
class Func(Expr):
    """A scalar function (log, exp, sqrt) of a scalar expression."""
    name: str
    arg: Expr

    def _shape(self):
        return _scalar_shape(self.name, self.arg)


def symbolic_power(e: Expr) -> tuple[Expr, Expr] | None:
    """(a, u) when e is exp(u ln a): a power a^u with a symbolic exponent (X.^u element by
    element), kept so, for a > 0, and printed as a power; None for any other node."""
    if not (isinstance(e, (Func, ElementFunc)) and e.name == "exp" and isinstance(e.arg, Mul)):
        return None
    *rest, last = e.arg.factors  # the builder puts the base's log last: |A|^(ln t), t^(ln|A|)
    if isinstance(last, LogDet):
        base = Det(last.arg)
    elif isinstance(last, (Func, ElementFunc)) and last.name == "log":
        base = last.arg
    else:
        return None
    if not all(f.is_scalar for f in rest) or all(isinstance(f, Num) for f in rest) or \
            any(isinstance(f, Num) for f in rest[1:]):
        return None  # exp(−ln t) is no symbolic power: it prints as written
    return base, rest[0] if len(rest) == 1 else Mul(tuple(rest))


@_unary
class ScalarPow(Expr):
    """A scalar expression raised to a rational power."""
    arg: Expr
    exponent: Fraction

    def _shape(self):
        check_number(self.exponent)
        return _scalar_shape("a fractional or negative power", self.arg)


@_unary
class Partial(Expr):
    """∂F/∂X = ∂vec F / ∂(vec X)ᵀ left unexpanded: what a derivation shows before a rule
    replaces it. The rule table never produces it; step-by-step output does."""
    arg: Expr
    wrt: Var

    def _shape(self):
        return (self.arg.size, self.wrt.size)


# ── element-wise operations, diagonals, sums and norms ──────────────────────────────────

ELEMENTWISE_FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "cosh", "sinh", "sigmoid",
                         "softplus")


class Ones(Expr):
    """𝟏: the all-ones matrix (or vector); vecᵀ(𝟏) vec F is the sum of F's elements."""
    rows: Dim
    cols: Dim

    def _shape(self):
        return (self.rows, self.cols)


@_unary
class ElementFunc(Expr):
    """f(F) applied element by element to a matrix or vector F (exp, log, sin, …)."""
    name: str
    arg: Expr

    def _shape(self):
        return self.arg.shape


@_unary
class ElementPow(Expr):
    """F.^p: each element of F raised to the rational power p."""
    arg: Expr
    exponent: Fraction

    def _shape(self):
        check_number(self.exponent)
        return self.arg.shape


class Hadamard(Expr):
    """F ∘ G, the element-by-element product of two matrices of one shape."""
    left: Expr
    right: Expr

    @property
    def children(self):
        return (self.left, self.right)

    def _shape(self):
        if self.left.shape != self.right.shape:
            raise ShapeError(f"the Hadamard product needs two matrices of one shape, but "
                             f"{_describe(self.left)} and {_describe(self.right)}")
        return self.left.shape


def _column(op: str, arg: Expr) -> Dim:
    if not arg.shape[1].is_one:
        raise ShapeError(f"{op} needs a column vector, but {_describe(arg)}")
    return arg.shape[0]


@_unary
class DiagMatrix(Expr):
    """diag(v): the square matrix with the column v on its diagonal."""
    arg: Expr

    def _shape(self):
        n = _column("diag(v)", self.arg)
        return (n, n)


@_unary
class DiagPart(Expr):
    """diag(X): the column of a square matrix's diagonal elements."""
    arg: Expr

    def _shape(self):
        return (_square("diag(X)", self.arg)[0], ONE)


@_unary
class SumAll(Expr):
    """sum(F) = 𝟏ᵀF𝟏: the sum of all elements."""
    arg: Expr

    def _shape(self):
        return (ONE, ONE)


@_unary
class Norm(Expr):
    """‖F‖: the 2-norm of a vector, the Frobenius norm √tr(FᵀF) of a matrix."""
    arg: Expr

    def _shape(self):
        return (ONE, ONE)


@_unary
class Softmax(Expr):
    """softmax(x) = exp(x)/sum(exp(x)) of a column x: positive, summing to 1."""
    arg: Expr

    def _shape(self):
        return (_column("softmax", self.arg), ONE)


@_unary
class LogSumExp(Expr):
    """logsumexp(x) = ln sum(exp(x)) of a column x, kept whole: its derivative is softmax(x)ᵀ."""
    arg: Expr

    def _shape(self):
        _column("logsumexp", self.arg)
        return (ONE, ONE)


def half_triangle(n: Dim) -> Dim:
    """n(n+1)/2, the number of distinct elements of a symmetric n×n matrix."""
    if n.value is not None:
        return Dim(n.value * (n.value + 1) // 2)
    symbol = f"{n}({n}+1)/2"
    DERIVED_SIZES.setdefault(symbol, lambda sizes: _half(n, sizes))
    DERIVED_CODE.setdefault(symbol, lambda code: f"({code(n)}*({code(n)} + 1)//2)")
    return Dim(1, (symbol,))


def _half(n: Dim, sizes: dict[str, int]) -> int:
    value = n.coeff
    for s in n.symbols:
        value *= sizes[s]
    return value * (value + 1) // 2


class Duplication(Expr):
    """Dₙ (Magnus & Neudecker): the n²×n(n+1)/2 matrix with Dₙ vech(X) = vec(X) for symmetric X."""
    n: Dim

    def _shape(self):
        return (self.n * self.n, half_triangle(self.n))


# ── matrix functions, decompositions and spectra (matcalc.calculus.matfunc knows their calculus) ──

MATRIX_FUNCTIONS = ("expm", "logm", "sqrtm")


@_unary
class MatFunc(Expr):
    """f(X) of a square matrix as a matrix function (not element by element): e^X, log X, X^½."""
    name: str
    arg: Expr

    def _shape(self):
        if self.name not in MATRIX_FUNCTIONS:
            raise ValueError(f"unknown matrix function {self.name}")
        return _square(self.name, self.arg)


@_unary
class Frechet(Expr):
    """∂vec f(X)/∂(vec X)ᵀ for a matrix function f, the Fréchet derivative in vec form: written
    (V⁻ᵀ ⊗ V) diag(vec F)(Vᵀ ⊗ V⁻¹) with X = VΛV⁻¹, or for X^½ (I ⊗ X^½ + (X^½)ᵀ ⊗ I)⁻¹."""
    name: str
    arg: Expr

    def _shape(self):
        n = MatFunc(self.name, self.arg).shape[0]
        return (n * n, n * n)


@_unary
class DivDiff(Expr):
    """F, the divided differences of f on X's eigenvalues: (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ), f′(λᵢ) if equal."""
    name: str
    arg: Expr

    def _shape(self):
        return MatFunc(self.name, self.arg).shape


# The factors of a decomposition that answers name, each a node of its own so printers can
# name it (V, U, L, v, …) and say in a "where" clause what it is.
FACTORS = {
    "V": "eigenvectors of a diagonalisable X = VΛV⁻¹, in the order of DivDiff's eigenvalues",
    "Q": "orthonormal eigenvectors of a symmetric S = VΛVᵀ, eigenvalues ascending",
    "U": "left singular vectors of X = UΣVᵀ (thin), singular values descending",
    "W": "right singular vectors of X = UΣVᵀ (thin), singular values descending",
    "qmax": "the unit eigenvector of S's largest eigenvalue",
    "qmin": "the unit eigenvector of S's smallest eigenvalue",
    "umax": "the left singular vector of X's largest singular value",
    "wmax": "the right singular vector of X's largest singular value",
    "umin": "the left singular vector of X's smallest singular value",
    "wmin": "the right singular vector of X's smallest singular value",
    "emax": "the unit vector at the index of v's largest element",
    "emin": "the unit vector at the index of v's smallest element",
}


def rank_dim(m: Dim, n: Dim) -> Dim:
    """min(m, n), the number of singular values of an m×n matrix."""
    if m == n or n.is_one:
        return n if m == n else ONE
    if m.is_one:
        return ONE
    if m.value is not None and n.value is not None:
        return Dim(min(m.value, n.value))
    symbol = f"min({m},{n})"
    DERIVED_SIZES.setdefault(symbol, lambda sizes: min(_value(m, sizes), _value(n, sizes)))
    return Dim(1, (symbol,))


def _value(d: Dim, sizes: dict[str, int]) -> int:
    value = d.coeff
    for s in d.symbols:
        value *= sizes[s] if s in sizes else DERIVED_SIZES[s](sizes)
    return value


@_unary
class Factor(Expr):
    """A named factor of arg's decomposition (see FACTORS): V, U, a top eigenvector v, …"""
    kind: str
    arg: Expr

    def _shape(self):
        rows, cols = self.arg.shape
        kind = self.kind
        if kind in ("V", "Q"):
            return _square("an eigendecomposition", self.arg)
        if kind in ("qmax", "qmin"):
            return (_square("an eigendecomposition", self.arg)[0], ONE)
        if kind in ("emax", "emin"):
            return (_column("max and min", self.arg), ONE)
        r = rank_dim(rows, cols)
        if kind == "U":
            return (rows, r)
        if kind == "W":
            return (cols, r)
        if kind in ("umax", "umin"):
            return (rows, ONE)
        if kind in ("wmax", "wmin"):
            return (cols, ONE)
        raise ValueError(f"unknown factor {kind}")


@_unary
class Spectrum(Expr):
    """eig(S): the eigenvalues of a symmetric S, ascending; svd(X): the singular values, descending."""
    kind: str
    arg: Expr

    def _shape(self):
        if self.kind == "eig":
            return (_square("eig", self.arg)[0], ONE)
        if self.kind == "svd":
            return (rank_dim(*self.arg.shape), ONE)
        raise ValueError(f"unknown spectrum {self.kind}")


@_unary
class Extreme(Expr):
    """max(v) or min(v): the largest or smallest element of a vector."""
    kind: str
    arg: Expr

    def _shape(self):
        if self.kind not in ("max", "min"):
            raise ValueError(f"unknown extreme {self.kind}")
        _column(self.kind, self.arg)
        return (ONE, ONE)


@_unary
class Chol(Expr):
    """L, the lower Cholesky factor of a symmetric positive definite S = LLᵀ."""
    arg: Expr

    def _shape(self):
        return _square("the Cholesky factor", self.arg)


class HalfLower(Expr):
    """Φ: ones below the diagonal, ½ on it, 0 above; Φ ∘ M takes M's lower triangle, half its
    diagonal (the Φ of dL = LΦ(L⁻¹dS L⁻ᵀ))."""
    n: Dim

    def _shape(self):
        return (self.n, self.n)


@_unary
class Adj(Expr):
    """adj(X), the adjugate: |X|X⁻¹ for an invertible X."""
    arg: Expr

    def _shape(self):
        return _square("the adjugate", self.arg)


@_unary
class Pinv(Expr):
    """X⁺, the Moore–Penrose inverse (n×m for an m×n X)."""
    arg: Expr

    def _shape(self):
        return self.arg.shape[::-1]


def _describe(e: Expr, limit: int = 40) -> str:
    """An operand for a message: its text, cut short when long, and its shape."""
    from ..render.text import UnicodePrinter
    if tree_size(e) > 50 * limit:
        text = {Add: "a long sum", Mul: "a long product"}.get(type(e), "a long expression")
    else:
        text = UnicodePrinter().print(e)  # without a where clause
        if len(text) > limit:
            text = text[:limit - 10] + " … " + text[-8:]
    return f"{text} ({shape_str(e.shape)})"


def _count(d: Dim, noun: str) -> str:
    return f"{d} {noun}" + ("" if d.is_one else "s")


def tree_size(e: Expr) -> int:
    """The number of nodes of e written out as a tree (shared subexpressions count each time)."""
    sizes: dict[Expr, int] = {}

    def size(node: Expr) -> int:
        known = sizes.get(node)
        if known is None:
            known = sizes[node] = 1 + sum(size(c) for c in node.children)
        return known
    return size(e)


def variables(e: Expr) -> dict[str, Var]:
    """The distinct variables of e, in order of first appearance."""
    found: dict[str, Var] = {}
    seen: set[int] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Var):
            found.setdefault(node.name, node)
        stack.extend(reversed(node.children))
    return found


def num(value) -> Num:
    return Num(Fraction(value))
