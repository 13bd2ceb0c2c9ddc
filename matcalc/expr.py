"""The expression tree: immutable nodes that know their shape.

Nodes are hash-consed: building the same node twice gives the same object, so equal
subexpressions are shared, and equality and hashing cost O(1) however deep the tree.
Derivatives are expressions too (Kronecker products, the commutation matrix K, vec and vecᵀ),
so one tree, one simplifier and one set of printers serve questions and answers alike.
"""
from __future__ import annotations

import weakref
from fractions import Fraction

from .dims import DERIVED_SIZES, ONE, Dim, Shape, shape_str
from .errors import ShapeError
from .limits import check_depth, check_number, spend

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
        from .render import render
        return f"<{type(self).__name__} {render(self, 'ascii')} : {shape_str(self.shape)}>"

    def __str__(self) -> str:
        """The expression as matcalc prints it: A⁻ᵀ, vecᵀ, ⊗."""
        from .render import render
        return render(self)

    def _repr_latex_(self) -> str:
        """How a notebook shows an expression: display math."""
        from .render import render
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

ELEMENTWISE_FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "cosh", "sinh")


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


def half_triangle(n: Dim) -> Dim:
    """n(n+1)/2, the number of distinct elements of a symmetric n×n matrix."""
    if n.value is not None:
        return Dim(n.value * (n.value + 1) // 2)
    symbol = f"{n}({n}+1)/2"
    DERIVED_SIZES.setdefault(symbol, lambda sizes: _half(n, sizes))
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


def _describe(e: Expr, limit: int = 40) -> str:
    """An operand for a message: its text, cut short when long, and its shape."""
    from .render import render
    if tree_size(e) > 50 * limit:
        text = {Add: "a long sum", Mul: "a long product"}.get(type(e), "a long expression")
    else:
        text = render(e, "unicode")
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
