"""Jacobian–vector products at any size: a Jacobian applied to vec(E) without forming it.

A Jacobian is an (mn)×(pq) expression; written out at n = 512 a single Kronecker factor has
n⁴ ≈ 7·10¹⁰ entries. `apply(J, V, values)` computes J·V for a block V of columns by walking the
tree instead, using the identities that define each node:

    (C ⊗ A) vec(M) = vec(A M Cᵀ)      K_mn vec(M) = vec(Mᵀ)      vecᵀ(G) vec(M) = tr(GᵀM)

products right to left, sums term by term, and the value of a small piece (X⁻¹, a scalar)
only where one is needed. `Values` evaluates pieces at one point, real or complex (for the
complex step), and refuses points outside an expression's domain.
"""
from __future__ import annotations

import numpy as np

from ..errors import MatcalcError
from ..calculus.expr import (Add, Commutation, DiagMatrix, Duplication, ElementFunc, ElementPow, Expr, Func,
                   Identity, Inverse, Kron, LogDet, Mul, Ones, ScalarPow, Transpose, Var, Vec, Zero)
from ..calculus.expr import Chol, Extreme, Factor, Frechet, MatFunc, Spectrum
from .numeric import EVALUATORS, dim_value, frechet_direction
from .resources import MAX_PIECE

MAX_ENTRIES = MAX_PIECE  # the largest piece ever written out: 4.2M entries, 67 MB of complex
MAX_CONDITION = 1e12


class DomainError(MatcalcError):
    """The point is outside the expression's domain (a singular inverse, log of a negative)."""


class TooLarge(MatcalcError):
    """A piece would have to be written out in full, and is too large for that."""


def _sign_ok(value: np.ndarray) -> bool:
    return bool(np.all(np.real(value) > 0))


def _away_from_zero(value: np.ndarray) -> bool:
    """Every element at least 1/1000 of the largest (or of 1) from 0, where log, √ and negative
    powers are singular: closer, differences with any fixed step are meaningless."""
    size = np.abs(value)
    return bool(np.all(size >= 1e-3 * max(1.0, float(size.max(initial=0.0)))))


class Values:
    """Values of subexpressions at one point; each piece is computed once."""

    def __init__(self, env: dict[str, np.ndarray], sizes: dict[str, int]):
        self.env = env
        self.sizes = sizes
        self.memo: dict[Expr, np.ndarray] = {}

    def dims(self, e: Expr) -> tuple[int, int]:
        return dim_value(e.shape[0], self.sizes), dim_value(e.shape[1], self.sizes)

    def __call__(self, e: Expr) -> np.ndarray:
        done = self.memo.get(e)
        if done is None:
            done = self._compute(e)
            self.memo[e] = done
        return done

    def _compute(self, e: Expr) -> np.ndarray:
        rows, cols = self.dims(e)
        if rows * cols > MAX_ENTRIES:
            raise TooLarge(f"{_show(e)} would have {rows}×{cols} entries; "
                           "verify at a smaller --size")
        if isinstance(e, Var):
            return self.env[e.name]
        if isinstance(e, Mul):
            return self._product(e, rows, cols)
        child_values = [self(c) for c in e.children]
        if isinstance(e, Inverse):
            return self._inverse(e, child_values[0])
        if isinstance(e, LogDet):
            return self._logdet(e, child_values[0])
        if isinstance(e, (Func, ElementFunc)) and e.name in ("log", "sqrt") and \
                not (_sign_ok(child_values[0]) and _away_from_zero(child_values[0])):
            raise DomainError(f"{e.name} needs a positive argument, but {_show(e.arg)} "
                              f"{'≤ 0' if isinstance(e, Func) else 'has an element ≤ 0'}"
                              " (or too near 0)")
        if isinstance(e, (ScalarPow, ElementPow)):
            self._check_power(e, child_values[0])
        if isinstance(e, (MatFunc, Chol, Spectrum, Extreme, Factor)):
            _check_spectral(e, child_values[0])
        with np.errstate(all="ignore"):
            value = EVALUATORS[type(e)](e, child_values, self.sizes)
        if not np.all(np.isfinite(value)):
            raise DomainError(f"{_show(e)} is not finite at this point")
        return value

    def _product(self, e: Mul, rows: int, cols: int) -> np.ndarray:
        """Scalars times the chain, applied from its narrow end: vecᵀ(G)(C ⊗ A) never needs C ⊗ A."""
        scale = 1.0
        for s in e.scalars:
            scale = scale * self(s).item()
        chain = e.matrices
        if not chain:
            return np.full((1, 1), scale)
        if rows >= cols:
            last = chain[-1]
            start = self(last) if self._small(last, rows * cols) else \
                apply(last, np.eye(cols), self)
            return scale * apply_chain(chain[:-1], start, self)
        first = chain[0]
        start = self(first).T if self._small(first, rows * cols) else \
            apply_transposed(first, np.eye(rows), self)
        for factor in chain[1:]:
            start = apply_transposed(factor, start, self)
        return scale * start.T

    def _small(self, e: Expr, entries: int) -> bool:
        rows, cols = self.dims(e)
        return rows * cols <= max(entries, 4096)

    def _inverse(self, e: Inverse, value: np.ndarray) -> np.ndarray:
        try:
            inv = np.linalg.inv(value)
        except np.linalg.LinAlgError:
            inv = None
        if inv is None or not np.all(np.isfinite(inv)) or \
                np.linalg.norm(value, 1) * np.linalg.norm(inv, 1) > MAX_CONDITION:
            raise DomainError(f"{_show(e.arg)} is singular at this point")
        return inv

    def _logdet(self, e: LogDet, value: np.ndarray) -> np.ndarray:
        sign, logabs = np.linalg.slogdet(value)
        if not np.real(sign) > 0 or not np.isfinite(logabs):
            raise DomainError(f"ln|F| needs |F| > 0, but |{_show(e.arg)}| ≤ 0")
        return np.full((1, 1), np.log(sign) + logabs)

    def _check_power(self, e: ScalarPow | ElementPow, value: np.ndarray) -> None:
        if e.exponent.denominator != 1 and not _sign_ok(value):
            raise DomainError(f"a fractional power needs a positive base, but {_show(e.arg)} "
                              "is not positive")
        if (e.exponent < 0 or e.exponent.denominator != 1) and not _away_from_zero(value):
            raise DomainError(f"a negative or fractional power needs a base away from 0, but "
                              f"{_show(e.arg)} is 0 or too near it")


