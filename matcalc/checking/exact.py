"""Exact values with sympy: an expression at rational matrices, and the coefficient of t in F(X + tE).

Each node evaluates to a pair (F₀, F₁), the truncated series F₀ + tF₁ (mod t²) of its value
at X + tE; F₁ is the directional derivative, exactly. The pair is computed by the algebra of
series, not by the rule table: products multiply out, an inverse is the series W with
(F₀ + tF₁)(W₀ + tW₁) ≡ I, a determinant is multilinear in the columns, and a scalar function's
coefficient comes from sympy's own derivative of log, exp, sqrt or sᵖ. The tree is walked node
by node; no text is ever handed to sympy.
"""
from __future__ import annotations

import time
from typing import Callable

import sympy

from ..calculus.build import definition
from ..errors import MatcalcError
from ..calculus.expr import (Add, Commutation, Det, DiagMatrix, DiagPart, Duplication, ElementFunc,
                   ElementPow, Expr, Func, Hadamard, Identity, Inverse, Kron, LogDet, Mul, Norm, Num,
                   Ones, Power, ScalarPow, Size, SumAll, Trace, Transpose, Var, Vec, Zero)
from .numeric import dim_value, duplication_matrix

Series = tuple  # (F₀, F₁): sympy Matrices; F₁ is None where F does not depend on X
EXACT_SECONDS = 4.0  # roots and exponentials nested in inverses grow without end: give up then


class ExactDomainError(MatcalcError):
    """The rational point is outside the expression's domain."""


class Inexact(MatcalcError):
    """The expression has no exact value at rational points: e^X, eigenvalues, Cholesky factors
    and singular values are irrational; those are checked numerically instead."""


def vec(M: sympy.Matrix) -> sympy.Matrix:
    return M.T.reshape(M.rows * M.cols, 1)  # reshape reads rows; of Mᵀ it reads M's columns


