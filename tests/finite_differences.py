"""Finite differences and random points for checking derivatives numerically.

The convention is the one matcalc prints: the Jacobian of F (m×n) with respect to X (p×q) is
the (m·n)×(p·q) matrix ∂vec F / ∂(vec X)ᵀ, with vec stacking columns (numpy order="F").
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from matcalc.checking.numeric import evaluate

SIZES = {"m": 4, "n": 3, "p": 2}


def as_matrix(value) -> np.ndarray:
    """Any NumPy value as a 2-D array (a scalar becomes 1×1)."""
    return np.atleast_2d(np.asarray(value, dtype=float))


def vec(M: np.ndarray) -> np.ndarray:
    return as_matrix(M).reshape(-1, order="F")


def fd_jacobian(f: Callable[[dict], np.ndarray], env: dict, wrt: str, h: float = 1e-6) -> np.ndarray:
    """Central differences, column by column of ∂vec f / ∂(vec wrt)ᵀ."""
    x = as_matrix(env[wrt])
    columns = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = h
        step = step.reshape(x.shape, order="F")
        plus = vec(f({**env, wrt: x + step}))
        minus = vec(f({**env, wrt: x - step}))
        columns.append((plus - minus) / (2 * h))
    return np.column_stack(columns)


def fd_hessian(f: Callable[[dict], np.ndarray], env: dict, wrt: str, h: float = 1e-4) -> np.ndarray:
    """Second central differences of a scalar f: ∂²f / ∂vec X ∂(vec X)ᵀ, entry by entry."""
    x = as_matrix(env[wrt])
    k = x.size

    def at(*steps):
        d = np.zeros(k)
        for j, sign in steps:
            d[j] += sign * h
        return float(as_matrix(f({**env, wrt: x + d.reshape(x.shape, order="F")})).item())

    H = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            H[i, j] = H[j, i] = (at((i, 1), (j, 1)) - at((i, 1), (j, -1)) - at((i, -1), (j, 1))
                                 + at((i, -1), (j, -1))) / (4 * h * h)
    return H


def relative_error(actual, expected) -> float:
    """‖actual − expected‖ / ‖expected‖ (absolute when the expected value is ~0)."""
    actual, expected = as_matrix(actual), as_matrix(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"
    scale = np.linalg.norm(expected)
    return float(np.linalg.norm(actual - expected) / (scale if scale > 1e-8 else 1.0))


def eval_numpy_code(code: str, env: dict) -> np.ndarray:
    """Run matcalc's own generated NumPy expression (never user input) with the names bound."""
    return eval(code, {"np": np}, dict(env))  # noqa: S307 - matcalc's output, not user text


def shape_of(var, sizes=SIZES) -> tuple[int, int]:
    return tuple(d.coeff * int(np.prod([sizes[s] for s in d.symbols])) for d in var.shape)


def random_point(names: dict, rng: np.random.Generator, sizes=SIZES, overrides=None) -> dict:
    """Values for the names: square matrices n·I + 0.3·noise (well-conditioned, det > 0),
    rectangular ones and vectors standard normal, scalars in [1, 2]."""
    env = {}
    for name, var in names.items():
        rows, cols = shape_of(var, sizes)
        if rows == cols == 1:
            env[name] = np.array([[1.0 + rng.random()]])
        elif rows == cols:
            env[name] = rows * np.eye(rows) + 0.3 * rng.standard_normal((rows, cols))
        else:
            env[name] = rng.standard_normal((rows, cols))
    env.update(overrides or {})
    return env


def check_derivative(d, f: Callable[[dict], np.ndarray], env: dict, sizes=SIZES, tol: float = 1e-6):
    """matcalc's Jacobian (as NumPy code and as evaluated tree) against central differences of
    the independent reference f; for a scalar f also the gradient layout. Returns the errors."""
    wrt = d.wrt.name
    expected = fd_jacobian(f, env, wrt)
    errors = {
        "numpy": relative_error(eval_numpy_code(d.render("numpy"), env), expected),
        "evaluate": relative_error(evaluate(d.jacobian, env, sizes), expected),
    }
    if d.expr.is_scalar:
        G = expected.reshape(as_matrix(env[wrt]).shape, order="F")
        errors["numpy gradient"] = relative_error(
            eval_numpy_code(d.render("numpy", "gradient"), env), G)
        errors["evaluate gradient"] = relative_error(evaluate(d.gradient, env, sizes), G)
    bad = {k: v for k, v in errors.items() if not v < tol}
    assert not bad, f"∂/∂{wrt} of {d.question.text!r} = {d.unicode}: relative errors {bad}"
    return errors
