"""matcalc verify: the table passes, planted mistakes fail their row, answers agree with differences."""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from matcalc import derive
from matcalc.calculus import simplify as S
from matcalc.cli import main
from matcalc.checking.directional import Values, apply, apply_transposed
from matcalc.calculus.expr import Expr, Inverse, Kron, Mul
from matcalc.checking.numeric import evaluate
from matcalc.calculus.rules import RULES, Rule, _inv_t, _t, add, kron, mul, rule
from matcalc.checking.verify import (Specimens, plan_table, random_point, run_checks, size_values,
                            verify_expression)

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "matcalc", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def failing_rows(size: int = 4, method: str = "central") -> list:
    checks, sizes = plan_table(size, method)
    return [o for o in run_checks(checks, sizes, 0, method) if not o.passed]


# ── the table ───────────────────────────────────────────────────────────────────────────

def test_every_row_passes_at_size_4():
    result = run_cli("verify", "--size", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = result.stdout.splitlines()[:-1]
    assert rows and all(line.startswith("pass ") for line in rows)
    assert "all pass" in result.stdout.splitlines()[-1]
    for r in {r.name for r in RULES.values()}:
        assert any(f" {r} " in line for line in rows), r  # every rule has its row


def test_every_rule_has_cases_at_every_size():
    for size in (1, 4, 1024):
        checks, _ = plan_table(size)
        assert {c.name for c in checks if c.kind == "rule"} == {r.name for r in RULES.values()}
        assert all(c.cases for c in checks), [c.name for c in checks if not c.cases]


def test_rows_cover_the_simplifier_identities():
    checks, _ = plan_table(3)
    names = {c.name for c in checks}
    assert {p.__name__.replace("_", " ") for p in S.PAIR_RULES} <= names
    formulas = {c.formula for c in checks}
    for identity in ("(A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ", "(A ⊗ B)⁻¹ = A⁻¹ ⊗ B⁻¹", "Kₙ₃ᵀ = K₃ₙ", "Kₙ₃⁻¹ = K₃ₙ"):
        assert identity in formulas


def test_pieces_too_large_to_write_out_are_checked_at_a_smaller_size(monkeypatch):
    import matcalc.checking.directional
    monkeypatch.setattr(matcalc.checking.directional, "MAX_ENTRIES", 10_000)  # 16⁴ entries do not fit
    checks, sizes = plan_table(16)
    outcomes = list(run_checks(checks, sizes))
    assert all(o.passed for o in outcomes), [o for o in outcomes if not o.passed]
    inverse = next(o for o in outcomes if o.formula == "(A ⊗ B)⁻¹ = A⁻¹ ⊗ B⁻¹")
    assert "n = 8" in inverse.note
    kron_rule = next(o for o in outcomes if o.name == "Kronecker product rule")
    operands = len(Specimens().operands)
    assert kron_rule.cases == operands ** 2 and "n = 8" in kron_rule.note  # X ⊗ X: 16⁴ entries


# ── planted mistakes fail their own row ─────────────────────────────────────────────────

def _flipped_inverse(node, d):
    """∂F⁻¹ = +(F⁻ᵀ ⊗ F⁻¹) ∂F"""
    return mul(kron(_inv_t(node.arg), node), d(node.arg))


def _swapped_product(node, d):
    """∂(FG) = (F ⊗ I)∂G + (Gᵀ ⊗ I)∂F"""
    from matcalc.calculus.expr import Identity
    chain, terms = node.matrices, []
    for j in reversed(range(len(chain))):
        if d.depends(chain[j]):
            before = mul(*chain[:j]) if j else Identity(chain[j].shape[0])
            after = mul(*chain[j + 1:]) if j + 1 < len(chain) else Identity(chain[j].shape[1])
            terms.append(mul(*node.scalars, kron(before, _t(after)), d(chain[j])))
    for i, s in enumerate(node.scalars):
        if d.depends(s):
            rest = node.scalars[:i] + node.scalars[i + 1:] + chain
            terms.append(mul(S.vec(mul(*rest)), d(s)) if rest else d(s))
    return add(*terms)


@pytest.mark.parametrize("node, wrong, row", [
    (Inverse, _flipped_inverse, "inverse rule"),
    (Mul, _swapped_product, "product rule"),
])
def test_a_wrong_rule_fails_its_row(monkeypatch, node, wrong, row):
    monkeypatch.setitem(RULES, node, Rule(row, node, wrong))
    result = CliRunner().invoke(main, ["verify", "--size", "3"])
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and f" {row} " in failed[0]
    assert "1 FAILED" in result.output.splitlines()[-1]


def _wrong_vec_trace(a, b):
    """vecᵀ(G)(C ⊗ A) = vecᵀ(AGCᵀ)"""
    G = S.row_gradient(a)
    if G is not None and isinstance(b, Kron):
        C, A = b.left, b.right
        if A.shape[0] == G.shape[0] and C.shape[0] == G.shape[1]:
            return (S.vecT(S.mul(A, G, S.transpose(C))),)


def test_a_wrong_pair_identity_fails_its_row(monkeypatch):
    monkeypatch.setattr(S, "PAIR_RULES", tuple(_wrong_vec_trace if r is S.vec_trace else r
                                               for r in S.PAIR_RULES))
    monkeypatch.setitem(S.IDENTITY_NAMES, _wrong_vec_trace, "vec–trace identity")
    result = CliRunner().invoke(main, ["verify", "--size", "3"])
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert any(" vec trace " in line and "vecᵀ(AGCᵀ)" in line for line in failed)
    assert not any(" rule " in line for line in failed)  # the rules themselves still pass


def test_a_wrong_kronecker_transpose_fails_its_row(monkeypatch):
    right = S.transpose

    def swapped(e):
        return S.kron(right(e.right), right(e.left)) if isinstance(e, Kron) else right(e)
    monkeypatch.setattr(S, "transpose", swapped)
    failed = failing_rows(size=3)
    assert [o.formula for o in failed if o.name == "transpose"] == ["(A ⊗ B)ᵀ = Bᵀ ⊗ Aᵀ"]


def test_a_wrong_rule_fails_exactly_too(monkeypatch):
    monkeypatch.setitem(RULES, Inverse, Rule("inverse rule", Inverse, _flipped_inverse))
    assert verify_expression("inv(X)", "X", size=2, method="exact").passed is False
    assert verify_expression("inv(X)", "X", size=5, method="complex").passed is False


def test_a_new_pair_rule_is_checked_without_a_new_line(monkeypatch):
    def transpose_pair(a, b):
        """AᵀBᵀ = (BA)ᵀ (wrongly: (AB)ᵀ)"""
        if isinstance(a, S.Transpose) and isinstance(b, S.Transpose) and \
                not isinstance(a.arg, S.Vec) and a.shape[1] == b.shape[0]:
            return (S.Transpose(Mul((a.arg, b.arg))),)
    monkeypatch.setattr(S, "PAIR_RULES", S.PAIR_RULES + (transpose_pair,))
    monkeypatch.setitem(S.IDENTITY_NAMES, transpose_pair, "transpose identity")
    failed = failing_rows(size=3)
    assert "transpose pair" in [o.name for o in failed]


def test_a_new_node_type_without_specimens_fails_its_row(monkeypatch):
    from dataclasses import dataclass

    @dataclass(frozen=True, eq=False, repr=False)
    class Mystery(Expr):
        arg: Expr
        colour: complex

        def _shape(self):
            return self.arg.shape

    monkeypatch.setattr("matcalc.calculus.rules.RULES", dict(RULES))
    rule(Mystery, "mystery rule")(lambda node, d: d(node.arg))
    failed = failing_rows(size=2)
    assert [o.name for o in failed] == ["mystery rule"]
    assert "no specimen" in failed[0].note


# ── J·vec(E) by structure equals the written-out Jacobian ───────────────────────────────

STRUCTURES = ["inv(X) A X", "X^T X", "kron(X, A)", "kron(A, X^T)", "det(X)^2", "log(a^T X b)",
              "X^3", "inv(X)^2", "tr(kron(X, X))", "vec(X) vec(X)^T", "kron(X^T, a)"]


@pytest.mark.parametrize("text", STRUCTURES)
def test_structural_products_match_dense_ones(text):
    rng = np.random.default_rng(1)
    d = derive(text, "X")
    sizes = size_values(d.names.values(), 3)
    env = random_point(d.names.values(), sizes, rng, 0)
    for J in (d.jacobian, d.raw):
        dense = evaluate(J, env, sizes)
        values = Values(env, sizes)
        V, W = rng.standard_normal((dense.shape[1], 3)), rng.standard_normal((dense.shape[0], 2))
        np.testing.assert_allclose(apply(J, V, values), dense @ V, atol=1e-12)
        np.testing.assert_allclose(apply_transposed(J, W, values), dense.T @ W, atol=1e-12)


# ── one answer ──────────────────────────────────────────────────────────────────────────

COOKBOOK = [  # Matrix Cookbook (2012), the equation each one is, and its shapes
    ("a^T X b", "X", None),                      # (70)
    ("a^T X^T b", "X", None),                    # (71)
    ("b^T X^T X c", "X", None),                  # (77)
    ("(X b + c)^T D (X b + c)", "X", None),      # (83)
    ("tr(A X B)", "X", None),                    # (101)
    ("tr(X^T A X)", "X", None),                  # (108)
    ("tr(X^3)", "X", None),                      # (106)
    ("det(X)", "X", None),                       # (49)
    ("det(A X B)", "X", None),                   # (51)
    ("logdet(X^T X)", "X", {"X": ("m", "n")}),   # (55)
    ("a^T inv(X) b", "X", None),                 # (61)
    ("tr(A inv(X) B)", "X", None),               # (63)
    ("inv(X)", "X", None),                       # (59)
    ("x^T A x", "x", None),                      # (81)
]


def _differences(text, wrt, shapes, n=3, h=1e-6):
    """The Jacobian by central differences, entry by entry, and the answer written out."""
    d = derive(text, wrt, shapes)
    sizes = size_values(d.names.values(), n)
    env = random_point(d.names.values(), sizes, np.random.default_rng(7), 0)
    X = env[wrt]
    columns = []
    for k in range(X.size):
        E = np.zeros(X.size)
        E[k] = h
        E = E.reshape(X.shape, order="F")
        ahead = evaluate(d.expr, {**env, wrt: X + E}, sizes)
        behind = evaluate(d.expr, {**env, wrt: X - E}, sizes)
        columns.append(((ahead - behind) / (2 * h)).reshape(-1, order="F"))
    return np.column_stack(columns), evaluate(d.jacobian, env, sizes)


@pytest.mark.parametrize("text, wrt, shapes", COOKBOOK)
def test_cookbook_answers_pass_and_agree_with_entrywise_differences(text, wrt, shapes):
    differences, answer = _differences(text, wrt, shapes)
    np.testing.assert_allclose(answer, differences, rtol=1e-6, atol=1e-7)
    for method in ("central", "complex"):
        report = verify_expression(text, wrt, shapes, size=5, method=method)
        assert report.passed and report.error < report.tolerance / 10, (method, report.error)


def test_the_command_reports_and_exits_0():
    result = run_cli("verify", "d logdet(X^T X) / dX", "--shape", "X=m,n", "--size", "6")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "∂ln|XᵀX|/∂X = 2vecᵀ(X(XᵀX)⁻¹)"
    assert "m=7, n=6" in lines[1] and lines[2].startswith("largest relative error")
    assert "pass" in lines[2]


def test_a_wrong_answer_exits_1(monkeypatch):
    monkeypatch.setitem(RULES, Inverse, Rule("inverse rule", Inverse, _flipped_inverse))
    result = CliRunner().invoke(main, ["verify", "a^T inv(X) b", "X"])
    assert result.exit_code == 1 and "FAIL" in result.output


def test_size_512_takes_under_2_seconds():
    """The whole command, start-up included; the better of two runs, as the machine is shared."""
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        result = run_cli("verify", "inv(X) A X", "X", "--size", "512")
        seconds.append(time.perf_counter() - start)
        assert result.returncode == 0 and "pass" in result.stdout
    assert min(seconds) < 2.0


# ── exact proofs ────────────────────────────────────────────────────────────────────────

ARTICLE = [("inv(A)", "A", None), ("det(A)", "A", None), ("logdet(A)", "A", None),
           ("tr(A^T B)", "B", None), ("tr(A^T B)", "A", None),
           ("(A B) (inv(A) C)", "A", None)]  # ∂F(A)G(A), F = AB, G = A⁻¹C

EXACT = [
    ("ln|A|", "A", None), ("<A, B>", "B", None), ("X^T X", "X", {"X": ("m", "n")}),
    ("X X^T", "X", None), ("a^T X b", "X", None), ("tr(A X B)", "X", None),
    ("tr(X^T A X)", "X", None), ("X^3", "X", None), ("inv(X)^2", "X", None),
    ("X^-2", "X", None), ("a^T inv(X) b", "X", None), ("det(X^T A X)", "X", None),
    ("logdet(X^T X)", "X", {"X": ("m", "n")}), ("inv(X^T X)", "X", {"X": ("m", "n")}),
    ("kron(X, A)", "X", None), ("kron(A, X^T)", "X", None), ("vec(X) vec(X)^T", "X", None),
    ("exp(a^T X b)", "X", None), ("sqrt(x^T x)", "x", None), ("log(x^T A x)", "x", None),
    ("(x^T x)^(3/2)", "x", None), ("det(X)^2", "X", None), ("logdet(X)^2", "X", None),
    ("tr(inv(X)) det(X)", "X", None), ("(X b + c)^T D (X b + c)", "X", None),
    ("x x^T A", "x", None),
]


def test_exact_arithmetic_refuses_to_invert_irrational_matrices_at_once():
    """‖X‖X + A has entries with roots; their inverses, nested, grow without end in exact
    arithmetic, as ||X|| written in a question now gives (a norm)."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["verify", "inv(inv(||X|| X + A) + norm(X) B)", "X",
                                       "--exact", "--size", "3"])
    assert result.exit_code == 2 and "irrational entries" in result.stderr
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("text, wrt, shapes", ARTICLE + EXACT)
def test_exact_proofs(text, wrt, shapes):
    report = verify_expression(text, wrt, shapes, size=3, method="exact", points=1)
    assert report.error == 0 and report.passed, report.lines()


def test_exact_article_results_at_size_4_through_the_command():
    for text, wrt, _ in ARTICLE[:3]:
        result = CliRunner().invoke(main, ["verify", text, wrt, "--exact", "--size", "4"])
        assert result.exit_code == 0 and "equal: pass" in result.output, result.output


def test_exact_table_passes_at_size_2():
    assert failing_rows(size=2, method="exact") == []


# ── bad input: one message, exit 2 ──────────────────────────────────────────────────────

@pytest.mark.parametrize("args, message", [
    (["log(-tr(X^T X))", "X"], "log needs a positive argument"),
    (["sqrt(-(x^T x))"], "a fractional power needs a positive base"),
    (["inv(X - X)", "X"], "singular"),
    (["logdet(-(X^T X))", "X", "--size", "3"], "ln|F| needs |F| > 0"),
    (["inv(X)", "X", "--exact", "--size", "7"], "too large for --exact"),
    (["--exact", "--size", "9"], "too large for --exact"),
    (["sin(-X)", "X", "--exact", "--size", "3", "--shape", "X=60,60"],
     "a size of 60 is too large for --exact"),
    (["kron(X, X)", "X", "--size", "512"], "a smaller --size"),
    (["inv(X", "X"], "expected"),
])
def test_bad_input_is_one_message_and_exit_2(args, message):
    result = CliRunner().invoke(main, ["verify", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_plain_text_imports_no_rich():
    code = ("import sys\nfrom matcalc.cli import main\n"
            "try:\n    main(['verify', '--size', '2'])\nexcept SystemExit as e:\n    status = e.code\n"
            "print('rich' in sys.modules, status, file=sys.stderr)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "False 0"


def test_the_rich_table(capsys):
    from matcalc.cli import _verify_table_rich
    checks, sizes = plan_table(2)
    failed = _verify_table_rich(checks, run_checks(checks, sizes), 2)
    out = capsys.readouterr().out
    assert failed is False
    assert "rule or identity" in out and "inverse rule" in out and "∂F⁻¹ = −(F⁻ᵀ ⊗ F⁻¹) ∂F" in out
    assert "all pass" in out


def test_other_size_names_differ_from_n():
    d = derive("X^T Y", "X", {"X": ("m", "n"), "Y": ("m", "p")})
    assert size_values(d.names.values(), 4) == {"n": 4, "m": 5, "p": 6}
