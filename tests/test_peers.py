"""matcalc reads the questions of its peers' own test suites as their users write them.

tests/peers_questions.py holds several hundred derivative questions from sympy's matrix- and
array-derivative tests, tensorgrad's and autograd's tests, MatrixCalculus.org's examples and
operators, and chapter 2 of the Matrix Cookbook, each written in matcalc's language with a NumPy
function of the same question written by hand. For every question: matcalc's reading has the
value of that function; its derivative (printed NumPy code and evaluated tree, both layouts)
matches central differences of that function; the source's own answer, where it states one,
agrees with matcalc (`matcalc.check`, or at this record's points when the source's answer holds
only there); and what matcalc cannot read is refused with one clear message (exit status 2),
never answered. All of it takes a few seconds, so all of it runs by default.
"""
from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from finite_differences import (SIZES, as_matrix, check_derivative, eval_numpy_code, fd_hessian,
                                fd_jacobian, random_point, relative_error)
from matcalc import derive, parse
from matcalc.checking.check import check
from matcalc.checking.numeric import evaluate
from matcalc.cli import main
from matcalc.errors import MatcalcError
from peers_questions import QUESTIONS, SOURCES, Q

ANSWERED = [q for q in QUESTIONS if not q.refused]
REFUSED = [q for q in QUESTIONS if q.refused]
CLAIMED = [q for q in ANSWERED if q.claim]


def _params(questions: list[Q]):
    counts = collections.Counter()
    out = []
    for q in questions:
        counts[q.source] += 1
        out.append(pytest.param(q, id=f"{q.id} #{counts[q.source]}"))
    return out


def _derive(q: Q):
    return derive(q.text, q.wrt, q.shapes, order=q.order, symmetric=q.symmetric or ())


def _point(q: Q, d, seed: int) -> dict:
    """A random point of matcalc's sizes, with what the question needs: positive entries where
    it takes logarithms or roots, small ones for tan and arcsin, named symmetric (positive
    definite) matrices, or a matrix of negative determinant."""
    rng = np.random.default_rng(seed)
    env = random_point(d.names, rng, SIZES)
    for part in filter(None, q.point.split(";")):
        kind, _, names = part.partition(":")
        chosen = names.split(",") if names else list(env)
        for name in chosen:
            v = env[name]
            r, c = v.shape
            if kind == "positive":
                env[name] = (np.eye(r) + 0.2 * rng.random((r, c)) if r == c > 1
                             else 0.5 + rng.random((r, c)))
            elif kind == "small":
                env[name] = rng.uniform(-0.8, 0.8, (r, c))
            elif kind == "spd":
                M = rng.standard_normal((r, r))
                env[name] = M @ M.T + r * np.eye(r)
            elif kind == "sym":
                M = rng.standard_normal((r, r))
                env[name] = r * np.eye(r) + 0.3 * (M + M.T)
            elif kind == "negdet":
                env[name] = -v if r % 2 else v[::-1] * 1.0  # odd n: −X; even: rows swapped
            else:
                raise ValueError(f"unknown point kind {kind!r}")
    return env


def _by_free_elements(q: Q, env: dict, h: float = 1e-6):
    """Central differences of a function of a symmetric X by its free elements X_ij, i ≥ j
    (X_ij and X_ji move together): the Jacobian by vech X, and that gradient as a symmetric
    matrix."""
    X = env[q.wrt]
    k = X.shape[0]
    f = lambda v: vec(as_matrix(q.ref(**{**env, q.wrt: v})))  # noqa: E731
    columns, G = [], np.zeros((k, k))
    for j in range(k):
        for i in range(j, k):
            E = np.zeros((k, k))
            E[i, j] = E[j, i] = h
            column = (f(X + E) - f(X - E)) / (2 * h)
            columns.append(column)
            if column.size == 1:
                G[i, j] = G[j, i] = column.item()
    return np.column_stack(columns), G


def vec(M):
    return as_matrix(M).reshape(-1, order="F")


def _expected(q: Q, d, env: dict) -> dict:
    """What finite differences of the hand-written function say, by layout."""
    f = lambda values: q.ref(**values)  # noqa: E731
    if q.symmetric:
        jacobian, gradient = _by_free_elements(q, env)
        return {"jacobian": jacobian, "gradient": gradient}
    if q.order == 2:
        return {"jacobian": fd_hessian(f, env, q.wrt)}
    jacobian = fd_jacobian(f, env, q.wrt)
    out = {"jacobian": jacobian}
    if d.expr.is_scalar:
        out["gradient"] = jacobian.reshape(as_matrix(env[q.wrt]).shape, order="F")
    return out


# ── the collection ───────────────────────────────────────────────────────────────────────────

def test_the_collection_is_large_and_says_where_each_question_comes_from():
    assert len(QUESTIONS) >= 300
    assert {q.source for q in QUESTIONS} == set(SOURCES)
    assert all(q.where and q.text and q.wrt for q in QUESTIONS)
    assert all((q.ref is None) == bool(q.refused) for q in QUESTIONS)
    assert len(REFUSED) <= len(QUESTIONS) // 40  # refusals are few, and each names its reason
    assert len(CLAIMED) >= 150
    for name in SOURCES:
        assert sum(q.source == name for q in QUESTIONS) >= 5, name
    assert len({(q.text, q.wrt, str(q.shapes), q.order, q.symmetric, q.source, q.claim)
                for q in QUESTIONS}) == len(QUESTIONS)  # no record twice


