"""Differential fuzzing: random questions of the grammar, each built twice from one random tree,
as matcalc's input text and as an independent NumPy function of the same variables; matcalc's
answers are compared with central differences of that function at a random point.

Every path an answer takes is covered: the Jacobian (evaluated, and as printed NumPy code that
is run), the derivation of --steps (every line, in every text format), the Jacobian and the
gradient by a symmetric X (--symmetric), and the Hessian (--order 2), also by a symmetric X.
Nothing of matcalc is used to compute the reference values: not its parser, rules or evaluator.

A question outside its domain at the random point (a singular inverse, the log of a negative
number, an overflow) is rejected and another is drawn. MATCALC_FUZZ_EXAMPLES raises the number
of questions per test for a long campaign.
"""
from __future__ import annotations

import os
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from matcalc import derive
from matcalc.errors import MatcalcError
from matcalc.calculus.expr import Zero
from matcalc.checking.numeric import evaluate

from finite_differences import eval_numpy_code

N = 3
SHAPES = {"t": (1, 1), "x": ("n", 1)}
SIZES = {"n": N}
TOLERANCE = 1e-5
SECONDS = 5  # for one question, all its derivatives and checks, on a busy machine
EXAMPLES = int(os.environ.get("MATCALC_FUZZ_EXAMPLES", "0"))


class OutsideDomain(Exception):
    """The reference function is not defined, or not tame, at this point."""


def guard(value, positive=False, invertible=False):
    value = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(value)) or np.max(np.abs(value), initial=0.0) > 1e6:
        raise OutsideDomain
    if positive and np.min(value) < 1e-2:
        raise OutsideDomain
    if invertible and np.linalg.cond(value) > 1e4:
        raise OutsideDomain
    return value


# ── the grammar, twice: text for matcalc, a function of the point for the reference ─────

def leaf(text, fn):
    return st.just((text, fn))


MATRIX_LEAVES = st.one_of(leaf("X", lambda v: v["X"]), leaf("A", lambda v: v["A"]),
                          leaf("B", lambda v: v["B"]))
SCALAR_LEAVES = st.one_of(leaf("t", lambda v: v["t"]), leaf("2", lambda v: np.array([[2.0]])),
                          leaf("0.5", lambda v: np.array([[0.5]])))


def _matrix(m, s):
    """Productions whose value is an n×n matrix, from matrices m and scalars s."""
    two = st.tuples(m, m)
    return st.one_of(
        two.map(lambda p: (f"({p[0][0]}) + ({p[1][0]})", lambda v: p[0][1](v) + p[1][1](v))),
        two.map(lambda p: (f"({p[0][0]}) - ({p[1][0]})", lambda v: p[0][1](v) - p[1][1](v))),
        two.map(lambda p: (f"({p[0][0]}) ({p[1][0]})", lambda v: p[0][1](v) @ p[1][1](v))),
        two.map(lambda p: (f"({p[0][0]}) .* ({p[1][0]})", lambda v: p[0][1](v) * p[1][1](v))),
        m.map(lambda a: (f"({a[0]})^T", lambda v: a[1](v).T)),
        m.map(lambda a: (f"({a[0]})'", lambda v: a[1](v).T)),
        m.map(lambda a: (f"inv({a[0]})",
                         lambda v: np.linalg.inv(guard(a[1](v), invertible=True)))),
        m.map(lambda a: (f"({a[0]})⁻ᵀ",
                         lambda v: np.linalg.inv(guard(a[1](v), invertible=True)).T)),
        m.map(lambda a: (f"({a[0]})^2", lambda v: a[1](v) @ a[1](v))),
        m.map(lambda a: (f"exp({a[0]})", lambda v: np.exp(guard(a[1](v))))),
        m.map(lambda a: (f"sin({a[0]})", lambda v: np.sin(a[1](v)))),
        m.map(lambda a: (f"log({a[0]})", lambda v: np.log(guard(a[1](v), positive=True)))),
        m.map(lambda a: (f"sqrt({a[0]})", lambda v: np.sqrt(guard(a[1](v), positive=True)))),
        m.map(lambda a: (f"({a[0]}).^2", lambda v: a[1](v) ** 2)),
        m.map(lambda a: (f"({a[0]}).^(1/2)",
                         lambda v: np.sqrt(guard(a[1](v), positive=True)))),
        m.map(lambda a: (f"diag(diag({a[0]}))", lambda v: np.diag(np.diag(a[1](v))))),
        m.map(lambda a: (f"diag(({a[0]}) x)", lambda v: np.diagflat(a[1](v) @ v["x"]))),
        st.tuples(s, m).map(lambda p: (f"({p[0][0]}) ({p[1][0]})",
                                       lambda v: p[0][1](v).item() * p[1][1](v))),
        st.tuples(m, s).map(lambda p: (f"({p[0][0]}) / ({p[1][0]})",
                                       lambda v: p[0][1](v) / _away_from_zero(p[1][1](v)).item())),
    )


