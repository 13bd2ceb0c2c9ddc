"""Constructors that keep the tree in its plain shape as it is built.

They flatten nested sums and products, turn the matrix operations on scalars into scalar
ones (inv(t) = t⁻¹), and write sugar in terms of the core nodes (A − B, ⟨A,B⟩, A/2). They do
no algebra: that is the simplifier's work, so a derivation can be shown step by step.
"""
from __future__ import annotations

from fractions import Fraction

from ..errors import ShapeError
from .expr import (Add, Det, DiagMatrix, DiagPart, ElementFunc, ElementPow, Expr, Func, Hadamard,
                   Identity, Inverse, Kron, LogDet, LogSumExp, Mul, Norm, Num, Ones, Power, ScalarPow,
                   Softmax, SumAll, Trace, Transpose, Vec, Zero, _describe)


def number(value) -> Num:
    return Num(Fraction(value))


def _splice(factors: list[Expr]) -> list[Expr]:
    """The factors of nested products, in one list. A scalar made of matrices (aᵀx) is spliced
    only where the chain of shapes runs through 1 (bᵀx·cᵀ is bᵀxcᵀ); elsewhere (A·aᵀx·B) it
    stays whole, a scalar factor."""
    out: list[Expr] = []
    for i, f in enumerate(factors):
        if not isinstance(f, Mul):
            out.append(f)
        elif not f.is_scalar or not f.matrices or _through_one(out, factors[i + 1:]):
            out.extend(f.factors)
        else:  # its coefficient and reciprocals join the product's: (xᵀy)x/‖x‖, not (xᵀy/‖x‖)x
            out.extend(g for g in f.factors if _outside(g))
            out.extend(_scalars([g for g in f.factors if not _outside(g)]))
    return out


def _scalars(chain: list[Expr]) -> list[Expr]:
    """A scalar chain cut where it runs through 1: aᵀx bᵀy is (aᵀx)(bᵀy), so that it is one
    product however it was bracketed."""
    out, part = [], []
    for f in chain:
        part.append(f)
        if not part[0].is_scalar and f.is_scalar:
            continue
        if part[0].is_scalar or f.shape[1].is_one:
            out.append(part[0] if len(part) == 1 else Mul(tuple(part)))
            part = []
    return out + ([Mul(tuple(part))] if part else [])


def _outside(e: Expr) -> bool:
    return isinstance(e, Num) or (isinstance(e, ScalarPow) and e.exponent < 0)


def _through_one(before: list[Expr], after: list[Expr]) -> bool:
    left = next((f for f in reversed(before) if not f.is_scalar), None)
    right = next((f for f in after if not f.is_scalar), None)
    return (left is None or left.shape[1].is_one) and (right is None or right.shape[0].is_one)


def mul(*factors: Expr) -> Expr:
    """A product in the one form it is printed and read back in: the written numbers become one
    coefficient in front (2·(−A) is −2A), reciprocals go last (A t⁻¹ B is AB/t), and the chain
    is as flat as its shapes allow ((aᵀx)/t is aᵀx t⁻¹)."""
    coeff, top, bottom = Fraction(1), [], []
    for f in _splice(list(factors)):
        if isinstance(f, Num):
            coeff *= f.value
        else:
            (bottom if isinstance(f, ScalarPow) and f.exponent < 0 else top).append(f)
    rest = ([Num(coeff)] if coeff != 1 or not (top or bottom) else []) + top + bottom
    return rest[0] if len(rest) == 1 else Mul(tuple(rest))


def add(*terms: Expr) -> Expr:
    flat = tuple(t for term in terms for t in (term.terms if isinstance(term, Add) else (term,)))
    if not flat:
        raise ValueError("empty sum")
    flat = _broadcast_numbers(flat)
    return flat[0] if len(flat) == 1 else Add(flat)


def neg(e: Expr) -> Expr:
    return mul(number(-1), e)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def div(a: Expr, b: Expr) -> Expr:
    if not b.is_scalar:
        raise ShapeError(f"can only divide by a scalar, but {_describe(b)}")
    if isinstance(b, Num):
        if b.value == 0:
            raise ShapeError("division by zero")
        return mul(number(1 / b.value), a)
    if isinstance(b, Mul) and all(f.is_scalar for f in b.factors):  # a/(2t) = a·(1/2)·t⁻¹
        return mul(a, *(number(1 / f.value) if isinstance(f, Num) else power(f, Fraction(-1))
                         for f in b.factors))
    return mul(a, power(b, Fraction(-1)))