def _check_spectral(e: Expr, value: np.ndarray) -> None:
    """The conditions of matrix functions, decompositions and extrema (see matfunc.conditions):
    outside them the function is not differentiable, or not the one the answer describes."""
    if isinstance(e, Factor) and e.kind == "V":  # any diagonalisable matrix
        return
    if isinstance(e, MatFunc):
        if e.name != "expm":
            w = np.linalg.eigvals(value)
            scale = max(1.0, float(np.max(np.abs(w))))
            if np.any((np.abs(w.imag) <= 1e-6 * scale) & (w.real <= 1e-3 * scale)):
                raise DomainError(f"{e.name} needs no eigenvalue on the closed negative real "
                                  f"axis, but {_show(e.arg)} has one (or one near 0)")
        return
    if np.iscomplexobj(value):  # eig, svd, chol and max are not analytic: no complex step
        raise DomainError(f"{_show(e)} has no complex-step derivative; use central differences")
    if isinstance(e, Chol):
        if np.linalg.eigvalsh((value + value.T) / 2)[0] <= 1e-6 * max(1.0, np.abs(value).max()):
            raise DomainError(f"chol needs a positive definite matrix, but {_show(e.arg)} is not")
        return
    if isinstance(e, Spectrum) or (isinstance(e, Factor) and e.kind != "V" and
                                   not e.kind.startswith("e")):
        svd = e.kind in ("svd", "U", "W") or e.kind[0] in "uw"
        w = np.linalg.svd(value, compute_uv=False) if svd else \
            np.linalg.eigvalsh((value + value.T) / 2)
        gaps = np.abs(np.diff(np.sort(w)))
        if gaps.size and gaps.min() <= 1e-6 * max(1.0, np.abs(w).max()) or \
                (svd and w.min() <= 1e-9 * max(1.0, w.max())):
            raise DomainError(f"{_show(e.arg)} has repeated {'singular values' if svd else 'eigenvalues'}")
        return
    if isinstance(e, (Extreme, Factor)) and value.size > 1:
        top = np.sort(value.ravel())
        if (top[-1] - top[-2] if e.kind.endswith("max") else top[1] - top[0]) <= \
                1e-6 * max(1.0, np.abs(top).max()):
            raise DomainError(f"the {e.kind} of {_show(e.arg)} is not unique")


def _show(e: Expr) -> str:
    from ..render import render
    return render(e)


# ── J·V by structure ────────────────────────────────────────────────────────────────────

def apply(e: Expr, V: np.ndarray, values: Values) -> np.ndarray:
    """e·V for a block V of columns, without writing out e when it is structured."""
    _fits(e, e.shape[0], V, values)
    return _apply(e, V, values)


def _fits(e: Expr, rows, V: np.ndarray, values: Values) -> None:
    count = dim_value(rows, values.sizes)
    if count * V.shape[1] > MAX_ENTRIES:
        raise TooLarge(f"{_show(e)} gives {count} rows; verify at a smaller --size")


def _apply(e: Expr, V: np.ndarray, values: Values) -> np.ndarray:
    if isinstance(e, Identity):
        return V
    if isinstance(e, Zero):
        return np.zeros((dim_value(e.rows, values.sizes), V.shape[1]), dtype=V.dtype)
    if e.is_scalar:
        return values(e).item() * V
    if isinstance(e, Mul):
        scale = 1.0
        for s in e.scalars:
            scale = scale * values(s).item()
        return scale * apply_chain(e.matrices, V, values)
    if isinstance(e, Add):
        return sum(apply(t, V, values) for t in e.terms)
    if isinstance(e, Kron):
        return _apply_kron(e.left, e.right, V, values, transposed=False)
    if isinstance(e, Commutation):
        return _commute(dim_value(e.m, values.sizes), dim_value(e.n, values.sizes), V)
    if isinstance(e, Transpose):
        return apply_transposed(e.arg, V, values)
    if isinstance(e, Vec):
        return values(e.arg).reshape(-1, 1, order="F") @ V
    return _apply_special(e, V, values, transposed=False)