def _scalar(m, s):
    """Productions whose value is a scalar (a 1×1 array)."""
    def one(x):
        return np.array([[float(np.asarray(x).squeeze())]])
    two = st.tuples(s, s)
    return st.one_of(
        m.map(lambda a: (f"tr({a[0]})", lambda v: one(np.trace(a[1](v))))),
        m.map(lambda a: (f"det({a[0]})", lambda v: one(np.linalg.det(a[1](v))))),
        m.map(lambda a: (f"logdet({a[0]})",
                         lambda v: one(np.log(guard(np.linalg.det(a[1](v)), positive=True))))),
        m.map(lambda a: (f"sum({a[0]})", lambda v: one(np.sum(a[1](v))))),
        m.map(lambda a: (f"norm({a[0]})",
                         lambda v: one(guard(np.linalg.norm(a[1](v)), positive=True)))),
        m.map(lambda a: (f"x^T ({a[0]}) x", lambda v: v["x"].T @ a[1](v) @ v["x"])),
        st.tuples(m, m).map(lambda p: (f"<{p[0][0]}, {p[1][0]}>",
                                       lambda v: one(np.sum(p[0][1](v) * p[1][1](v))))),
        st.tuples(m, m).map(lambda p: (f"tr(kron({p[0][0]}, {p[1][0]}))",
                                       lambda v: one(np.trace(np.kron(p[0][1](v), p[1][1](v)))))),
        two.map(lambda p: (f"({p[0][0]}) + ({p[1][0]})", lambda v: p[0][1](v) + p[1][1](v))),
        two.map(lambda p: (f"({p[0][0]}) ({p[1][0]})", lambda v: p[0][1](v) * p[1][1](v))),
        two.map(lambda p: (f"({p[0][0]}) / ({p[1][0]})",
                           lambda v: p[0][1](v) / _away_from_zero(p[1][1](v)))),
        s.map(lambda a: (f"exp({a[0]})", lambda v: np.exp(guard(a[1](v))))),
        s.map(lambda a: (f"sqrt({a[0]})", lambda v: np.sqrt(guard(a[1](v), positive=True)))),
        s.map(lambda a: (f"ln({a[0]})", lambda v: np.log(guard(a[1](v), positive=True)))),
        s.map(lambda a: (f"({a[0]})^2", lambda v: a[1](v) ** 2)),
        s.map(lambda a: (f"inv({a[0]})", lambda v: 1 / _away_from_zero(a[1](v)))),
        s.map(lambda a: (f"({a[0]})^(1/2)", lambda v: np.sqrt(guard(a[1](v), positive=True)))),
        s.map(lambda a: (f"({a[0]})^-1", lambda v: 1 / _away_from_zero(a[1](v)))),
        s.map(lambda a: (f"({a[0]})^{{-3}}", lambda v: _away_from_zero(a[1](v)) ** -3.0)),
        m.map(lambda a: (f"|{a[0]}|", lambda v: one(np.linalg.det(a[1](v))))),
        m.map(lambda a: (f"sum(diag({a[0]}))", lambda v: one(np.trace(a[1](v))))),
        st.tuples(m, m).map(lambda p: (f"x^T ({p[0][0]}) ({p[1][0]}) x",
                                       lambda v: v["x"].T @ p[0][1](v) @ p[1][1](v) @ v["x"])),
    )


def _away_from_zero(value):
    if np.min(np.abs(value)) < 1e-2:
        raise OutsideDomain
    return value