def power(base: Expr, k: Fraction) -> Expr:
    if k == 1:
        return base
    if base.is_scalar:
        if isinstance(base, ScalarPow) and Fraction(k).denominator == 1:  # (t²)⁻¹ is t⁻²
            return power(base.arg, base.exponent * k)
        return ScalarPow(base, Fraction(k))
    if k.denominator != 1:
        raise ShapeError(f"a matrix can only be raised to an integer power, "
                         f"but {_describe(base)} is raised to {k}")
    if base.shape[0] != base.shape[1]:
        raise ShapeError(f"a matrix power needs a square matrix, but {_describe(base)}")
    if k == 0:
        return Identity(base.shape[0])
    if k == -1:
        return inverse(base)
    return Power(base, int(k))


def inverse(e: Expr) -> Expr:
    """A⁻ᵀ is written one way, (A⁻¹)ᵀ, however it was typed."""
    if e.is_scalar:
        return power(e, Fraction(-1))
    if isinstance(e, Transpose):
        return Transpose(inverse(e.arg))
    return Inverse(e)


def transpose(e: Expr) -> Expr:
    """𝟏ᵀ is the row of ones itself: it has no other printed form."""
    return Ones(e.shape[1], e.shape[0]) if isinstance(e, Ones) else Transpose(e)


def det(e: Expr) -> Expr:
    """The determinant of a 1×1 matrix is its entry: |t| would read as t's absolute value."""
    return e if e.is_scalar else Det(e)


def logdet(e: Expr) -> Expr:
    """ln det of a 1×1 matrix is ln t (ln|t| would read as the log of t's absolute value)."""
    return func("log", e) if e.is_scalar else LogDet(e)


def trace(e: Expr) -> Expr:
    return Trace(e)


def vec(e: Expr) -> Expr:
    return Vec(e)


def kron(a: Expr, b: Expr) -> Expr:
    return Kron(a, b)


def inner(a: Expr, b: Expr) -> Expr:
    """⟨A,B⟩ = tr(AᵀB), defined for A and B of one shape."""
    if a.shape != b.shape:
        raise ShapeError(f"⟨A,B⟩ needs two matrices of one shape, but {_describe(a)} "
                         f"and {_describe(b)}")
    return Trace(mul(Transpose(a), b))


def zero_like(rows, cols) -> Zero:
    return Zero(rows, cols)


# ── element-wise operations ─────────────────────────────────────────────────────────────

