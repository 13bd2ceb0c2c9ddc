"""Numbers for an expression: evaluate a tree with NumPy, without writing or running code.

Names are bound to 2-D arrays (vectors as (n, 1)); scalars evaluate to 1×1 arrays, and vec is
column-major, matching the printed NumPy code and the Jacobian convention.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

# The rule table's names numpy lacks; the logistic function and softplus in forms that do not
# overflow.
NUMPY_FUNCTIONS = {"relu": lambda a: np.maximum(a, 0),
                   "sigmoid": lambda a: 0.5 * (1 + np.tanh(0.5 * a)),
                   "softplus": lambda a: np.logaddexp(0, a)}


def _function(name: str):
    return NUMPY_FUNCTIONS.get(name) or getattr(np, name)

from ..calculus.dims import DERIVED_SIZES, Dim
from ..calculus.expr import Adj, Chol, DivDiff, Extreme, Factor, Frechet, HalfLower, MatFunc, Pinv, Spectrum
from ..calculus.expr import (Add, Commutation, Det, DiagMatrix, DiagPart, Duplication, ElementFunc,
                   ElementPow, Expr, Func, Hadamard, Identity, Inverse, Kron, LogDet, LogSumExp,
                   Mul, Norm, Num, Ones, Partial, Power, ScalarPow, Size, Softmax, SumAll, Trace, Transpose, Var, Vec, Zero)


def sizes_from(env: dict[str, np.ndarray], names: dict[str, Var]) -> dict[str, int]:
    """The value of each size symbol, read off the arrays bound to the names."""
    sizes: dict[str, int] = {}
    for name, var in names.items():
        if name in env:
            for dim, actual in zip(var.shape, np.shape(env[name])):
                if len(dim.symbols) == 1:
                    sizes.setdefault(dim.symbols[0], actual // dim.coeff)
    return sizes


def dim_value(d: Dim, sizes: dict[str, int]) -> int:
    value = d.coeff
    for s in d.symbols:
        value *= sizes[s] if s in sizes or s not in DERIVED_SIZES else DERIVED_SIZES[s](sizes)
    return value


def commutation_matrix(m: int, n: int) -> np.ndarray:
    """K_mn, with K vec(M) = vec(Mᵀ) for M of shape m×n."""
    return np.eye(m * n)[np.arange(m * n).reshape((m, n), order="F").ravel()]


def _scalar(a: np.ndarray) -> np.ndarray:
    return np.asarray(a).reshape(1, 1)


def _softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - np.max(a))
    return e / np.sum(e)


EVALUATORS: dict[type, Callable] = {
    Add: lambda e, v, s: sum(v[1:], v[0]),
    Mul: lambda e, v, s: _product(e, v),
    Transpose: lambda e, v, s: v[0].T,
    Inverse: lambda e, v, s: np.linalg.inv(v[0]),
    Power: lambda e, v, s: np.linalg.matrix_power(v[0], e.k),
    Det: lambda e, v, s: _scalar(np.linalg.det(v[0])),
    LogDet: lambda e, v, s: _scalar(_log_det(v[0])),
    Trace: lambda e, v, s: _scalar(np.trace(v[0])),
    Vec: lambda e, v, s: v[0].reshape(-1, 1, order="F"),
    Kron: lambda e, v, s: np.kron(v[0], v[1]),
    Func: lambda e, v, s: _function(e.name)(v[0]),
    ScalarPow: lambda e, v, s: v[0] ** float(e.exponent),
    Num: lambda e, v, s: _scalar(float(e.value)),
    Identity: lambda e, v, s: np.eye(dim_value(e.n, s)),
    Size: lambda e, v, s: _scalar(float(dim_value(e.n, s))),
    Zero: lambda e, v, s: np.zeros((dim_value(e.rows, s), dim_value(e.cols, s))),
    Commutation: lambda e, v, s: commutation_matrix(dim_value(e.m, s), dim_value(e.n, s)),
    Ones: lambda e, v, s: np.ones((dim_value(e.rows, s), dim_value(e.cols, s))),
    ElementFunc: lambda e, v, s: _function(e.name)(v[0]),
    Softmax: lambda e, v, s: _softmax(v[0]),
    LogSumExp: lambda e, v, s: _scalar(np.max(v[0]) + np.log(np.sum(np.exp(v[0] - np.max(v[0]))))),
    ElementPow: lambda e, v, s: v[0] ** float(e.exponent),
    Hadamard: lambda e, v, s: v[0] * v[1],
    DiagMatrix: lambda e, v, s: np.diagflat(v[0]),
    DiagPart: lambda e, v, s: np.diag(v[0]).reshape(-1, 1).copy(),
    SumAll: lambda e, v, s: _scalar(np.sum(v[0])),
    Norm: lambda e, v, s: _scalar(np.linalg.norm(v[0])),
    Duplication: lambda e, v, s: duplication_matrix(dim_value(e.n, s)),
}


# ── matrix functions, decompositions and spectra ────────────────────────────────────────
# chol and eig read a symmetric matrix's symmetric part (S + Sᵀ)/2: S itself when S is
# symmetric, and a derivative that holds in every direction, not only symmetric ones.

def _sym(a: np.ndarray) -> np.ndarray:
    return (a + a.T) / 2


def matrix_function(name: str, a: np.ndarray) -> np.ndarray:
    """f(A) by A's eigenvectors where they are well conditioned (exact to a few ulps, and fast),
    otherwise by scipy's Schur-based methods."""
    f = {"expm": np.exp, "logm": np.log, "sqrtm": np.sqrt}[name]
    if np.all(np.isfinite(a)):
        w, V = np.linalg.eig(a)
        if np.linalg.cond(V) < 1e3 and (name == "expm" or not np.any(
                (np.abs(w.imag) <= 1e-12 * max(1.0, np.abs(w).max())) & (w.real <= 0))):
            value = (V * f(w.astype(complex))) @ np.linalg.inv(V)
            return value.real if not np.iscomplexobj(a) else value
    import scipy.linalg
    if name == "expm":
        return scipy.linalg.expm(a)
    value = getattr(scipy.linalg, name)(a)
    return np.real_if_close(value) if not np.iscomplexobj(a) else value