def _apply_special(e: Expr, V: np.ndarray, values: Values, transposed: bool) -> np.ndarray:
    """diag(v), 𝟏 and Dₙ, which are their own structure; anything else by its value."""
    if isinstance(e, DiagMatrix):
        return values(e.arg) * V                                     # diag(v)V = v ∘ V, row-wise
    if isinstance(e, Frechet) and dim_value(e.shape[0], values.sizes) > 1024:  # L_f(X)ᵀ = L_f(Xᵀ)
        X = values(e.arg)
        X = X.T if transposed else X
        n = X.shape[0]
        return np.column_stack([frechet_direction(e.name, X, v.reshape(n, n, order="F"))
                                .reshape(-1, order="F") for v in V.T])
    if isinstance(e, Ones):
        rows = e.shape[1] if transposed else e.shape[0]
        return np.ones((dim_value(rows, values.sizes), 1)) * V.sum(axis=0, keepdims=True)
    if isinstance(e, Duplication):
        n = dim_value(e.n, values.sizes)
        index = _vech_index(n)
        if not transposed:
            return V[index]                                          # Dₙ vech(S) = vec(S)
        out = np.zeros((n * (n + 1) // 2, V.shape[1]), dtype=V.dtype)
        np.add.at(out, index, V)                                     # Dₙᵀ adds the two halves
        return out
    value = values(e)
    return (value.T if transposed else value) @ V


def _vech_index(n: int) -> np.ndarray:
    """For each position of vec(S), the position of the same element in vech(S)."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    low, high = np.maximum(i, j), np.minimum(i, j)                   # the lower-triangle element
    position = high * n - high * (high - 1) // 2 + (low - high)      # columns of vech, in order
    return position.reshape(-1, order="F")


def apply_transposed(e: Expr, V: np.ndarray, values: Values) -> np.ndarray:
    """eᵀ·V, by the same structure: (C ⊗ A)ᵀ = Cᵀ ⊗ Aᵀ, K_mnᵀ = K_nm, (FG)ᵀ = GᵀFᵀ."""
    _fits(e, e.shape[1], V, values)
    if isinstance(e, Identity) or e.is_scalar:
        return apply(e, V, values)
    if isinstance(e, Zero):
        return np.zeros((dim_value(e.cols, values.sizes), V.shape[1]), dtype=V.dtype)
    if isinstance(e, Mul):
        scale = 1.0
        for s in e.scalars:
            scale = scale * values(s).item()
        for factor in e.matrices:
            V = apply_transposed(factor, V, values)
        return scale * V
    if isinstance(e, Add):
        return sum(apply_transposed(t, V, values) for t in e.terms)
    if isinstance(e, Kron):
        return _apply_kron(e.left, e.right, V, values, transposed=True)
    if isinstance(e, Commutation):
        return _commute(dim_value(e.n, values.sizes), dim_value(e.m, values.sizes), V)
    if isinstance(e, Transpose):
        return apply(e.arg, V, values)
    if isinstance(e, Vec):
        return values(e.arg).reshape(1, -1, order="F") @ V
    return _apply_special(e, V, values, transposed=True)


def apply_chain(chain, V: np.ndarray, values: Values) -> np.ndarray:
    """F₁⋯F_k·V, right to left, so every intermediate is a block of columns."""
    for factor in reversed(chain):
        V = apply(factor, V, values)
    return V


def _apply_kron(C: Expr, A: Expr, V: np.ndarray, values: Values, transposed: bool) -> np.ndarray:
    """(C ⊗ A) vec(M) = vec(A M Cᵀ), for every column vec(M) of V at once."""
    op = apply_transposed if transposed else apply
    a, b = values.dims(C)
    c, d = values.dims(A)
    if transposed:
        a, b, c, d = b, a, d, c
    k = V.shape[1]
    M = V.reshape(d, b * k, order="F")                                  # the k matrices M, side by side
    AM = op(A, M, values).reshape(c, b, k, order="F")                   # A M
    AMt = AM.transpose(1, 0, 2).reshape(b, c * k, order="F")            # (A M)ᵀ
    CMA = op(C, AMt, values).reshape(a, c, k, order="F")                # C (A M)ᵀ = (A M Cᵀ)ᵀ
    return CMA.transpose(1, 0, 2).reshape(c * a, k, order="F")


def _commute(m: int, n: int, V: np.ndarray) -> np.ndarray:
    """K_mn vec(M) = vec(Mᵀ) for M of shape m×n, column by column."""
    k = V.shape[1]
    return V.reshape(m, n, k, order="F").transpose(1, 0, 2).reshape(m * n, k, order="F")