def _broadcast_numbers(terms: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """1 + exp(x) as numpy reads it: a written number added to a matrix is that number times 𝟏."""
    shapes = {t.shape for t in terms if not t.is_scalar}
    if len(shapes) != 1 or not any(_is_number(t) for t in terms):
        return terms
    shape = shapes.pop()
    return tuple(mul(t, Ones(*shape)) if _is_number(t) else t for t in terms)


def _is_number(e: Expr) -> bool:
    """A written number, possibly negated: 1, −1, 1/2."""
    return isinstance(e, Num) or (isinstance(e, (Mul, Add)) and all(_is_number(f) for f in e.children))


def func(name: str, e: Expr) -> Expr:
    """√t of a scalar is t^½ and ln(|X|) is ln|X|: the one form each is printed in."""
    if name == "sqrt" and e.is_scalar:
        return power(e, Fraction(1, 2))
    if name == "log" and isinstance(e, Det):
        return LogDet(e.arg)
    return Func(name, e) if e.is_scalar else ElementFunc(name, e)


def hadamard(a: Expr, b: Expr) -> Expr:
    if a.is_scalar or b.is_scalar:
        return mul(a, b)
    return Hadamard(a, b)


def elementwise_power(base: Expr, k: Fraction) -> Expr:
    if base.is_scalar:
        return power(base, k)
    return base if k == 1 else ElementPow(base, Fraction(k))


def diag(e: Expr) -> Expr:
    """diag(v) of a column is a diagonal matrix; diag(X) of a square matrix is a column."""
    if e.is_scalar:
        return e
    if e.shape[1].is_one:
        return DiagMatrix(e)
    if e.shape[0] == e.shape[1]:
        return DiagPart(e)
    raise ShapeError(f"diag needs a column vector or a square matrix, but {_describe(e)}")


def total(e: Expr) -> Expr:
    return SumAll(e)


def softmax(e: Expr) -> Expr:
    """softmax of a scalar is 1; of a column, a column (a matrix is refused by Softmax)."""
    return number(1) if e.is_scalar else Softmax(e)


def logsumexp(e: Expr) -> Expr:
    return e if e.is_scalar else LogSumExp(e)


def norm(e: Expr) -> Expr:
    return Norm(e)


# ── matrix functions, decompositions and spectra ────────────────────────────────────────

def matrix_function(name: str, e: Expr) -> Expr:
    """expm, logm, sqrtm of a square matrix; of a scalar they are exp, log and √."""
    from .expr import MatFunc
    if e.is_scalar:
        return func(name[:-1], e)
    return MatFunc(name, e)


def spectrum(kind: str, e: Expr) -> Expr:
    from .expr import Spectrum
    return Spectrum(kind, e)


def extreme(kind: str, e: Expr) -> Expr:
    from .expr import Extreme
    return Extreme(kind, e)


def cholesky(e: Expr) -> Expr:
    from .expr import Chol
    return Chol(e)


def adjugate(e: Expr) -> Expr:
    from .expr import Adj
    return Adj(e)


def pseudo_inverse(e: Expr) -> Expr:
    from .expr import Pinv
    return Pinv(e)


def norm1(e: Expr) -> Expr:
    """‖x‖₁ = sum(abs(x)): of a vector, and entry-wise of a matrix."""
    return SumAll(func("abs", e))


def symbolic_power(base: Expr, exponent: Expr) -> Expr:
    """a^b and X.^t with a symbolic scalar exponent: exp(b ln a), element by element for a
    matrix base (defined where the base is positive)."""
    if not exponent.is_scalar:
        raise ShapeError(f"an exponent must be a scalar, but {_describe(exponent)}")
    if isinstance(exponent, Num):
        return power(base, exponent.value) if base.is_scalar else elementwise_power(base, exponent.value)
    return func("exp", mul(spread_sign(exponent), func("log", base)))


def spread_sign(u: Expr) -> Expr:
    """−(b + 1) as −b − 1, as a paper writes a negated sum in an exponent: a^(−b − 1)."""
    if not (isinstance(u, Mul) and len(u.factors) == 2 and isinstance(u.factors[0], Num)
            and u.factors[0].value < 0 and isinstance(u.factors[1], Add)):
        return u
    return add(*(mul(u.factors[0], t) for t in u.factors[1].terms))


def definition(e: Expr) -> Expr | None:
    """The functions of machine learning written with exp and log, for the exporters and exact
    arithmetic that lack them: σ(x) = (𝟏 + exp(−x)).^(−1), softplus(x) = ln(𝟏 + exp(x)),
    softmax(x) = exp(x)/sum(exp(x)), logsumexp(x) = ln sum(exp(x)). None for any other node."""
    if isinstance(e, (Func, ElementFunc)) and e.name in ("sigmoid", "softplus"):
        x = e.arg
        one = number(1) if x.is_scalar else Ones(*x.shape)
        if e.name == "softplus":
            return func("log", add(one, func("exp", x)))
        return elementwise_power(add(one, func("exp", neg(x))), Fraction(-1))
    if isinstance(e, Softmax):
        return mul(func("exp", e.arg), ScalarPow(SumAll(func("exp", e.arg)), Fraction(-1)))
    if isinstance(e, LogSumExp):
        return Func("log", SumAll(func("exp", e.arg)))
    return None


# ── rebuilding trees ────────────────────────────────────────────────────────────────────

def rebuild(e: Expr, children: list[Expr]) -> Expr:
    """The node e with new children; sums and products are flattened, nothing else changes.
    e itself when its children are the same."""
    if all(new is old for new, old in zip(children, e.children)):
        return e
    if isinstance(e, Add):
        return add(*children)
    if isinstance(e, Mul):  # flattened, in the order given: no coefficient is gathered
        flat = tuple(f for c in children for f in
                     (c.factors if isinstance(c, Mul) and not (c.is_scalar and c.matrices) else (c,)))
        return flat[0] if len(flat) == 1 else Mul(flat)
    values, rest = [], iter(children)
    for field in e.fields:
        value = getattr(e, field)
        if isinstance(value, Expr) and field != "wrt":  # ∂F/∂X: X is no child
            value = next(rest)
        elif isinstance(value, tuple) and value and isinstance(value[0], Expr):
            value = tuple(next(rest) for _ in value)
        values.append(value)
    return type(e)(*values)


def substitute(e: Expr, replacements: dict[Expr, Expr], memo: dict | None = None) -> Expr:
    """e with each node in `replacements` replaced, rebuilt without any algebra."""
    memo = {} if memo is None else memo
    if e in replacements:
        return replacements[e]
    done = memo.get(e)
    if done is None:
        done = rebuild(e, [substitute(c, replacements, memo) for c in e.children])
        memo[e] = done
    return done