def _eigenbasis(name: str, a: np.ndarray):
    """(V, V⁻¹, F) for A = VΛV⁻¹ when V is well conditioned, so that L_f(A)[E] =
    V((V⁻¹EV) ∘ F)V⁻¹ is accurate to a few ulps; None otherwise."""
    w, V = np.linalg.eig(a)
    if np.linalg.cond(V) >= 1e3 or (name != "expm" and np.any(
            (np.abs(w.imag) <= 1e-12 * max(1.0, np.abs(w).max())) & (w.real <= 0))):
        return None
    return V, np.linalg.inv(V), _divided(name, w)


def frechet_direction(name: str, a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """L_f(A)[E]: in A's eigenbasis when it is well conditioned; otherwise scipy's expm_frechet
    for e^A, the Sylvester equation SY + YS = E for A^½, and for log A the upper right block of
    log([[A, E], [0, A]]) (Higham, Theorem 3.6)."""
    basis = _eigenbasis(name, a) if np.all(np.isfinite(a)) else None
    if basis is not None:
        V, V_inv, F = basis
        value = V @ ((V_inv @ e @ V) * F) @ V_inv
        return value if np.iscomplexobj(a) or np.iscomplexobj(e) else value.real
    import scipy.linalg
    if name == "expm":
        return scipy.linalg.expm_frechet(a, e, compute_expm=False)
    if name == "sqrtm":
        S = matrix_function("sqrtm", a)
        return scipy.linalg.solve_sylvester(S, S, e)
    n = a.shape[0]
    block = np.block([[a, e], [np.zeros_like(a), a]])
    return matrix_function(name, block)[:n, n:]


def frechet_matrix(name: str, a: np.ndarray) -> np.ndarray:
    """∂vec f(A)/∂(vec A)ᵀ: for e^A one Fréchet derivative per column; for A^½ the inverse of
    I ⊗ S + Sᵀ ⊗ I; for log A the inverse of the exponential's at log A (log is its inverse)."""
    n = a.shape[0]
    basis = _eigenbasis(name, a) if np.all(np.isfinite(a)) else None
    if basis is not None:
        V, V_inv, F = basis
        value = np.kron(V_inv.T, V) @ (F.reshape(-1, 1, order="F") * np.kron(V.T, V_inv))
        return value if np.iscomplexobj(a) else value.real
    if name == "sqrtm":
        S = matrix_function("sqrtm", a)
        return np.linalg.inv(np.kron(np.eye(n), S) + np.kron(S.T, np.eye(n)))
    if name == "logm":
        return np.linalg.inv(frechet_matrix("expm", matrix_function("logm", a)))
    units = np.eye(n * n).reshape(n * n, n, n).transpose(0, 2, 1)  # vec(E_k) = e_k
    return np.column_stack([frechet_direction(name, a, E).reshape(-1, order="F") for E in units])


def divided_differences(name: str, a: np.ndarray) -> np.ndarray:
    """F with Fᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ), f′(λᵢ) where they coincide, on the eigenvalues
    in np.linalg.eig's order (the order of the eigenvectors V)."""
    return _divided(name, np.linalg.eig(a)[0])


def _divided(name: str, w: np.ndarray) -> np.ndarray:
    if name == "sqrtm":
        r = np.sqrt(w.astype(complex) if np.any(w.real < 0) else w)
        return 1 / (r[:, None] + r[None, :])
    f, fprime = {"expm": (np.exp, np.exp), "logm": (np.log, lambda x: 1 / x)}[name]
    d = w[:, None] - w[None, :]
    close = np.isclose(w[:, None], w[None, :])
    with np.errstate(all="ignore"):
        quotient = (f(w)[:, None] - f(w)[None, :]) / np.where(close, 1, d)
    return np.where(close, fprime(w)[:, None] + 0 * d, quotient)


def factor(kind: str, a: np.ndarray) -> np.ndarray:
    """The named factor of a decomposition (see expr.FACTORS)."""
    if kind == "V":
        return np.linalg.eig(a)[1]
    if kind in ("Q", "qmax", "qmin"):
        Q = np.linalg.eigh(_sym(a))[1]
        return {"Q": Q, "qmax": Q[:, -1:], "qmin": Q[:, :1]}[kind]
    if kind in ("emax", "emin"):
        k = np.argmax(a) if kind == "emax" else np.argmin(a)
        return np.eye(a.shape[0])[:, [k]]
    U, _, Wt = np.linalg.svd(a, full_matrices=False)
    return {"U": U, "W": Wt.T, "umax": U[:, :1], "wmax": Wt[:1].T, "umin": U[:, -1:],
            "wmin": Wt[-1:].T}[kind]


def spectrum(kind: str, a: np.ndarray) -> np.ndarray:
    if kind == "eig":
        return np.linalg.eigvalsh(_sym(a)).reshape(-1, 1)
    return np.linalg.svd(a, compute_uv=False).reshape(-1, 1)


def half_lower(n: int) -> np.ndarray:
    return np.tril(np.ones((n, n))) - np.eye(n) / 2


EVALUATORS.update({
    MatFunc: lambda e, v, s: matrix_function(e.name, v[0]),
    Frechet: lambda e, v, s: frechet_matrix(e.name, v[0]),
    DivDiff: lambda e, v, s: divided_differences(e.name, v[0]),
    Factor: lambda e, v, s: factor(e.kind, v[0]),
    Spectrum: lambda e, v, s: spectrum(e.kind, v[0]),
    Extreme: lambda e, v, s: _scalar(np.max(v[0]) if e.kind == "max" else np.min(v[0])),
    Chol: lambda e, v, s: np.linalg.cholesky(_sym(v[0])),
    HalfLower: lambda e, v, s: half_lower(dim_value(e.n, s)),
    Adj: lambda e, v, s: np.linalg.det(v[0]) * np.linalg.inv(v[0]),
    Pinv: lambda e, v, s: np.linalg.pinv(v[0]),
})


def duplication_matrix(n: int) -> np.ndarray:
    """Dₙ, with Dₙ vech(X) = vec(X) for symmetric X; vech stacks the lower triangle by columns."""
    columns = []
    for j in range(n):
        for i in range(j, n):
            column = np.zeros(n * n)
            column[i + n * j] = column[j + n * i] = 1.0
            columns.append(column)
    return np.stack(columns, axis=1)


def _log_det(a: np.ndarray) -> float:
    """ln|A| without overflowing |A| at large n; NaN where |A| ≤ 0, as for log(det(A))."""
    sign, log_abs = np.linalg.slogdet(a)
    return log_abs if sign > 0 else np.nan


def _product(e: Mul, values: list[np.ndarray]) -> np.ndarray:
    scale, chain = 1.0, None
    for factor, value in zip(e.factors, values):
        if factor.is_scalar:
            scale = scale * value.item()
        else:
            chain = value if chain is None else chain @ value
    return _scalar(scale) if chain is None else scale * chain


def memory_needed(e: Expr, sizes: dict[str, int]) -> int:
    """Bytes of the arrays evaluating e builds: one per distinct node, dense (K and ⊗ too)."""
    total, seen, stack = 0, set(), [e]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            total += 8 * dim_value(node.shape[0], sizes) * dim_value(node.shape[1], sizes)
            stack.extend(node.children)
    return total


def check_memory(e: Expr, sizes: dict[str, int], what: str = "evaluating it") -> None:
    """A LimitError, before anything is allocated, when the arrays would pass MAX_ARRAY_BYTES."""
    from ..limits import MAX_ARRAY_BYTES, memory_text
    needed = memory_needed(e, sizes)
    if needed > MAX_ARRAY_BYTES:
        from ..errors import LimitError
        raise LimitError(f"{what} needs about {memory_text(needed)} of memory, more than "
                         f"matcalc's limit of {memory_text(MAX_ARRAY_BYTES)}")


def evaluate(e: Expr, env: dict[str, np.ndarray], sizes: dict[str, int] | None = None) -> np.ndarray:
    """The value of e as a 2-D array; shared subexpressions are computed once."""
    from ..calculus.expr import variables
    sizes = sizes if sizes is not None else sizes_from(env, variables(e))
    check_memory(e, sizes)
    memo: dict[Expr, np.ndarray] = {}

    def value(node: Expr) -> np.ndarray:
        done = memo.get(node)
        if done is None:
            if isinstance(node, Partial):
                done = finite_difference(node.arg, node.wrt, env, sizes)
            elif isinstance(node, Var):
                done = np.atleast_2d(np.asarray(env[node.name], dtype=float))
                if done.shape != tuple(dim_value(d, sizes) for d in node.shape) and \
                        node.shape[1].is_one and done.shape[0] == 1:
                    done = done.T
            else:
                done = EVALUATORS[type(node)](node, [value(c) for c in node.children], sizes)
            memo[node] = done
        return done

    out = value(e)
    if np.iscomplexobj(out) and not any(np.iscomplexobj(v) for v in env.values()):
        out = out.real  # an eigenbasis V, F of a real X may be complex; the answer is real
    return out


def finite_difference(f: Expr, wrt: Var, env: dict[str, np.ndarray], sizes: dict[str, int],
                      step: float = 1e-5) -> np.ndarray:
    """∂vec f / ∂(vec X)ᵀ by central differences: a value that owes nothing to the rule table,
    so an unexpanded ∂F/∂X in a derivation can be checked like any other expression."""
    x = np.atleast_2d(np.asarray(env[wrt.name], dtype=float))
    if x.shape[0] == 1 and wrt.shape[1].is_one and not wrt.shape[0].is_one:
        x = x.T
    h = step * max(1.0, float(np.max(np.abs(x))))
    columns = []
    for k in range(x.size):
        shift = np.zeros(x.size)
        shift[k] = h
        shift = shift.reshape(x.shape, order="F")
        up = evaluate(f, {**env, wrt.name: x + shift}, sizes)
        down = evaluate(f, {**env, wrt.name: x - shift}, sizes)
        columns.append(((up - down) / (2 * h)).reshape(-1, order="F"))
    return np.stack(columns, axis=1)