def test_the_readme_counts_them_as_they_are():
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert f"`tests/test_peers.py` reads {len(QUESTIONS)} questions" in readme
    assert f"gives one, {len(CLAIMED)} of them" in readme
    words = {6: "Six", 7: "Seven", 8: "Eight", 9: "Nine", 10: "Ten"}
    assert f"{words.get(len(REFUSED), len(REFUSED))} are refused" in readme


# ── every question: matcalc's reading, and its derivative against finite differences ─────────

@pytest.mark.parametrize("q", _params(ANSWERED))
def test_matcalc_reads_the_question_and_its_derivative_matches_finite_differences(q: Q):
    d = _derive(q)
    for seed in (0, 1):
        env = _point(q, d, seed)
        # the reading: matcalc's tree has the value of the question written by hand
        assert relative_error(evaluate(d.expr, env, SIZES), as_matrix(q.ref(**env))) < 1e-10, \
            f"{q.text!r} is read as {d.question.text!r}"
        if q.order == 1 and not q.symmetric:
            check_derivative(d, lambda values: q.ref(**values), env)
            continue
        expected = _expected(q, d, env)
        tol = 1e-5 if q.order == 2 else 1e-6
        answers = {"jacobian": evaluate(d.jacobian, env, SIZES),
                   "numpy": eval_numpy_code(d.render("numpy"), env)}
        if "gradient" in expected:
            answers["gradient"] = evaluate(d.gradient, env, SIZES)
        for layout, value in answers.items():
            want = expected["gradient" if layout == "gradient" else "jacobian"]
            assert relative_error(value, want) < tol, f"{q.id}: {layout} {d.unicode}"


# ── the source's own answer ──────────────────────────────────────────────────────────────────

def _at_points(q: Q) -> bool:
    """The claim is compared at this record's points, not at check's random ones: it holds
    only there (a symmetric matrix), the function needs them (positive entries), or check has
    no such question (a Hessian, a gradient by free elements)."""
    return bool(q.point or q.order == 2 or q.symmetric or q.claim_where)


@pytest.mark.parametrize("q", _params([q for q in CLAIMED if not _at_points(q)]))
def test_the_sources_answer_agrees_with_matcalc(q: Q):
    verdict = check(q.text, q.wrt, q.claim, q.shapes)
    assert verdict.agree, verdict.report()


@pytest.mark.parametrize("q", _params([q for q in CLAIMED if _at_points(q)]))
def test_the_sources_answer_agrees_with_finite_differences_where_it_holds(q: Q):
    d = _derive(q)
    shapes = {name: tuple(str(dim) for dim in shape) for name, shape in d.shapes.items()}
    claim = parse(q.claim, shapes)
    for seed in (0, 1):
        env = _point(q, d, seed)
        expected = _expected(q, d, env)
        layout = ("gradient" if "gradient" in expected
                  and claim.shape == d.wrt.shape and not q.order == 2 else "jacobian")
        value = evaluate(claim, env, SIZES)
        assert relative_error(value, expected[layout]) < 1e-5, f"{q.id}: {q.claim}"


# ── what matcalc cannot read is refused, with its reason ─────────────────────────────────────

@pytest.mark.parametrize("q", REFUSED, ids=lambda q: q.id)
def test_a_question_matcalc_cannot_read_is_refused_with_its_reason(q: Q):
    with pytest.raises(MatcalcError) as refusal:
        _derive(q)
    assert q.refused in str(refusal.value)
    args = ["derive", q.text, q.wrt]
    for name, shape in q.shapes.items():
        args += ["--shape", f"{name}={','.join(map(str, shape if isinstance(shape, tuple) else (shape,)))}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.startswith("error: ")
    assert q.refused in result.stderr and "Traceback" not in result.stderr


# ── matcalc's own answers to them read back ──────────────────────────────────────────────────

DECOMPOSITIONS = ("chol(", "eig(", "svd(", "max(", "min(")  # answers in a factor's terms
UNREADABLE = {  # answers whose printed form does not read back yet, and why
    ("inv(x)", "jacobian"): "ASCII's ⊗, (x), beside a variable named x",
    ("kron(kron(A, X), B)", "jacobian"): "K_(2,2n): a commutation matrix of compound sizes",
    ("exp(A) ./ (matrix(1) * exp(A))", "jacobian"): "(I ⊗ 𝟏) with 𝟏 a matrix prints no size",
}


def _read_back(q: Q, fmt: str, layout: str):
    d = derive(q.text, q.wrt, q.shapes)
    return check(q.text, q.wrt, d.render(fmt, layout), q.shapes)


@pytest.mark.parametrize("fmt", ["unicode", "ascii"])
@pytest.mark.parametrize("q", _params([q for q in ANSWERED if q.order == 1 and not q.symmetric
                                       and not any(f in q.text for f in DECOMPOSITIONS)]))
def test_matcalcs_answer_reads_back_as_a_claim_that_agrees(q: Q, fmt: str):
    scalar = derive(q.text, q.wrt, q.shapes).expr.is_scalar
    for layout in ("gradient", "jacobian") if scalar else ("jacobian",):
        if (q.text, layout) in UNREADABLE:
            continue
        verdict = _read_back(q, fmt, layout)
        assert verdict.agree, verdict.report()


@pytest.mark.parametrize("key", UNREADABLE, ids=" ".join)
def test_the_answers_that_do_not_read_back_are_still_refused_not_misread(key):
    """Kept honest: each listed answer is refused as a claim, or agrees (then unlist it)."""
    text, layout = key
    q = next(q for q in ANSWERED if q.text == text)
    for fmt in ("unicode", "ascii"):
        try:
            verdict = _read_back(q, fmt, layout)
        except MatcalcError:
            continue
        assert verdict.agree, f"{text}: {fmt} answer misread as a claim"
