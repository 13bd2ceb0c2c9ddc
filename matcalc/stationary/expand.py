"""The gradient G(X) written out as a sum of monomials c·s·F₁F₂⋯Fₖ, each factor either free
of X or one of X, Xᵀ, X⁻¹, X⁻ᵀ: the form in which an equation G(X) = 0 is classified.

Products are distributed over sums and transposes pushed down to the leaves, as one does by
hand before collecting the terms in X. Anything else that holds X (exp, log, a trace or a
determinant as a factor, an inverse of a sum) has no closed-form stationary point in general,
and is refused with its name.
"""
from __future__ import annotations

import weakref
from fractions import Fraction

from ..errors import MatcalcError
from ..calculus.dims import ONE
from ..calculus.expr import (Add, DiagMatrix, Expr, Hadamard, Identity, Inverse, Mul, Num, Ones, SumAll, Trace,
                    Transpose, Var)
from ..render import render
from ..calculus.simplify import mul, transpose


class Unsolvable(MatcalcError):
    """The stationary-point equation has no closed form matcalc can give: exit status 1."""

    exit_code = 1


class Unknown:
    """One occurrence of X in a product: X, Xᵀ, X⁻¹ or X⁻ᵀ."""

    __slots__ = ("transposed", "inverted")

    def __init__(self, transposed: bool, inverted: bool):
        self.transposed, self.inverted = transposed, inverted

    def flipped(self) -> Unknown:
        return Unknown(not self.transposed, self.inverted)

    def __eq__(self, other) -> bool:
        return isinstance(other, Unknown) and (self.transposed, self.inverted) == \
            (other.transposed, other.inverted)

    def __hash__(self) -> int:
        return hash((self.transposed, self.inverted))

    def expr(self, x: Var) -> Expr:
        from ..calculus.simplify import inverse
        e = inverse(x) if self.inverted else x
        return transpose(e) if self.transposed else e


class Traced:
    """tr(F₁⋯Fₖ) for a chain holding X: a scalar factor, linear in X when X occurs once."""

    __slots__ = ("chain",)

    def __init__(self, chain: tuple):
        self.chain = chain


class Term:
    """coeff · scalars · chain: scalars are 1×1 factors free of X; chain mixes constant
    matrices and Unknowns; x_scalars are 1×1 factors that hold X (such as aᵀx, a chain, or
    tr(AX), a Traced). `form`, set once such a factor is read as rᵀvec U, is (r, U, shown)."""

    __slots__ = ("coeff", "scalars", "x_scalars", "chain", "form")

    def __init__(self, coeff: Fraction, scalars: tuple = (), x_scalars: tuple = (), chain: tuple = (),
                 form: tuple | None = None):
        self.coeff, self.scalars, self.x_scalars, self.chain = coeff, scalars, x_scalars, chain
        self.form = form

    def times(self, other: Term) -> Term:
        return Term(self.coeff * other.coeff, self.scalars + other.scalars,
                    self.x_scalars + other.x_scalars, self.chain + other.chain)

    def unknowns(self) -> list[Unknown]:
        found = [f for f in self.chain if isinstance(f, Unknown)]
        return found + [self.form[1]] if self.form is not None else found


_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MOST_TERMS = 5000  # a gradient that expands to more terms is refused, not worked through


def holds(e: Expr, x: Var) -> bool:
    """e depends on x."""
    return x.name in _names(e)


def _names(e: Expr) -> frozenset:
    """The names of e's variables, remembered per node (nodes are shared and immutable)."""
    known = _NAMES.get(e)
    if known is None:
        if isinstance(e, Var):
            known = frozenset((e.name,))
        else:
            known = frozenset().union(*(_names(c) for c in e.children))
        _NAMES[e] = known
    return known


def _what(e: Expr) -> str:
    text = render(e)
    return text if len(text) <= 40 else text[:30] + " … " + text[-6:]