def questions(depth: int = 3, kinds=("matrix", "scalar")):
    """(kind, text, fn): a random scalar or n×n question of at most `depth` levels."""
    m, s = MATRIX_LEAVES, SCALAR_LEAVES
    for _ in range(depth):
        m, s = st.one_of(MATRIX_LEAVES, _matrix(m, s)), st.one_of(SCALAR_LEAVES, _scalar(m, s))
    made = {"matrix": m.map(lambda q: ("matrix", *q)), "scalar": s.map(lambda q: ("scalar", *q))}
    return st.one_of(*(made[kind] for kind in kinds))


# ── the reference: central differences of the independent function ─────────────────────

def random_point(seed: int, symmetric: bool) -> dict:
    rng = np.random.default_rng(seed)
    env = {name: np.eye(N) + 0.3 * rng.standard_normal((N, N)) for name in "XAB"}
    if seed % 2:  # every element positive, for element-wise logarithms and roots
        env = {name: np.abs(value) + 0.1 for name, value in env.items()}
    if symmetric:
        env["X"] = (env["X"] + env["X"].T) / 2
    env["t"] = np.array([[0.5 + rng.random()]])
    env["x"] = rng.standard_normal((N, 1))
    return env


def value(fn, env) -> np.ndarray:
    out = guard(fn(env))
    return out.reshape(out.shape if out.ndim == 2 else (1, 1))


def directions(wrt: str, env: dict, symmetric: bool) -> list[np.ndarray]:
    """The unit changes of wrt: one an element, or for a symmetric X one an element of vech
    (X_ij and X_ji together), in the order of vec and vech (by columns)."""
    shape = env[wrt].shape
    out = []
    for j in range(shape[1]):
        for i in range(shape[0]):
            if symmetric and i < j:
                continue
            E = np.zeros(shape)
            E[i, j] = 1.0
            if symmetric:
                E[j, i] = 1.0
            out.append(E)
    return out


def reference_jacobian(fn, wrt, env, symmetric=False, h=1e-6) -> np.ndarray:
    columns = []
    for E in directions(wrt, env, symmetric):
        up = value(fn, {**env, wrt: env[wrt] + h * E})
        down = value(fn, {**env, wrt: env[wrt] - h * E})
        columns.append(((up - down) / (2 * h)).reshape(-1, order="F"))
    return np.stack(columns, axis=1)


def reference_hessian(fn, wrt, env, symmetric=False, h=1e-3) -> np.ndarray:
    Es = directions(wrt, env, symmetric)
    H = np.empty((len(Es), len(Es)))
    x = env[wrt]

    def f(shift):
        return value(fn, {**env, wrt: x + shift}).item()
    for a, Ea in enumerate(Es):
        for b in range(a, len(Es)):
            Eb = Es[b]
            H[a, b] = H[b, a] = (f(h * (Ea + Eb)) - f(h * (Ea - Eb)) - f(h * (Eb - Ea))
                                 + f(-h * (Ea + Eb))) / (4 * h * h)
    return H


def settled(reference, fn, wrt, env, symmetric, h, tolerance) -> np.ndarray:
    """The reference at steps h, h/10, … until two in a row agree: near a singularity a step
    that is small elsewhere is too large. A point where none settles is not tame."""
    previous = reference(fn, wrt, env, symmetric, h)
    for _ in range(3):
        h /= 10
        current = reference(fn, wrt, env, symmetric, h)
        scale = max(1.0, float(np.max(np.abs(current))))
        if np.max(np.abs(current - previous), initial=0.0) / scale < tolerance / 10:
            return current
        previous = current
    raise OutsideDomain


def close(actual, expected, what: str, text: str, tolerance: float = TOLERANCE) -> None:
    actual = np.atleast_2d(np.asarray(actual, dtype=float))
    assert actual.shape == expected.shape, f"{what} of {text!r}: shape {actual.shape}, " \
                                           f"expected {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected))))
    error = float(np.max(np.abs(actual - expected), initial=0.0)) / scale
    assert error < tolerance, f"{what} of {text!r}: relative error {error:.1e}"


# ── one question through every path ─────────────────────────────────────────────────────

