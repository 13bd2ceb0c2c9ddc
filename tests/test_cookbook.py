"""Identities from the Matrix Cookbook and Magnus & Neudecker, checked numerically.

Each case differentiates an expression with matcalc and compares the answer, both as the
printed NumPy code and as the evaluated tree, with central differences of an independent
reference written by hand in NumPy; scalar functions are checked in the gradient layout too.
Where the books give a closed form, it is checked against matcalc's answer as well, and the
best known ones must print exactly as the books write them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest

from finite_differences import (SIZES, as_matrix, check_derivative, eval_numpy_code,
                                fd_jacobian, random_point, relative_error)
from matcalc import derive
from matcalc.checking.numeric import evaluate

inv, det, tr, kron, log, exp = (np.linalg.inv, np.linalg.det, np.trace, np.kron, np.log, np.exp)
RECT = {"X": ("m", "n")}


def vec(M):
    return np.asarray(M).reshape(-1, 1, order="F")


def K(m, n):
    """The commutation matrix K_mn: K vec(M) = vec(Mᵀ) for M of m×n."""
    out = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            out[i * n + j, j * m + i] = 1
    return out


def s(x):
    """A 1×1 array as a float."""
    return np.asarray(x).item()


@dataclass
class Case:
    expr: str
    wrt: str
    ref: Callable                      # the function itself, by hand: ref(**values)
    shapes: dict = field(default_factory=dict)
    closed: Callable | None = None     # the books' closed form: gradient G, or the Jacobian
    unicode: str | None = None         # the Jacobian as the books print it
    gradient: str | None = None        # G as the books print it
    composition: bool = False          # three or more operations composed
    overrides: Callable | None = None  # special values: overrides(rng, sizes) -> {name: value}

    @property
    def id(self) -> str:
        return f"d({self.expr})/d{self.wrt}"


def spd(rng, k):
    M = rng.standard_normal((k, k))
    return M @ M.T + k * np.eye(k)


CASES = [
    # ── determinants ──
    Case("det(X)", "X", lambda X, **_: det(X),
         closed=lambda X, **_: det(X) * inv(X).T, unicode="|X| vecᵀ(X⁻ᵀ)", gradient="|X| X⁻ᵀ"),
    Case("|X^T|", "X", lambda X, **_: det(X.T), closed=lambda X, **_: det(X) * inv(X).T),
    Case("det(A X B)", "X", lambda A, X, B, **_: det(A @ X @ B),
         closed=lambda A, X, B, **_: det(A @ X @ B) * inv(X).T),
    Case("det(X^T A X)", "X", lambda X, A, **_: det(X.T @ A @ X), {"X": ("m", "n"), "A": ("m", "m")},
         closed=lambda X, A, **_: det(X.T @ A @ X) * (A @ X @ inv(X.T @ A @ X)
                                                       + A.T @ X @ inv(X.T @ A.T @ X)),
         composition=True),
    Case("det(X^3)", "X", lambda X, **_: det(X @ X @ X),
         closed=lambda X, **_: 3 * det(X) ** 3 * inv(X).T),
    Case("det(2*X)", "X", lambda X, **_: det(2 * X),
         closed=lambda X, **_: 2 ** 3 * det(X) * inv(X).T),
    Case("det(inv(X))", "X", lambda X, **_: 1 / det(X),
         closed=lambda X, **_: -inv(X).T / det(X)),
    Case("det(X)^2", "X", lambda X, **_: det(X) ** 2,
         closed=lambda X, **_: 2 * det(X) ** 2 * inv(X).T),
    # ── log-determinants ──
    Case("logdet(X)", "X", lambda X, **_: log(det(X)),
         closed=lambda X, **_: inv(X).T, unicode="vecᵀ(X⁻ᵀ)", gradient="X⁻ᵀ"),
    Case("logdet(X^T X)", "X", lambda X, **_: log(det(X.T @ X)), RECT,
         closed=lambda X, **_: 2 * X @ inv(X.T @ X),
         unicode="2vecᵀ(X(XᵀX)⁻¹)", gradient="2X(XᵀX)⁻¹", composition=True),
    Case("ln|X^T A X|", "X", lambda X, A, **_: log(det(X.T @ A @ X)),
         {"X": ("m", "n"), "A": ("m", "m")},
         closed=lambda X, A, **_: A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A.T @ X),
         composition=True),
    Case("log(det(X X^T))", "X", lambda X, **_: log(det(X @ X.T)), {"X": ("n", "m")},
         closed=lambda X, **_: 2 * inv(X @ X.T) @ X, gradient="2(XXᵀ)⁻¹X", composition=True),
    Case("logdet(inv(X))", "X", lambda X, **_: -log(det(X)),
         closed=lambda X, **_: -inv(X).T, gradient="−X⁻ᵀ"),
    Case("logdet(A + X^T X)", "X", lambda A, X, **_: log(det(A + X.T @ X)), RECT,
         closed=lambda A, X, **_: X @ (inv(A + X.T @ X) + inv(A + X.T @ X).T),
         composition=True),
    # ── inverses ──
    Case("inv(X)", "X", lambda X, **_: inv(X),
         closed=lambda X, **_: -kron(inv(X).T, inv(X)), unicode="−(X⁻ᵀ ⊗ X⁻¹)"),
    Case("X^-1 A X", "X", lambda X, A, **_: inv(X) @ A @ X),
    Case("inv(A X B)", "X", lambda A, X, B, **_: inv(A @ X @ B),
         closed=lambda A, X, B, **_: -kron(inv(A @ X @ B).T, inv(A @ X @ B)) @ kron(B.T, A)),
    Case("inv(X^T X)", "X", lambda X, **_: inv(X.T @ X), RECT,
         closed=lambda X, **_: -kron(inv(X.T @ X), inv(X.T @ X))
         @ (np.eye(9) + K(3, 3)) @ kron(np.eye(3), X.T),
         unicode="−((XᵀX)⁻¹ ⊗ (XᵀX)⁻¹)(Iₙₙ + K)(Iₙ ⊗ Xᵀ)", composition=True),
    Case("inv(A + X^T X)", "X", lambda A, X, **_: inv(A + X.T @ X), RECT, composition=True),
    Case("a^T inv(X) b", "X", lambda a, X, b, **_: a.T @ inv(X) @ b,
         closed=lambda a, X, b, **_: -inv(X).T @ a @ b.T @ inv(X).T,
         unicode="−vecᵀ(X⁻ᵀabᵀX⁻ᵀ)", gradient="−X⁻ᵀabᵀX⁻ᵀ"),
    # ── traces ──
    Case("tr(X)", "X", lambda X, **_: tr(X), closed=lambda X, **_: np.eye(3),
         unicode="vecᵀ(I)", gradient="I"),
    Case("tr(A X)", "X", lambda A, X, **_: tr(A @ X), closed=lambda A, **_: A.T, gradient="Aᵀ"),
    Case("trace(A X B)", "X", lambda A, X, B, **_: tr(A @ X @ B),
         closed=lambda A, B, **_: A.T @ B.T, gradient="AᵀBᵀ"),
    Case("tr(A X^T B)", "X", lambda A, X, B, **_: tr(A @ X.T @ B),
         closed=lambda A, B, **_: B @ A, gradient="BA"),
    Case("tr(X^T A X)", "X", lambda X, A, **_: tr(X.T @ A @ X),
         closed=lambda X, A, **_: (A + A.T) @ X,
         unicode="vecᵀ((A + Aᵀ)X)", gradient="(A + Aᵀ)X"),
    Case("tr(X A X^T)", "X", lambda X, A, **_: tr(X @ A @ X.T), RECT,
         closed=lambda X, A, **_: X @ (A + A.T), gradient="X(A + Aᵀ)"),
    Case("tr(X^2)", "X", lambda X, **_: tr(X @ X), closed=lambda X, **_: 2 * X.T,
         gradient="2Xᵀ"),
    Case("tr(X^3)", "X", lambda X, **_: tr(X @ X @ X), closed=lambda X, **_: 3 * (X @ X).T),
    Case("tr(A X^T B X)", "X", lambda A, X, B, **_: tr(A @ X.T @ B @ X),
         closed=lambda A, X, B, **_: B @ X @ A + B.T @ X @ A.T,
         gradient="BXA + BᵀXAᵀ", composition=True),
    Case("tr(inv(X))", "X", lambda X, **_: tr(inv(X)),
         closed=lambda X, **_: -(inv(X) @ inv(X)).T),
    Case("tr(A inv(X) B)", "X", lambda A, X, B, **_: tr(A @ inv(X) @ B),
         closed=lambda A, X, B, **_: -inv(X).T @ A.T @ B.T @ inv(X).T,
         gradient="−X⁻ᵀAᵀBᵀX⁻ᵀ", composition=True),
    Case("tr(X^T X)", "X", lambda X, **_: tr(X.T @ X), RECT,
         closed=lambda X, **_: 2 * X, gradient="2X"),
    Case("<A, X>", "X", lambda A, X, **_: tr(A.T @ X), {"X": ("m", "n"), "A": ("m", "n")},
         closed=lambda A, **_: A, unicode="vecᵀ(A)"),
    Case("<X A, B>", "X", lambda X, A, B, **_: tr((X @ A).T @ B),
         {"X": ("m", "n"), "B": ("m", "n")}, closed=lambda A, B, **_: B @ A.T),
    Case("tr(kron(A, X))", "X", lambda A, X, **_: tr(kron(A, X)),
         closed=lambda A, **_: tr(A) * np.eye(3)),
    Case("tr(inv(X^T X))", "X", lambda X, **_: tr(inv(X.T @ X)), RECT,
         closed=lambda X, **_: -2 * X @ inv(X.T @ X) @ inv(X.T @ X), gradient="−2X(XᵀX)⁻²",
         composition=True),
    Case("tr((X^T X)^2)", "X", lambda X, **_: tr(X.T @ X @ X.T @ X), RECT,
         closed=lambda X, **_: 4 * X @ X.T @ X, gradient="4XXᵀX", composition=True),
    Case("tr((X^T X)^-1 A)", "X", lambda X, A, **_: tr(inv(X.T @ X) @ A), RECT,
         closed=lambda X, A, **_: -X @ inv(X.T @ X) @ (A + A.T) @ inv(X.T @ X),
         gradient="−X(XᵀX)⁻¹(A + Aᵀ)(XᵀX)⁻¹", composition=True),
    # ── bilinear and quadratic forms ──
    Case("a^T X b", "X", lambda a, X, b, **_: a.T @ X @ b, {"X": ("m", "n"), "a": "m", "b": "n"},
         closed=lambda a, b, **_: a @ b.T, unicode="vecᵀ(abᵀ)", gradient="abᵀ"),
    Case("a^T X^T b", "X", lambda a, X, b, **_: a.T @ X.T @ b,
         {"X": ("m", "n"), "a": "n", "b": "m"}, closed=lambda a, b, **_: b @ a.T,
         gradient="baᵀ"),
    Case("x^T A x", "x", lambda x, A, **_: x.T @ A @ x, closed=lambda x, A, **_: (A + A.T) @ x,
         unicode="xᵀ(A + Aᵀ)", gradient="(A + Aᵀ)x"),
    Case("x' x", "x", lambda x, **_: x.T @ x, closed=lambda x, **_: 2 * x,
         unicode="2xᵀ", gradient="2x"),
    Case("(A x + b)^T (A x + b)", "x", lambda A, x, b, **_: (A @ x + b).T @ (A @ x + b),
         {"A": ("m", "n"), "b": "m"}, closed=lambda A, x, b, **_: 2 * A.T @ (A @ x + b),
         composition=True),
    Case("a^T X^T X b", "X", lambda a, X, b, **_: a.T @ X.T @ X @ b, RECT,
         closed=lambda a, X, b, **_: X @ (a @ b.T + b @ a.T), composition=True),
    Case("b^T X^T D X c", "X", lambda b, X, D, c, **_: b.T @ X.T @ D @ X @ c,
         {"X": ("m", "n"), "D": ("m", "m")},
         closed=lambda b, X, D, c, **_: D.T @ X @ b @ c.T + D @ X @ c @ b.T, composition=True),
    Case("(X b + c)^T D (X b + c)", "X",
         lambda X, b, c, D, **_: (X @ b + c).T @ D @ (X @ b + c),
         {"X": ("m", "n"), "D": ("m", "m"), "c": "m"},
         closed=lambda X, b, c, D, **_: (D + D.T) @ (X @ b + c) @ b.T, composition=True),
    Case("(X b + c)^T (X b + c)", "X", lambda X, b, c, **_: (X @ b + c).T @ (X @ b + c),
         {"X": ("m", "n"), "c": "m"}, closed=lambda X, b, c, **_: 2 * (X @ b + c) @ b.T,
         composition=True),
    Case("(X^T a + b)^T (X^T a + b)", "X", lambda X, a, b, **_: (X.T @ a + b).T @ (X.T @ a + b),
         closed=lambda X, a, b, **_: 2 * a @ (X.T @ a + b).T, composition=True),
    Case("(X a + b)^T (X^T a + c)", "X", lambda X, a, b, c, **_: (X @ a + b).T @ (X.T @ a + c),
         closed=lambda X, a, b, c, **_: (X.T @ a + c) @ a.T + a @ (X @ a + b).T,
         composition=True),
    Case("a^T X^2 b", "X", lambda a, X, b, **_: a.T @ X @ X @ b,
         closed=lambda a, X, b, **_: X.T @ a @ b.T + a @ b.T @ X.T),
    Case("x^T inv(A) x", "x", lambda x, A, **_: x.T @ inv(A) @ x,
         closed=lambda x, A, **_: (inv(A) + inv(A).T) @ x),
    # ── matrix-valued functions ──
    Case("A X B", "X", lambda A, X, B, **_: A @ X @ B,
         {"X": ("m", "n"), "A": ("p", "m"), "B": ("n", "p")},
         closed=lambda A, B, **_: kron(B.T, A), unicode="Bᵀ ⊗ A"),
    Case("X^T X", "X", lambda X, **_: X.T @ X, RECT,
         closed=lambda X, **_: (np.eye(9) + K(3, 3)) @ kron(np.eye(3), X.T),
         unicode="(Iₙₙ + K)(Iₙ ⊗ Xᵀ)"),
    Case("X X^T", "X", lambda X, **_: X @ X.T, RECT,
         closed=lambda X, **_: (np.eye(16) + K(4, 4)) @ kron(X, np.eye(4)),
         unicode="(Iₘₘ + K)(X ⊗ Iₘ)"),
    Case("X^T", "X", lambda X, **_: X.T, RECT, closed=lambda **_: K(4, 3), unicode="Kₘₙ"),
    Case("transpose(X)", "X", lambda X, **_: X.T, closed=lambda **_: K(3, 3), unicode="K"),
    Case("X^2", "X", lambda X, **_: X @ X,
         closed=lambda X, **_: kron(np.eye(3), X) + kron(X.T, np.eye(3)),
         unicode="I ⊗ X + Xᵀ ⊗ I"),
    Case("X^3", "X", lambda X, **_: X @ X @ X),
    Case("kron(X, A)", "X", lambda X, A, **_: kron(X, A), {"X": ("m", "n"), "A": ("p", "p")}),
    Case("A ⊗ X", "X", lambda A, X, **_: kron(A, X)),
    Case("vec(X)", "X", lambda X, **_: vec(X), RECT, unicode="I"),
    Case("X^T A X", "X", lambda X, A, **_: X.T @ A @ X, {"X": ("m", "n"), "A": ("m", "m")}),
    Case("3*X - X'/2", "X", lambda X, **_: 3 * X - X.T / 2,
         closed=lambda **_: 3 * np.eye(9) - K(3, 3) / 2, unicode="3I − K/2"),
    Case("x x^T", "x", lambda x, **_: x @ x.T,
         closed=lambda x, **_: kron(np.eye(3), x) + kron(x, np.eye(3)), unicode="I ⊗ x + x ⊗ I"),
    Case("X x", "X", lambda X, x, **_: X @ x, closed=lambda x, **_: kron(x.T, np.eye(3)),
         unicode="xᵀ ⊗ I"),
    Case("inv(A + t*B)", "t", lambda A, t, B, **_: inv(A + s(t) * B), {"t": (1, 1)},
         closed=lambda A, t, B, **_: -vec(inv(A + s(t) * B) @ B @ inv(A + s(t) * B)),
         unicode="−vec((A + tB)⁻¹B(A + tB)⁻¹)", composition=True),
    Case("exp(t) * X^T", "t", lambda t, X, **_: exp(s(t)) * X.T, {"t": (1, 1)}),
    # ── scalar functions ──
    Case("exp(tr(X))", "X", lambda X, **_: exp(tr(X)), closed=lambda X, **_: exp(tr(X)) * np.eye(3)),
    Case("log(tr(X^T X))", "X", lambda X, **_: log(tr(X.T @ X)), RECT,
         closed=lambda X, **_: 2 * X / tr(X.T @ X), gradient="2X/tr(XᵀX)", composition=True),
    Case("sqrt(tr(X^T X))", "X", lambda X, **_: np.sqrt(tr(X.T @ X)), RECT,
         closed=lambda X, **_: X / np.linalg.norm(X), gradient="X/√(tr(XᵀX))", composition=True),
    Case("(a^T x)^2", "x", lambda a, x, **_: s(a.T @ x) ** 2, closed=lambda a, x, **_: 2 * s(a.T @ x) * a),
    Case("tr(X)^3", "X", lambda X, **_: tr(X) ** 3, closed=lambda X, **_: 3 * tr(X) ** 2 * np.eye(3)),
    Case("tr(X^T X)^-1", "X", lambda X, **_: 1 / tr(X.T @ X), RECT,
         closed=lambda X, **_: -2 * X / tr(X.T @ X) ** 2, composition=True),
    Case("exp(a^T inv(X) b)", "X", lambda a, X, b, **_: exp(s(a.T @ inv(X) @ b)),
         closed=lambda a, X, b, **_: -exp(s(a.T @ inv(X) @ b)) * inv(X).T @ a @ b.T @ inv(X).T,
         composition=True),
    Case("ln(1 + x^T x)", "x", lambda x, **_: log(1 + s(x.T @ x)),
         closed=lambda x, **_: 2 * x / (1 + s(x.T @ x)), gradient="2x/(1 + xᵀx)",
         composition=True),
    Case("sqrt(x^T A x)", "x", lambda x, A, **_: np.sqrt(s(x.T @ A @ x)),
         closed=lambda x, A, **_: (A + A.T) @ x / (2 * np.sqrt(s(x.T @ A @ x))),
         composition=True, overrides=lambda rng, sizes: {"A": spd(rng, sizes["n"])}),
    Case("|A X B| * tr(X)", "X", lambda A, X, B, **_: det(A @ X @ B) * tr(X),
         closed=lambda A, X, B, **_: det(A @ X @ B) * (np.eye(3) + tr(X) * inv(X).T),
         composition=True),
    Case("log(tr(X^T X) + 1)", "X", lambda X, **_: log(tr(X.T @ X) + 1), RECT,
         closed=lambda X, **_: 2 * X / (1 + tr(X.T @ X)), composition=True),
    Case("exp(-x^T x / 2)", "x", lambda x, **_: exp(-s(x.T @ x) / 2),
         closed=lambda x, **_: -exp(-s(x.T @ x) / 2) * x, gradient="−exp(−xᵀx/2) x",
         composition=True),
    Case("t^2 tr(X)", "t", lambda t, X, **_: s(t) ** 2 * tr(X), {"t": (1, 1)},
         closed=lambda t, X, **_: 2 * s(t) * tr(X)),
]


def _derive(case: Case):
    return derive(case.expr, case.wrt, case.shapes)


def _point(case: Case, d, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    extra = case.overrides(rng, SIZES) if case.overrides else None
    return random_point(d.names, rng, SIZES, extra)


def test_the_collection_is_large_enough():
    assert len(CASES) >= 45
    assert sum(c.composition for c in CASES) >= 12
    assert any(c.shapes.get("X") == ("m", "n") for c in CASES)
    assert sum(c.unicode is not None or c.gradient is not None for c in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_matches_finite_differences(case: Case):
    d = _derive(case)
    for seed in (0, 1):
        env = _point(case, d, seed)
        # the reference must be the function matcalc parsed, or the comparison proves nothing
        assert relative_error(evaluate(d.expr, env, SIZES), as_matrix(case.ref(**env))) < 1e-12
        check_derivative(d, lambda values: case.ref(**values), env)


@pytest.mark.parametrize("case", [c for c in CASES if c.closed], ids=lambda c: c.id)
def test_matches_closed_form(case: Case):
    d = _derive(case)
    env = _point(case, d)
    answer = d.gradient if d.expr.is_scalar else d.jacobian
    assert relative_error(evaluate(answer, env, SIZES), case.closed(**env)) < 1e-10


@pytest.mark.parametrize("case", [c for c in CASES if c.unicode], ids=lambda c: c.id)
def test_prints_as_the_books_do(case: Case):
    assert _derive(case).unicode == case.unicode


@pytest.mark.parametrize("case", [c for c in CASES if c.gradient], ids=lambda c: c.id)
def test_gradient_prints_as_the_books_do(case: Case):
    assert _derive(case).render("unicode", "gradient") == case.gradient


@pytest.mark.parametrize("size", [2, 5])
def test_numpy_code_works_at_any_size(size):
    """The printed code reads its sizes from the arrays, so it is not tied to one n."""
    d = derive("X^T A X", "X", {"X": ("m", "n"), "A": ("m", "m")})
    rng = np.random.default_rng(size)
    env = {"X": rng.standard_normal((size + 1, size)), "A": rng.standard_normal((size + 1, size + 1))}
    J = eval_numpy_code(d.numpy, env)
    assert relative_error(J, fd_jacobian(lambda v: v["X"].T @ v["A"] @ v["X"], env, "X")) < 1e-6


@pytest.mark.parametrize("expr, wrt, fmt, expected", [
    ("ln(1 + x^T x)", "x", "unicode", "2x/(1 + xᵀx)"),
    ("ln(1 + x^T x)", "x", "ascii", "2x/(1 + x^T x)"),
    ("ln(1 + x^T x)", "x", "latex", r"\frac{2}{1 + x^{\top} x} x"),
    ("1/(a^T x)", "x", "unicode", "−a/(aᵀx)²"),
    ("sqrt(x^T x)", "x", "unicode", "x/√(xᵀx)"),
])
def test_a_fraction_is_bracketed_once(expr, wrt, fmt, expected):
    assert derive(expr, wrt).render(fmt, "gradient") == expected