def expand(e: Expr, x: Var, constants: bool = False) -> list[Term]:
    """e as a sum of Terms; raises Unsolvable when X sits where no closed form can reach it.
    Products free of X stay whole unless `constants` asks to distribute them too."""
    if not holds(e, x) and not (constants and isinstance(e, (Add, Mul, Transpose))):
        if isinstance(e, Num):
            return [Term(e.value)]
        if isinstance(e, Mul) and not e.is_scalar:  # c·A·B: the scalars out front
            coeff = Fraction(1)
            scalars = []
            for f in e.scalars:
                if isinstance(f, Num):
                    coeff *= f.value
                else:
                    scalars.append(f)
            return [Term(coeff, tuple(scalars), (), e.matrices)]
        return [Term(Fraction(1), scalars=(e,))] if e.is_scalar else [Term(Fraction(1), chain=(e,))]
    if e is x:
        return [Term(Fraction(1), chain=(Unknown(False, False),))]
    if isinstance(e, Add):
        return [t for term in e.terms for t in expand(term, x, constants)]
    if isinstance(e, Mul):
        terms = [Term(Fraction(1))]
        for factor in e.factors:
            if factor.is_scalar and not holds(factor, x):  # a constant scalar stays whole
                parts = [Term(factor.value)] if isinstance(factor, Num) else \
                    [Term(Fraction(1), scalars=(factor,))]
                terms = [t.times(p) for t in terms for p in parts]
                continue
            parts = expand(factor, x, constants)
            if factor.is_scalar and not x.is_scalar:
                parts = [_as_scalar(p) for p in parts]
            terms = [t.times(p) for t in terms for p in parts]
            if len(terms) > MOST_TERMS:
                raise Unsolvable(f"the gradient expands to more than {MOST_TERMS:,} terms, "
                                 "more than matcalc works through")
        return terms
    if isinstance(e, Transpose):
        return [_transposed(t) for t in expand(e.arg, x, constants)]
    if isinstance(e, Hadamard) and e.shape[1].is_one and not e.is_scalar:
        constant = [side for side in (e.left, e.right) if not holds(side, x)]
        if constant:  # c ∘ f = diag(c) f for columns
            other = e.right if constant[0] is e.left else e.left
            return [Term(Fraction(1), chain=(DiagMatrix(constant[0]),)).times(t)
                    for t in expand(other, x, constants)]
    if isinstance(e, Trace) and e.arg.is_scalar:  # tr(s) = s
        return expand(e.arg, x, constants)
    if isinstance(e, Trace):  # tr(LXR) as a scalar factor: linear in X, read by vec
        out = []
        for t in expand(e.arg, x, constants):
            if t.x_scalars or sum(isinstance(f, Unknown) for f in t.chain) > 1:
                raise Unsolvable(f"{render(x)} is inside {_what(e)}, not linearly: matcalc "
                                 "knows no closed form")
            if not t.unknowns():
                out.append(Term(t.coeff, t.scalars + (Trace(mul(*t.chain)),)))
            else:
                out.append(Term(t.coeff, t.scalars, (Traced(t.chain),)))
        return out
    if isinstance(e, SumAll):  # sum(F) = 𝟏ᵀF𝟏
        rows, cols = e.arg.shape
        left = () if rows.is_one else (Ones(ONE, rows),)
        right = () if cols.is_one else (Ones(cols, ONE),)
        return [Term(t.coeff, t.scalars, t.x_scalars, left + t.chain + right)
                for t in expand(e.arg, x, constants)]
    if isinstance(e, Inverse):
        inner = e.arg
        if inner is x:
            return [Term(Fraction(1), chain=(Unknown(False, True),))]
        if isinstance(inner, Transpose) and inner.arg is x:
            return [Term(Fraction(1), chain=(Unknown(True, True),))]
        raise Unsolvable(f"{render(x)} is inside the inverse {_what(e)}: the equation is not "
                         f"polynomial in {render(x)} or {render(x)}⁻¹, and matcalc knows no closed form")
    raise Unsolvable(f"{render(x)} is inside {_what(_culprit(e, x))}: the gradient is not of the "
                     f"form Σᵢ Aᵢ{render(x)}Bᵢ + C" + (f", nor of that form in {render(x)}⁻¹" if
                     x.shape[0] == x.shape[1] and not x.is_scalar else "") + ", and matcalc "
                     "knows no closed-form solution (an iterative method such as Newton's or "
                     "gradient descent finds a stationary point)")


def _culprit(e: Expr, x: Var) -> Expr:
    """The first function of X (exp, log, a power, a trace …) inside e, to name in a message."""
    stack = [e]
    while stack:
        node = stack.pop()
        if holds(node, x) and not isinstance(node, (Add, Mul, Transpose, Inverse, Var)) \
                and len(node.children) == 1:
            return node
        stack.extend(reversed([c for c in node.children if holds(c, x)]))
    return e


def _as_scalar(t: Term) -> Term:
    """A 1×1 factor of a larger product commutes: its chain becomes one scalar."""
    if not t.chain:
        return t
    if any(isinstance(f, Unknown) for f in t.chain):
        if t.x_scalars:
            raise Unsolvable("the gradient has a product of scalar factors that hold the "
                             "unknown: it is not affine, and matcalc knows no closed form")
        return Term(t.coeff, t.scalars, t.x_scalars + (t.chain,))
    return Term(t.coeff, t.scalars + (mul(*t.chain),), t.x_scalars)


def _transposed(t: Term) -> Term:
    chain = tuple(f.flipped() if isinstance(f, Unknown) else transpose(f) for f in reversed(t.chain))
    return Term(t.coeff, t.scalars, t.x_scalars, chain)