def checked(question, wrt: str, seed: int, symmetric: bool = False, order: int = 1):
    """matcalc's derivative of the question and the point, or why there is none: the question
    is outside its domain at the point, or refused with a message (such as a limit)."""
    kind, text, fn = question
    env = random_point(seed, symmetric)
    try:
        value(fn, env)
    except (OutsideDomain, np.linalg.LinAlgError, FloatingPointError):
        return "outside the domain at the point"
    try:
        d = derive(text, wrt, SHAPES, order=order, symmetric=(wrt,) if symmetric else ())
    except MatcalcError as err:  # an answer or a message: the grammar's texts all parse
        assert "parse" not in type(err).__name__.lower(), f"{text!r}: {err}"
        return f"refused: {str(err).split(',')[0]}"
    return d, env


def run_question(question, wrt: str, seed: int, symmetric: bool, order: int, steps: bool):
    kind, text, fn = question
    start = time.perf_counter()
    got = checked(question, wrt, seed, symmetric, order)
    if isinstance(got, str):
        return got
    d, env = got
    try:
        if order == 2:
            expected = settled(reference_hessian, fn, wrt, env, symmetric, 1e-2, 1e-3)
            tolerance = 1e-3
        else:
            expected = settled(reference_jacobian, fn, wrt, env, symmetric, 1e-4, TOLERANCE)
            tolerance = TOLERANCE
    except (OutsideDomain, np.linalg.LinAlgError):
        return "outside the domain near the point"
    close(evaluate(d.jacobian, env, SIZES), expected, "the answer", text, tolerance)
    if not (symmetric and isinstance(d.jacobian, Zero)):  # see test_found_by_fuzzing.py
        close(eval_numpy_code(d.render("numpy"), env), expected, "the NumPy code", text,
              tolerance)
    if kind == "scalar" and order == 1:
        G = expected.reshape(env[wrt].shape, order="F") if not symmetric else \
            _from_vech(expected.ravel())
        close(evaluate(d.gradient, env, SIZES), G, "the gradient", text)
        close(eval_numpy_code(d.render("numpy", "gradient"), env), G,
              "the NumPy code of the gradient", text)
    for fmt in ("unicode", "ascii", "latex"):
        assert d.render(fmt).strip()
    if steps and order == 1 and not symmetric:
        derivation = d.derivation
        for k, step in enumerate(derivation.steps):
            close(evaluate(step.expr, env, SIZES), expected, f"step {k} ({step.rule})", text)
        for fmt in ("unicode", "ascii", "latex"):
            assert derivation.render(fmt).strip()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"{text!r} took {elapsed:.1f} s"
    return "checked"


def _from_vech(g: np.ndarray) -> np.ndarray:
    """The symmetric gradient: its (i, j) and (j, i) elements are ∂f/∂vech(X) at (i, j)."""
    G, k = np.zeros((N, N)), 0
    for j in range(N):
        for i in range(j, N):
            G[i, j] = G[j, i] = g[k]
            k += 1
    return G


FUZZ = settings(deadline=None, print_blob=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@settings(FUZZ, max_examples=EXAMPLES or 80)
@given(questions(), st.sampled_from(["X", "X", "t"]), st.integers(0, 2**16))
def test_jacobians_and_steps(question, wrt, seed):
    event(run_question(question, wrt, seed, symmetric=False, order=1, steps=True))


@settings(FUZZ, max_examples=EXAMPLES or 60)
@given(questions(), st.integers(0, 2**16))
def test_by_a_symmetric_variable(question, seed):
    event(run_question(question, "X", seed, symmetric=True, order=1, steps=False))


@settings(FUZZ, max_examples=EXAMPLES or 40)
@given(questions(3, ["scalar"]), st.integers(0, 2**16),
       st.booleans())
def test_hessians(question, seed, symmetric):
    event(run_question(question, "X", seed, symmetric=symmetric, order=2, steps=False))


def test_the_reference_catches_a_wrong_answer():
    """The comparison can fail: matcalc's answer for one question against another's reference."""
    question = ("scalar", "tr(X X)", lambda v: np.array([[np.trace(v["X"] @ v["X"].T)]]))
    with pytest.raises(AssertionError, match="relative error"):
        run_question(question, "X", 1, symmetric=False, order=1, steps=False)
    with pytest.raises(AssertionError, match="relative error"):
        run_question(question, "X", 1, symmetric=False, order=2, steps=False)