def _kron(A: sympy.Matrix, B: sympy.Matrix) -> sympy.Matrix:
    p, q = B.shape
    return sympy.Matrix(A.rows * p, A.cols * q,
                        lambda i, j: A[i // p, j // q] * B[i % p, j % q])


def commutation(m: int, n: int) -> sympy.Matrix:
    """K_mn, the permutation with K vec(M) = vec(Mᵀ) for M of shape m×n."""
    K = sympy.zeros(m * n, m * n)
    for i in range(m):
        for j in range(n):
            K[j + i * n, i + j * m] = 1  # vec(Mᵀ)[j + i·n] = M[i, j] = vec(M)[i + j·m]
    return K


def _scalar(value) -> sympy.Matrix:
    return sympy.Matrix([[value]])


def _times(a: Series, b: Series) -> Series:
    (a0, a1), (b0, b1) = a, b
    parts = [p for p in (None if a1 is None else a1 * b0, None if b1 is None else a0 * b1)
             if p is not None]
    return a0 * b0, (parts[0] + parts[1] if len(parts) == 2 else parts[0] if parts else None)


def _scale(s: Series, m: Series) -> Series:
    """A 1×1 series times a matrix series."""
    (s0, s1), (m0, m1) = s, m
    c0 = s0[0, 0]
    first = None if m1 is None else c0 * m1
    second = None if s1 is None else s1[0, 0] * m0
    parts = [p for p in (first, second) if p is not None]
    return c0 * m0, (parts[0] + parts[1] if len(parts) == 2 else parts[0] if parts else None)


def _det_series(F: Series) -> Series:
    """|F₀ + tF₁| = |F₀| + t Σⱼ |F₀ with column j replaced by column j of F₁| + O(t²)."""
    F0, F1 = F
    d0 = F0.det()
    if F1 is None:
        return _scalar(d0), None
    d1 = 0
    for j in range(F0.cols):
        replaced = F0.copy()
        replaced[:, j] = F1[:, j]
        d1 += replaced.det()
    return _scalar(d0), _scalar(d1)


def _function_series(f: Callable, s: Series) -> Series:
    """f(s₀ + ts₁) = f(s₀) + t f′(s₀) s₁, with f′ from sympy."""
    s0, s1 = s[0][0, 0], s[1]
    u = sympy.Symbol("u", real=True)  # so that abs′ = sign and relu′ = step
    value = f(s0)
    if s1 is None:
        return _scalar(value), None
    return _scalar(value), _scalar(sympy.diff(f(u), u).subs(u, s0) * s1[0, 0])


def _positive(value, what: str) -> None:
    if not (value.is_real and value.is_positive):
        raise ExactDomainError(f"{what} is not positive at this point")


# The rule table's names that sympy spells otherwise.
SYMPY_FUNCTIONS: dict[str, Callable] = {
    "abs": lambda x: sympy.Abs(x), "arcsin": lambda x: sympy.asin(x),
    "arccos": lambda x: sympy.acos(x), "arctan": lambda x: sympy.atan(x),
    "relu": lambda x: sympy.Max(x, 0),
}


def _function(name: str) -> Callable:
    """The sympy function of a name of the rule table: log, exp, sqrt, sin, cos, …"""
    return SYMPY_FUNCTIONS.get(name) or getattr(sympy, name)


class ExactSeries:
    """The series F(X + tE) = F₀ + tF₁ of every subexpression, for the variable `wrt`."""

    def __init__(self, env: dict[str, sympy.Matrix], sizes: dict[str, int],
                 wrt: Var | None = None, direction: sympy.Matrix | None = None,
                 deadline: float | None = None):
        self.env, self.sizes, self.wrt, self.direction = env, sizes, wrt, direction
        self.memo: dict[Expr, Series] = {}
        self.deadline = time.perf_counter() + EXACT_SECONDS if deadline is None else deadline

    def value(self, e: Expr) -> sympy.Matrix:
        return self(e)[0]

    def __call__(self, e: Expr) -> Series:
        done = self.memo.get(e)
        if done is None:
            if time.perf_counter() > self.deadline:
                raise Inexact("exact arithmetic grew too large at this point (roots or "
                              "exponentials inside inverses); check it numerically instead, "
                              "without --exact")
            done = self._series(e)
            self.memo[e] = done
        return done

    def _dim(self, d) -> int:
        return dim_value(d, self.sizes)

    def _series(self, e: Expr) -> Series:
        if isinstance(e, Var):
            return self.env[e.name], (self.direction if e is self.wrt else None)
        if isinstance(e, Num):
            return _scalar(sympy.Rational(e.value.numerator, e.value.denominator)), None
        if isinstance(e, Identity):
            return sympy.eye(self._dim(e.n)), None
        if isinstance(e, Size):
            return _scalar(sympy.Integer(self._dim(e.n))), None
        if isinstance(e, Zero):
            return sympy.zeros(self._dim(e.rows), self._dim(e.cols)), None
        if isinstance(e, Commutation):
            return commutation(self._dim(e.m), self._dim(e.n)), None
        if isinstance(e, Ones):
            return sympy.ones(self._dim(e.rows), self._dim(e.cols)), None
        if isinstance(e, Duplication):
            return sympy.Matrix(duplication_matrix(self._dim(e.n)).astype(int)), None
        defined = definition(e)  # σ, softplus, softmax, logsumexp: by exp and log
        if defined is not None:
            return self(defined)
        from ..calculus.expr import Adj, Pinv
        if isinstance(e, Adj):  # |F|F⁻¹
            return self(Mul((Det(e.arg), Inverse(e.arg))))
        if isinstance(e, Pinv):  # (FᵀF)⁻¹Fᵀ for full column rank, Fᵀ(FFᵀ)⁻¹ for full row rank
            F, Ft = e.arg, Transpose(e.arg)
            tall = self._dim(F.shape[0]) >= self._dim(F.shape[1])
            return self(Mul((Inverse(Mul((Ft, F))), Ft)) if tall else Mul((Ft, Inverse(Mul((F, Ft))))))
        series = SERIES.get(type(e))
        if series is None:
            from ..render import render
            raise Inexact(f"{render(e)} has no exact value at rational points")
        parts = [self(c) for c in e.children]
        return series(self, e, parts)


def _add(ctx, e, parts):
    total0 = parts[0][0]
    for p in parts[1:]:
        total0 = total0 + p[0]
    moving = [p[1] for p in parts if p[1] is not None]
    total1 = None
    for m in moving:
        total1 = m if total1 is None else total1 + m
    return total0, total1


def _mul(ctx, e, parts):
    scalars = [p for f, p in zip(e.factors, parts) if f.is_scalar]
    chain = [p for f, p in zip(e.factors, parts) if not f.is_scalar]
    result = chain[0] if chain else (_scalar(1), None)
    for p in chain[1:]:
        result = _times(result, p)
    for s in scalars:
        result = _scale(s, result)
    return result


def _inverse(ctx, e, parts):
    """W₀ = F₀⁻¹, and W₁ = −W₀F₁W₀ is the t-coefficient forced by (F₀ + tF₁)(W₀ + tW₁) ≡ I."""
    F0, F1 = parts[0]
    if F0.rows > 1 and not all(x.is_Rational for x in F0):  # ‖X‖X + A: no end to the roots
        raise Inexact("a matrix with irrational entries (roots, exponentials) is inverted here; "
                      "check it numerically instead, without --exact")
    if F0.det() == 0:
        raise ExactDomainError("a matrix to invert is singular at this point")
    W0 = F0.inv()
    return W0, (None if F1 is None else -W0 * F1 * W0)


def _power(ctx, e, parts):
    base = _inverse(ctx, e, parts) if e.k < 0 else parts[0]
    result = base
    for _ in range(abs(e.k) - 1):
        result = _times(result, base)
    return result


def _logdet(ctx, e, parts):
    d = _det_series(parts[0])
    _positive(d[0][0, 0], "a determinant under ln")
    return _function_series(sympy.log, d)


def _kinked(name: str, value) -> None:
    """abs, sign and relu have no derivative at 0 (matcalc takes 0 there, by convention)."""
    if name in ("abs", "sign", "relu") and value == 0:
        raise ExactDomainError(f"{name} has no derivative at 0")


def _func(ctx, e, parts):
    if e.name in ("log", "sqrt"):
        _positive(parts[0][0][0, 0], f"the argument of {e.name}")
    _kinked(e.name, parts[0][0][0, 0])
    return _function_series(_function(e.name), parts[0])


def _power_function(e, base) -> Callable:
    p = sympy.Rational(e.exponent.numerator, e.exponent.denominator)
    if e.exponent.denominator != 1:
        _positive(base, "the base of a fractional power")
    if e.exponent < 0 and base == 0:
        raise ExactDomainError("a negative power of zero")
    return lambda u: u ** p


def _scalar_pow(ctx, e, parts):
    return _function_series(_power_function(e, parts[0][0][0, 0]), parts[0])


def _elementwise(ctx, e, parts):
    """f applied to each element: each element's series is the scalar one."""
    F0, F1 = parts[0]
    values, slopes = F0.copy(), None if F1 is None else F1.copy()
    for k in range(len(F0)):
        if isinstance(e, ElementPow):
            f = _power_function(e, F0[k])
        else:
            if e.name in ("log", "sqrt"):
                _positive(F0[k], f"an element under {e.name}")
            _kinked(e.name, F0[k])
            f = _function(e.name)
        value, slope = _function_series(f, (_scalar(F0[k]), None if F1 is None else _scalar(F1[k])))
        values[k] = value[0, 0]
        if slopes is not None:
            slopes[k] = slope[0, 0]
    return values, slopes


def _hadamard(ctx, e, parts):
    """(A₀ + tA₁) ∘ (B₀ + tB₁) = A₀ ∘ B₀ + t(A₁ ∘ B₀ + A₀ ∘ B₁) + O(t²)."""
    (a0, a1), (b0, b1) = parts
    terms = [t for t in (None if a1 is None else a1.multiply_elementwise(b0),
                         None if b1 is None else a0.multiply_elementwise(b1)) if t is not None]
    first = terms[0] + terms[1] if len(terms) == 2 else terms[0] if terms else None
    return a0.multiply_elementwise(b0), first


def _norm(ctx, e, parts):
    """‖F‖ = √(sum of squares), each step a series."""
    F0, F1 = parts[0]
    squares = (_scalar(sum(x * x for x in F0)),
               None if F1 is None else _scalar(2 * sum(x * y for x, y in zip(F0, F1))))
    _positive(squares[0][0, 0], "a norm (at 0 it has no derivative)")
    return _function_series(sympy.sqrt, squares)

def _linear(op):
    """A linear map acts on both coefficients of the series alike."""
    return lambda ctx, e, parts: (op(parts[0][0]), None if parts[0][1] is None else op(parts[0][1]))


def _kron_series(ctx, e, parts):
    """(A₀ + tA₁) ⊗ (B₀ + tB₁) = A₀ ⊗ B₀ + t(A₁ ⊗ B₀ + A₀ ⊗ B₁) + O(t²)."""
    (a0, a1), (b0, b1) = parts
    terms = [t for t in (None if a1 is None else _kron(a1, b0),
                         None if b1 is None else _kron(a0, b1)) if t is not None]
    first = terms[0] + terms[1] if len(terms) == 2 else terms[0] if terms else None
    return _kron(a0, b0), first


SERIES: dict[type, Callable] = {
    Add: _add,
    Mul: _mul,
    Transpose: _linear(lambda M: M.T),
    Trace: _linear(lambda M: _scalar(M.trace())),
    Vec: _linear(vec),
    Inverse: _inverse,
    Power: _power,
    Det: lambda ctx, e, parts: _det_series(parts[0]),
    LogDet: _logdet,
    Kron: _kron_series,
    Func: _func,
    ScalarPow: _scalar_pow,
    ElementFunc: _elementwise,
    ElementPow: _elementwise,
    Hadamard: _hadamard,
    DiagMatrix: _linear(lambda v: sympy.diag(*v)),
    DiagPart: _linear(lambda M: sympy.Matrix([M[i, i] for i in range(M.rows)])),
    SumAll: _linear(lambda M: _scalar(sum(M))),
    Norm: _norm,
}


def is_zero(M: sympy.Matrix) -> bool:
    """Exactly zero. Rational entries compare directly; a transcendental one (from exp, log, cosh)
    that is not plainly 0 is first evaluated to 30 digits, which settles "not zero", then proved
    0 by the cheapest rewriting that does it: expansion, exponentials, full simplification."""
    for entry in M:
        if entry == 0:
            continue
        if entry.is_Rational or abs(entry.evalf(30)) > 1e-20:
            return False
        if not any(_proves_zero(entry, step) for step in _ZERO_PROOFS):
            return False
    return True


_ZERO_PROOFS = (
    sympy.expand,
    lambda e: sympy.cancel(sympy.expand(e.rewrite(sympy.exp))),
    sympy.simplify,
)


def _proves_zero(entry, step) -> bool:
    return step(entry) == 0
