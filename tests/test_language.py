"""Reading what the user means: numbers, the identity, inferred shapes, run-together names,
an absent WRT, one question a line, MatrixCalculus.org's language, and answers read back."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from finite_differences import SIZES, check_derivative, random_point
from matcalc.api import derive, parse
from matcalc.checking.check import check
from matcalc.cli import main
from matcalc.calculus.dims import ONE, Dim
from matcalc.errors import MatcalcError, ShapeError, VariableError
from matcalc.checking.numeric import evaluate
from matcalc.render import render
from test_properties import Question, questions

ROOT = Path(__file__).resolve().parents[1]
n, m = Dim.of("n"), Dim.of("m")


def fd_check(text, wrt, shapes=None, overrides=None, seed=0, positive=False, small=False):
    """matcalc's answer against central differences of the question itself (evaluated by
    matcalc.checking.numeric, which computes values, not derivatives)."""
    d = derive(text, wrt, shapes)
    rng = np.random.default_rng(seed)
    env = random_point(d.names, rng, SIZES, overrides)
    if positive:
        env = {k: np.abs(v) + 0.5 for k, v in env.items()}
    if small:
        env = {k: 0.8 * np.tanh(v) for k, v in env.items()}
    check_derivative(d, lambda e: evaluate(d.expr, e, SIZES), env, tol=1e-5)
    return d


# ── numbers ──────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("text, value", [("1e-3", "1/1000"), ("1E3", "1000"), ("2.5e-4", "1/4000"),
                                         ("1e+2", "100"), (".5e1", "5")])
def test_scientific_notation_is_a_number(text, value):
    assert render(parse(f"{text} * x"), "ascii") in (f"{value}x", f"{value} x", f"x/{value[2:]}")


def test_scientific_notation_in_a_question():
    assert derive("x - 1e-3 * A x", "x").unicode == "I − A/1000"
    assert derive("1E3 * x", "x").unicode == "1000I"


# ── the identity, ones, vector(c), matrix(c) ─────────────────────────────────────────────

def test_the_identity_is_sized_by_use():
    d = derive("y' inv(X X' + I) y", "X", {"X": ("m", "n")})
    assert d.shapes["y"] == (m, ONE) and "I" not in d.names
    fd_check("y' inv(X X' + I) y", "X", {"X": ("m", "n")})
    fd_check("x'*(A + eye)*x", "x")
    assert derive("tr(I_3 X)", "X").shapes["X"] == (Dim(3), Dim(3))
    fd_check("sum(ones .* X)", "X")
    fd_check("x' vector(2) + tr(matrix(3) X)", "X")


# ── shapes inferred from use ─────────────────────────────────────────────────────────────

@pytest.mark.parametrize("text, wrt, shapes, inferred", [
    ("a' X b", "X", {"X": ("m", "n")}, {"a": (m, ONE), "b": (n, ONE)}),
    ("norm(X w - y)^2 + alpha * w' w", "w", {}, {"alpha": (ONE, ONE)}),
    ("t*A", "A", {}, {"t": (ONE, ONE)}),
    ("a^b", "a", {}, {"a": (ONE, ONE), "b": (ONE, ONE)}),
    ("X w", "w", {"X": ("m", "n")}, {"w": (n, ONE)}),
    ("tr(X^T A X)", "X", {"X": ("m", "n")}, {"A": (m, m)}),
])
def test_shapes_are_inferred_from_use(text, wrt, shapes, inferred):
    d = fd_check(text, wrt, shapes, positive=True)
    for name, shape in inferred.items():
        assert d.shapes[name] == shape
    if "alpha" in text:
        assert d.assumed() == "alpha is 1×1"  # shown on a terminal under the answer


def test_a_conflict_names_the_operands_and_the_shape_that_fits():
    with pytest.raises(ShapeError) as err:
        derive("X x", "X", {"X": ("m", "n"), "x": "m"})
    assert "cannot multiply X (m×n) by x (m×1)" in str(err.value)
    assert "--shape x=n would fit" in str(err.value)


def test_an_upper_case_name_is_never_taken_for_a_scalar():
    with pytest.raises(ShapeError, match="--shape B=1,1 would fit"):
        derive("A/B", "A")


@pytest.mark.parametrize("text, wrt, scalars, columns", [
    ("(t ⊗ t ⊗ t)^2 + 1", "t", "t", ""),        # a product of sizes that is 1: each is 1
    ("(b ⊗ t) + b", "b", "t", "b"),              # b = b·t: t is 1
    ("vec(b ⊗ t) ⊗ t + b", "b", "t", "b"),       # … through a product inside a product
    ("t * ((2*(b ⊗ t) + b) ⊗ a^T)", "a", "t", "ab"),
    ("a * t/t", "a", "t", "a"),                  # t a scalar once divided by: a is the column
    ("t * (a ⊗ a') + X", "X", "t", "a"),        # the column's length is the matrix's
])
def test_products_of_sizes_and_of_columns_find_the_scalar(text, wrt, scalars, columns):
    d = fd_check(text, wrt, positive=True)
    assert all(d.shapes[name] == (ONE, ONE) for name in scalars), d.shapes
    assert all(d.shapes[name] == (n, ONE) for name in columns), d.shapes


@pytest.mark.parametrize("text, wrt", [("w - alpha*g", "w"), ("x t + A y", "y"),
                                       ("t * (b a^T) + B", "B")])
def test_two_columns_of_which_one_must_be_a_scalar_are_refused(text, wrt):
    with pytest.raises(ShapeError, match=r"could mean two things: one of the two must be a "
                       r"scalar.*--shape \w+=1,1 would fit, as would --shape \w+=1,1"):
        derive(text, wrt)


@pytest.mark.parametrize("text, wrt, scalar", [("t * x", "x", "t"), ("x * t", "x", "t"),
                                               ("b*sin(x)", "x", "b"), ("a*x", "a", "x")])
def test_of_two_columns_the_variable_keeps_its_letters_shape(text, wrt, scalar):
    """a*x by x is a scalar a times the column x, as MatrixCalculus.org reads it; the note
    names the --shape that reads it the other way."""
    d = fd_check(text, wrt)
    assert d.shapes[scalar] == (ONE, ONE) and d.shapes[wrt] == (n, ONE)
    assert f"--shape {wrt}=1,1" in " ".join(d.notes)


def test_a_column_by_its_letter_alone_is_noted():
    """t + 3 reads t as a column (its letter), which may not be what was meant: a note says so
    and names the --shape that reads it as a scalar; a question that writes its columns as
    columns (y', sum(x)) or fixes their length gets no note."""
    d = derive("t + 3", "t")
    assert d.open == ("t",) and d.unicode == "I"
    assert d.notes == ["t is a column by its letter alone: nothing in the question fixes its "
                       "length, so it is n; --shape t=1,1 makes it a scalar"]
    assert derive("t + 3", "t", {"t": (1, 1)}).unicode == "1"
    assert derive("x + y", "x").open == ("x", "y")
    for quiet in ("-y' log(exp(x) / sum(exp(x)))", "sum(log(1 + exp(A x)))", "t^2 + t", "x' x"):
        assert derive(quiet, "x" if "x" in quiet else "t").notes == [], quiet
    result = CliRunner().invoke(main, ["derive", "exp(x)", "x"])
    assert result.exit_code == 0 and result.stdout == "diag(exp(x))\n"
    assert "--shape x=1,1 makes it a scalar" in result.stderr
    assert r"\texttt{--shape t=1,1} makes it a scalar" in d.document()


# ── run-together names and an absent WRT ─────────────────────────────────────────────────

@pytest.mark.parametrize("text, wrt, message", [
    ("tr(AXB)", "X", "AXB is one name here; write A X B or A*X*B"),
    ("x'Bx", "x", "Bx is one name here; write B x or B*x"),
    ("Xb + c", "X", "Xb is one name here; write X b or X*b"),
])
def test_run_together_names_are_refused(text, wrt, message):
    with pytest.raises(VariableError, match=message.replace("*", r"\*")):
        derive(text, wrt)


def test_names_that_contain_wrt_but_are_names():
    assert derive("a + alpha", "a").unicode == "I"
    assert derive("x + x1", "x").unicode == "I"


def test_an_absent_wrt_gives_the_zero_and_a_note():
    result = subprocess.run([sys.executable, "-m", "matcalc", "derive", "tr(X^T A X)", "x"],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and result.stdout == "0\n"
    assert result.stderr == "note: x does not occur in the expression, so the derivative is the " \
        "1×n zero (x is a column by its letter; --shape x=1,1 makes it a scalar); its " \
        "variables are X, A\n"


# ── one question a line on standard input ────────────────────────────────────────────────

def test_standard_input_is_one_question_a_line():
    lines = "tr(X)\n\n# a comment\ntr(X^T X)\ntr(AXB)\nd tr(A X)/dX\n"
    result = CliRunner().invoke(main, ["derive", "-", "X"], input=lines)
    assert result.exit_code == 2
    assert result.stdout == "vecᵀ(I)\n2vecᵀ(X)\nvecᵀ(Aᵀ)\n"
    assert result.stderr.startswith("error: line 5: AXB is one name here")


# ── MatrixCalculus.org: its ten documented examples and its operators ──────────────────────

MATRIXCALCULUS_EXAMPLES = [  # verbatim, with the variable its page differentiates by
    ("0.5*x'*A*x", "x"), ("A*exp(x)", "x"), ("sin(x)'*y", "x"), ("(y.*v)'*x", "x"),
    ("a^b", "a"), ("norm1(A*x-y)", "x"), ("norm2(A*x-y)^2", "x"),
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w"), ("tr(A*X'*B*X*C)", "X"), ("log(det(inv(X)))", "X"),
]


@pytest.mark.parametrize("text, wrt", MATRIXCALCULUS_EXAMPLES)
def test_matrixcalculus_examples_match_finite_differences(text, wrt):
    fd_check(text, wrt, positive=text == "a^b", seed=1)


MATRIXCALCULUS_OPERATORS = [  # one question for each of its operators
    "x + y", "x - y", "A*x", "x'*y", "x.*y", "x./y", "-x", "x'", "A'*x", "2*x", "x/2",
    "sum(sin(x))", "sum(cos(x))", "sum(tan(x))", "sum(arcsin(x))", "sum(arccos(x))",
    "sum(arctan(x))", "sum(exp(x))", "sum(log(x))", "sum(sqrt(x))", "sum(abs(x))",
    "sign(x)'*x", "sum(relu(x))", "sum(tanh(x))", "sum(sinh(x))", "sum(cosh(x))", "x.^2'*y",
    "(A*x)'*inv(A)*x", "norm1(x)", "norm2(x)", "det(A)*x'*x",
    "log(det(A))*x'*x", "tr(inv(A))*x'*x", "x'*diag(x)*x", "sum(x.^t)", "t^s*sum(x)",
    "x'*vector(2)", "tr(matrix(3)*A)*sum(x)", "x'*eye*x",
]


@pytest.mark.parametrize("text", MATRIXCALCULUS_OPERATORS)
def test_matrixcalculus_operators_match_finite_differences(text):
    small = any(f in text for f in ("arcsin", "arccos"))
    positive = any(f in text for f in ("log", "sqrt", ".^", "^s", "./"))
    fd_check(text, "x", positive=positive, small=small, seed=2)


@pytest.mark.parametrize("text, wrt, unicode, ascii, latex", [
    ("a^b", "a", "b a^(b − 1)", "b a^(b - 1)", "b a^{b - 1}"),
    ("a^b", "b", "ln(a) a^b", "ln(a) a^b", r"\ln(a) a^{b}"),
    ("a^b a", "a", "(b + 1) a^b", "(b + 1) a^b", "(b + 1) a^{b}"),
    ("a^(-b)", "a", "−b a^(−b − 1)", "-b a^(-b - 1)", "-b a^{-b - 1}"),  # not a^(−(b + 1))
    ("t^s*sum(x)", "t", "sum(x) s t^(s − 1)", "sum(x) s t^(s - 1)",
     r"\operatorname{sum}(x) s t^{s - 1}"),
    ("(x'x)^b", "x", "2b (xᵀx)^(b − 1) xᵀ", "2b (x^T x)^(b - 1) x^T",
     r"2 b (x^{\top} x)^{b - 1} x^{\top}"),
    ("sum(X.^t)", "X", "t vecᵀ(X.^(t − 1))", "t vec^T(X.^(t - 1))",
     r"t \operatorname{vec}^{\top}\bigl(X^{\circ (t - 1)}\bigr)"),
    ("X.^t", "t", "vec(X.^t ∘ ln(X))", "vec(X.^t .* ln(X))",
     r"\operatorname{vec}(X^{\circ t} \circ \ln(X))"),
])
def test_a_symbolic_power_is_printed_as_a_paper_writes_it(text, wrt, unicode, ascii, latex):
    """a^b by a is b a^(b−1), not exp(b ln a) b/a: a power with a symbolic exponent is kept as
    exp(b ln a) (so every printer, code and check works unchanged), a^b a^k is a^(b + k), and
    the printers write exp(u ln a) as the power it is. Checked against finite differences,
    and the ASCII answer reads back as a claim that agrees."""
    d = fd_check(text, wrt, positive=True, seed=3)
    assert (d.unicode, d.render("ascii"), d.latex) == (unicode, ascii, latex)
    assert check(text, wrt, ascii).agree and check(text, wrt, unicode).agree
    question = render(d.expr, "ascii")
    assert render(parse(question), "ascii") == question  # a^b, X.^t read back


@pytest.mark.parametrize("text, wrt, answer", [
    ("a^b a^(2 - b)", "a", "2a"), ("sum(X.^t .* X.^(2 - t))", "X", "2vecᵀ(X)"),
    ("a^b a^(-b) + a", "a", "1"), ("a^b a^c", "a", "(b + c) a^(b + c − 1)"),
    ("(t^t)^3", "t", "3(1 + ln(t)) t^(3t)"), ("(t^t)^2 t^t", "t", "3(1 + ln(t)) t^(3t)"),
])
def test_symbolic_powers_of_one_base_add_their_exponents(text, wrt, answer):
    assert fd_check(text, wrt, positive=True, seed=5).unicode == answer


@pytest.mark.parametrize("text, wrt", [("a^(2/t)", "t"), ("sum(X.^(2/t))", "X"),
                                       ("X.^(1/t)", "t"), ("a^(2/3)", "a")])
def test_an_exponent_that_divides_by_a_name_is_an_expression(text, wrt):
    """2/t in a bracketed exponent is an expression, as 2 t is; 2/3 is still a number."""
    d = fd_check(text, wrt, positive=True, seed=4)
    question = render(d.expr, "ascii")
    assert render(parse(question), "ascii") == question
    assert (question == "a^(2/3)") == (text == "a^(2/3)"), question
    with pytest.raises(ShapeError, match=r"a power with a symbolic exponent needs a scalar "
                       r"base, but A \(n×n\); --shape A=1,1 would fit"):
        derive("A^{1/x}", "A")  # a matrix to the power 1/x: no such thing here


RECT_PAIR = {"X": ("m", "n"), "Y": ("m", "n")}


@pytest.mark.parametrize("text, wrt, shapes, ref", [
    ("2.^X", "X", {"X": ("m", "n")}, lambda X, **_: np.exp2(X)),          # autograd's exp2
    ("X .^ Y", "X", RECT_PAIR, lambda X, Y, **_: X ** Y),                 # autograd's op.pow
    ("X .^ Y", "Y", RECT_PAIR, lambda X, Y, **_: X ** Y),
    ("X.^Y", "X", {}, lambda X, Y, **_: X ** Y),
    ("t .^ Y", "Y", {"t": (1, 1), "Y": ("m", "n")}, lambda t, Y, **_: t.item() ** Y),
])
def test_an_element_wise_power_takes_a_matrix_exponent(text, wrt, shapes, ref):
    """.^ with an exponent that cannot be a scalar is element by element, exp(Y ∘ ln X)."""
    d = derive(text, wrt, shapes)
    env = {k: np.abs(v) + 0.5 for k, v in random_point(d.names, np.random.default_rng(3), SIZES).items()}
    assert np.allclose(evaluate(d.expr, env, SIZES), ref(**env), rtol=1e-12)
    check_derivative(d, lambda values: ref(**values), env)


def test_an_exponent_that_may_be_a_scalar_still_is_one():
    assert derive("sum(x.^t)", "t").shapes["t"] == (ONE, ONE)
    assert derive("x .^ y", "x").shapes["y"] == (ONE, ONE)
    with pytest.raises(ShapeError, match="needs a scalar exponent or one of the base's shape"):
        derive("X .^ Y", "X", {"X": ("n", "n"), "Y": ("m", "n")})


@pytest.mark.parametrize("theirs, ours", [
    ("X.T*A*X", "X^T*A*X"),                    # NumPy, sympy
    ("x.T @ A @ x", "x' A x"),
    ("X**2", "X^2"),                           # Python
    ("X**(-1)", "inv(X)"),
    ("X**-1 * b", "inv(X) b"),
    ("(x.T*y)**0.5", "(x'*y)^0.5"),
    ("X ⊙ Y", "X .* Y"),                       # MatrixCalculus.org's output
    ("X ⊘ Y", "X ./ Y"),
    ("ln det(X)", "logdet(X)"),                # the Matrix Cookbook
    ("log det(X' X)", "log(det(X' X))"),
    ("exp tr(X)", "exp(tr(X))"),
    ("tr(X X^H)", "tr(X X^T)"),                # the Cookbook's conjugate transpose, over the reals
    ("X^{-H}", "X^{-T}"),
])
def test_other_tools_spellings_read_as_ours(theirs, ours):
    assert render(parse(theirs), "unicode") == render(parse(ours), "unicode")


@pytest.mark.parametrize("text, message", [
    ("log det X", "expected '(' after the function log, found 'det'"),
    ("X.Tx", "'.' only appears in numbers such as 0.5, in .* .^ ./ and in .T"),
])
def test_a_function_without_brackets_needs_a_call_after_it(text, message):
    with pytest.raises(MatcalcError, match=re.escape(message)):
        parse(text)


def test_a_scalar_named_h_given_a_shape_is_an_exponent():
    e = parse("a^H", {"a": (1, 1), "H": (1, 1)})
    assert e.shape == (ONE, ONE) and render(e, "ascii") == "a^H"  # a power, not aᵀ
    assert derive("a^H", "H", {"a": (1, 1), "H": (1, 1)}).unicode == "ln(a) a^H"


# ── bars: ‖x‖ and ||x|| are norms; |t| of a scalar is its absolute value ───────────────────

def _frobenius(M):
    return np.sqrt(np.sum(M * M))


@pytest.mark.parametrize("text, wrt, shapes, ref", [
    ("||X||^2", "X", {"X": ("m", "n")}, lambda X, **_: np.sum(X * X)),  # was |det X|²
    ("||x||", "x", {}, lambda x, **_: _frobenius(x)),                     # was x, a scalar
    ("||A x - b||^2", "x", {"A": ("m", "n")}, lambda A, x, b, **_: _frobenius(A @ x - b) ** 2),
    ("‖A x − b‖²", "x", {"A": ("m", "n")}, lambda A, x, b, **_: _frobenius(A @ x - b) ** 2),
    ("‖x - a‖₂", "x", {}, lambda x, a, **_: _frobenius(x - a)),             # Matrix Cookbook
    ("‖x‖_2^2", "x", {}, lambda x, **_: np.sum(x * x)),
    ("||x||_1", "x", {}, lambda x, **_: np.abs(x).sum()),
    ("‖x‖₁", "x", {}, lambda x, **_: np.abs(x).sum()),
    ("‖X‖_F^2", "X", {"X": ("m", "n")}, lambda X, **_: np.sum(X * X)),
    ("2‖x‖ ‖y‖", "x", {}, lambda x, y, **_: 2 * _frobenius(x) * _frobenius(y)),
    ("||x|| ||y||", "y", {}, lambda x, y, **_: _frobenius(x) * _frobenius(y)),
    ("‖x + ‖y‖ a‖", "x", {}, lambda x, y, a, **_: _frobenius(x + _frobenius(y) * a)),
    ("‖|X| x‖", "X", {}, lambda X, x, **_: _frobenius(np.linalg.det(X) * x)),
    ("|t|", "t", {"t": (1, 1)}, lambda t, **_: np.abs(t)),                  # was det(t) = t
    ("|a' x|", "x", {}, lambda a, x, **_: np.abs(a.T @ x)),
    ("|X| + |a' x|", "X", {}, lambda X, a, x, **_: np.linalg.det(X) + np.abs(a.T @ x)),
    ("ln|t|", "t", {"t": (1, 1)}, lambda t, **_: np.log(np.abs(t))),      # was NaN at t < 0
])
def test_double_bars_are_a_norm_and_bars_around_a_scalar_its_absolute_value(text, wrt, shapes, ref):
    d = derive(text, wrt, shapes)
    env = random_point(d.names, np.random.default_rng(5), SIZES)
    env = {k: -v if v.shape == (1, 1) else v for k, v in env.items()}  # a negative scalar
    if "a" in env and "x" in env:
        env["x"] = -np.sign(env["a"].T @ env["x"]) * env["x"]  # a'x < 0
    assert np.allclose(evaluate(d.expr, env, SIZES), ref(**env), rtol=1e-12)
    check_derivative(d, lambda values: ref(**values), env)


def test_the_log_of_the_absolute_determinant_is_read_as_the_cookbook_writes_it():
    """ln|det(X)| (Matrix Cookbook (57)) at a matrix of negative determinant: ln|·| of a
    scalar is the log of its absolute value."""
    d = derive("ln|det(X)|", "X")
    env = {"X": -random_point(d.names, np.random.default_rng(2), SIZES)["X"]}  # n = 3: |X| < 0
    ref = lambda values: np.log(np.abs(np.linalg.det(values["X"])))  # noqa: E731
    assert np.linalg.det(env["X"]) < 0
    assert np.isclose(evaluate(d.expr, env, SIZES).item(), ref(env))
    check_derivative(d, ref, env)
    assert np.allclose(evaluate(d.gradient, env, SIZES), np.linalg.inv(env["X"]).T)


@pytest.mark.parametrize("text, message", [
    ("‖X‖₂", "‖…‖₂ needs a vector, but ‖X‖ (n×n); for a matrix write ‖X‖_F or norm(X) "
             "(Frobenius), max(svd(X)) (spectral)"),
    ("‖X‖_1", "norm1(X) (entry-wise)"),
    ("‖X‖_max", "matcalc knows the norms ‖x‖₂ and ‖x‖₁ of a vector and ‖X‖_F, not ‖…‖_max"),
    ("||x|", "expected '||' to close '||' (opened at column 1)"),
    ("‖x", "expected '‖' to close '‖'"),
])
def test_a_norm_matcalc_does_not_know_is_refused(text, message):
    with pytest.raises(MatcalcError, match=re.escape(message)):
        derive(text, "x" if "x" in text else "X")


@pytest.mark.parametrize("name, value", [("abs", 0.0), ("sign", 0.0), ("relu", 0.0)])
def test_no_derivative_at_zero_is_zero_by_convention(name, value):
    d = derive(f"sum({name}(x))", "x")
    env = {"x": np.zeros((3, 1))}
    assert np.all(evaluate(d.jacobian, env, SIZES) == value)


@pytest.mark.parametrize("fmt", ["unicode", "ascii", "latex", "numpy", "sympy"])
@pytest.mark.parametrize("text", ["sum(abs(x))", "sum(relu(x))", "sum(arcsin(x))",
                                  "sum(arctan(x))", "t^s", "x./y", "sign(t) + tan(t)"])
def test_every_printer_prints_the_new_functions(text, fmt):
    assert derive(text, "x" if "x" in text else "t").render(fmt)


# ── the round trip and the inference test ────────────────────────────────────────────────

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(questions())
def test_printed_ascii_reads_back_as_the_same_tree(q):
    """Any question, printed in ASCII and read back, is the same tree, node for node: the
    builders give each product, power and inverse the one form the printer writes."""
    e = derive(q.text, q.wrt, q.shapes).expr
    text = render(e, "ascii")
    assert parse(text, q.shapes) is e, text


@pytest.mark.parametrize("text, shapes, printed", [
    ("2*-A", {}, "-2A"),                       # the numbers of a product: one coefficient
    ("t^-1 @ (2 b' + b') b", {"t": (1, 1)}, "(2b^T + b^T)b/t"),  # reciprocals last
    ("b' x c'", {}, "b^T x c^T"),              # a chain as flat as its shapes allow …
    ("(a' x) (a' x) A", {}, "(a^T x)(a^T x)A"),  # … and a scalar inside one kept whole
    ("inv(A')", {}, "A^-T"), ("inv(A)'", {}, "A^-T"),  # A⁻ᵀ, however it was typed
    ("t / (t^2)", {"t": (1, 1)}, "t/t^2"), ("1/sqrt(t)", {"t": (1, 1)}, "1/sqrt(t)"),
    ("x / (2 t)", {"t": (1, 1)}, "x/(2t)"),
])
def test_what_reads_alike_is_one_tree(text, shapes, printed):
    e = parse(text, shapes)
    assert render(e, "ascii") == printed
    assert parse(printed, shapes) is e


@FAST
@given(questions())
def test_every_printed_answer_reads_back_as_an_equal_value(q):
    d = derive(q.text, q.wrt, q.shapes)
    for fmt in ("unicode", "ascii"):
        answer = d.render(fmt)
        try:
            verdict = check(q.text, q.wrt, answer, q.shapes)
        except MatcalcError as err:
            assume("no random point" not in str(err))  # log(exp(−9)): nowhere well defined
            assume("too many I and K" not in str(err))  # a claim may have to write sizes
            # refused, not misread: sizes of I, K and 𝟏 that the answer's text leaves open
            assume("no sizes for I and K" not in str(err))
            raise
        assert verdict.agree, f"{answer!r} read back differs"


@settings(max_examples=int(os.environ.get("MATCALC_INFER_EXAMPLES", "120")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(questions())
@example(Question("tr(X^T A X)", "X", "X", {}, None, True))                # (a)
@example(Question("t * a + b", "a", "a", {"t": (1, 1)}, None, False))      # (b), then (a)
@example(Question("tr(X^T A X)", "X", "X", {"X": ("n", "m")}, None, True))  # (c1)
@example(Question("tr(A)", "X", "X", {"X": ("m", "n")}, None, True))       # (c1), WRT absent
@example(Question("t + 3", "t", "t", {"t": (1, 1)}, None, True))           # (c2)
@example(Question("t' + 3", "t", "t", {"t": (1, 1)}, None, True))          # (d)
def test_without_shape_options_inference_agrees_or_asks_for_one(q):
    """With every --shape removed, a well-shaped random question is read in one of three ways:

    (a) the true shapes, up to a renaming of the size symbols that is one to one (m ↔ n, with
        1 kept and a product such as mn renamed factor by factor);
    (b) not at all: a shape error names a `--shape NAME=…` that fits, and with it (and any
        further one the next error names) the question is read as in (a) or (c);
    (c) with what the letters decide where nothing in the question does:
        (c1) sizes nothing ties together are all n, so the reading specialises the truth (X
             m×n read n×n, as `tr(X^T A X)` is in the README): allowed without a word, because
             the answer then is the true answer at m = n, which is checked here on a random
             point, and `--shape X=m,n` gives the general one;
        (c2) a lower-case name the truth makes a scalar is read as a column because nothing
             fixes its length (`t + 3`): allowed only when a note names it and the
             `--shape t=1,1` that reads it as a scalar, and that option (for each such name)
             then gives a reading as in (a) or (c1).
    (d) A question that writes a scalar as a column (t', (t + 1)ᵀ, sum(t)) need not agree: a
    paper transposes or sums a column, never a scalar, and matcalc reads it so (t' A is a row
    times a matrix), so such a question is another question, and says so in its text. It is
    still read (or refused with a shape error), and whether it agrees is counted."""
    truth = derive(q.text, q.wrt, q.shapes)
    scalars = [name for name, shape in truth.shapes.items() if shape == (ONE, ONE)]
    if any(_written_as_column(q.text, name) for name in scalars):  # read, never a crash
        agrees = _read(q, truth, {}, offered=True)
        event("(d) a scalar written as a column (tᵀ), read " + ("as the truth" if agrees else
                                                                "otherwise"))
        return
    assert _read(q, truth, {}), f"{q.text!r}: no reading agrees with the truth"


def _read(q, truth, shapes: dict, depth: int = 0, offered: bool = False) -> bool:
    """Whether the question read with `shapes` (and what its messages then ask for) agrees
    with the truth as the property above allows. A reading that does not is a failure,
    unless it is one of the several a message offered (--shape t=1,1, as would --shape a=1,1):
    then only one of them has to agree."""
    def fails(message: str) -> bool:
        assert offered, f"{q.text!r}: {message}"
        return False

    assert depth < 4, f"{q.text!r}: still no reading after {shapes}"
    try:
        d = derive(q.text, q.wrt, shapes)
    except ShapeError as err:
        fits = re.findall(r"--shape ([A-Za-z_][A-Za-z0-9_]*)=(\w+(?:,\w+)?)", str(err))
        if not fits:
            return fails(f"{err} (no --shape named)")
        event("(b) a shape error names the --shape that fits")
        return any(_read(q, truth, {**shapes, name: tuple(size.split(","))}, depth + 1,
                         offered or len(fits) > 1)
                   for name, size in fits if name not in shapes)
    reading = _reading(truth, d)
    if reading == "column":
        scalars = [name for name, shape in truth.shapes.items() if name[0].islower()
                   and shape == (ONE, ONE) and d.shapes.get(name, shape) != shape]
        if not scalars:
            return fails(f"read with {_shown(d.shapes)}, silently")
        noted = [name for name in scalars
                 if any(f"--shape {name}=1,1" in note for note in d.notes)]
        silent = [name for name in scalars
                  if name not in noted and not _written_as_column(q.text, name)]
        if silent:
            return fails(f"{silent} read as columns, silently ({_shown(d.shapes)})")
        event("(c2) a column by its letter, " + ("noted" if noted else "written so"))
        return _read(q, truth, {**shapes, **{name: (1, 1) for name in scalars}}, depth + 1,
                     offered)
    absent = d.wrt.name not in _names(d.expr)
    event("(a) the same shapes up to renaming" if reading == "same" else
          "(c1) undecided sizes are n" + (", of a WRT the question lacks" if absent else ""))
    _same_answer(truth, d)
    return True


def _reading(truth, d) -> str:
    """'same' when d's shapes are truth's under a one-to-one renaming of size symbols,
    'specialised' when under a renaming that merges some, 'column' when a size that is 1 in
    one is not 1 in the other (or no renaming exists: a consequence of such a size)."""
    rename: dict[str, Dim] = {}
    for name, shape in truth.shapes.items():
        if name not in d.shapes:
            continue
        for true, read in zip(shape, d.shapes[name]):
            if true.is_one != read.is_one:
                return "column"
            if true.is_one:
                continue
            assert true.coeff == 1 and len(true.symbols) == 1, true  # the names' sizes
            if rename.setdefault(true.symbols[0], read) is not read:
                return "column"
    images = list(rename.values())
    one_to_one = all(len(i.symbols) == 1 and i.coeff == 1 for i in images) and \
        len(set(images)) == len(images)
    return "same" if one_to_one else "specialised"


def _same_answer(truth, d) -> None:
    """The two answers agree on a random point where the true sizes take the values of what
    they were read as (n = 2, so that m and n are both 2, and n² is 4)."""
    sizes = {"n": 2}
    read = {s: int(np.prod([sizes[t] for t in dim.symbols])) * dim.coeff
            for name, shape in truth.shapes.items() if name in d.shapes
            for true, dim in zip(shape, d.shapes[name]) for s in true.symbols}
    env = random_point(d.names, np.random.default_rng(0), sizes)
    with np.errstate(all="ignore"):
        a = evaluate(truth.jacobian, env, {**sizes, **read})
        b = evaluate(d.jacobian, env, sizes)
    assert np.allclose(a, b, rtol=1e-7, atol=1e-9, equal_nan=True), (truth.unicode, d.unicode)


def _written_as_column(text: str, name: str) -> bool:
    """The text transposes the name, or something that holds it ((t + 1)ᵀ), or gives it to a
    function of a column (sum, norm, …)."""
    from matcalc.language.infer import VECTOR_FUNCTIONS
    from matcalc.language.parser import Parser
    from matcalc.language.syntax import walk
    tree, _ = Parser(text).syntax()
    return any((node.op in ("transpose", "inner") or node.op == "call" and
                node.value in VECTOR_FUNCTIONS) and any(n.op == "name" and n.value == name
                                                        for n in walk(node))
               for node in walk(tree))


def _shown(shapes) -> str:
    return ", ".join(f"{name} {r}×{c}" for name, (r, c) in shapes.items())


def _names(e):
    from matcalc.calculus.expr import variables
    return variables(e)


# ── the claims of the answers the printers write ─────────────────────────────────────────

@pytest.mark.parametrize("question, wrt, claim", [
    ("tr(Q Q^T X)", "X", "QQᵀ"), ("sum(X)", "X", "𝟏"), ("tr(X1 X)", "X", "X₁ᵀ"),
    ("a^T inv(X) b", "X", "−X⁻ᵀabᵀX⁻ᵀ"), ("tr(alpha * X)", "X", "αI"),
])
def test_unicode_answers_read_back_in_a_claim(question, wrt, claim):
    assert check(question, wrt, claim).agree


@pytest.mark.parametrize("text, read", [
    ("4‖A‖ ‖x‖", "4*norm(A)*norm(x)"), ("‖A + B‖ + 1", "norm(A + B) + 1"),
    ("‖(A ‖x‖)‖", "norm(A*norm(x))"), ("‖X w - y‖^2", "norm(X w - y)^2"),
])
def test_a_norm_reads_back_as_answers_print_it(text, read):
    assert parse(text) is parse(read)


def test_a_run_that_splits_two_ways_is_refused():
    with pytest.raises(MatcalcError, match="could be read as"):
        check("tr(a b' X) + tr(ab c' X)", "X", "abc'")


def test_ones_is_a_column_unless_its_use_decides():
    """`ones` is lower-case: a column when nothing else decides, like x; a matrix where its use
    makes it one."""
    assert derive("ones' x", "x").render("unicode") == "𝟏ᵀ"
    assert derive("x' ones ones' x", "x").render("unicode") == "2sum(x) 𝟏ᵀ"
    assert derive("ones' X ones", "X", {"X": ("m", "n")}).render("unicode", "gradient") == "𝟏"
    assert parse("ones' X ones", {"X": ("m", "n")}).shape == (ONE, ONE)
    fd_check("x' ones ones' x", "x")


def test_the_inner_product_of_ones_is_their_length():
    """𝟏ₙᵀ𝟏ₙ = n: the mean of the columns of X is X𝟏/N."""
    assert derive("ones' ones t", "t", {"t": (1, 1)}).render("unicode") == "n"
    assert derive("ones' ones t", "t", {"t": (1, 1), "X": (3, 4)}).render("ascii") == "n"
    assert derive("ones' x t", "t", {"t": (1, 1), "x": ("k", 1)}).render("unicode") == "sum(x)"
    fd_check("ones' ones x'x", "x")


def test_the_readme_shows_the_note_as_it_is_printed():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n(\$ matcalc derive \"t \+ 3\" t\n.*?)```", text, re.S)[1]
    result = CliRunner().invoke(main, ["derive", "t + 3", "t"])
    assert result.exit_code == 0
    assert block.split("\n", 1)[1] == result.stderr + result.stdout


@pytest.mark.parametrize("text, wrt, shapes, printed", [
    ("ln|det(X)|", "X", None, "vecᵀ(X⁻ᵀ)"),          # the Cookbook's (57), for det X < 0 too
    ("log(abs(t))", "t", {"t": (1, 1)}, "1/t"),        # sign(t)/|t| = 1/t
    ("abs(t)^2", "t", {"t": (1, 1)}, "2t"),            # 2|t| sign(t) = 2t
    ("t abs(t)", "t", {"t": (1, 1)}, "2abs(t)"),       # |t| + t sign(t) = 2|t|
    ("log(abs(x'x - 1))", "x", None, "2xᵀ/(xᵀx − 1)"),
])
def test_sign_and_absolute_value_cancel(text, wrt, shapes, printed):
    """sign(u)·u = |u| and sign(u)|u|^q = u^q for odd q: the answers a book prints."""
    assert derive(text, wrt, shapes).render("unicode") == printed
    for seed in range(3):  # on both sides of 0
        fd_check(text, wrt, shapes, seed=seed)


def test_ascii_kronecker_products_read_back_when_x_is_a_name():
    """A (x) B is A ⊗ B in ASCII unless x is a name of the expression: then it is written
    kron(A, B), and a text that writes both is refused rather than read one way."""
    assert derive("inv(A)", "A").render("ascii") == "-(A^-T (x) A^-1)"
    answer = derive("x x'", "x").render("ascii")
    assert answer == "kron(I, x) + kron(x, I)"
    assert check("x x'", "x", answer).agree
    with pytest.raises(MatcalcError, match=r"could be a Kronecker product .* kron\(A, B\) or A\*x\*B"):
        derive("I (x) x", "x")


def test_a_claim_may_hold_a_size_as_a_number():
    """tr(Iₙ) = n: an answer holding a size reads back; a size the question lacks is refused."""
    shapes = {"t": (1, 1)}
    assert check("tr(-(X + I)) t", "t", "−(n + tr(X))", shapes).agree
    assert not check("tr(-(X + I)) t", "t", "−(1 + tr(X))", shapes).agree
    with pytest.raises(MatcalcError, match="the name m, which the question does not have"):
        check("tr(-(X + I)) t", "t", "−(m + tr(X))", shapes)


def test_softmax_of_zero_is_ones_over_n():
    assert derive("x' softmax(a - a)", "x").render("unicode") == "𝟏ᵀ/n"
    fd_check("x' softmax(a - a)", "x")


def test_a_name_of_several_letters_before_a_bracket_keeps_its_space():
    """X1(A + B) and ones(…) would read as calls of functions X1 and ones."""
    e = parse("X1 (A + B)")
    assert render(e, "ascii") == "X1 (A + B)" and parse("X1 (A + B)") is e
    assert "ones (X^2)^T" in derive("sum(X^3)", "X").render("ascii")


def test_a_claims_bare_i_is_not_taken_for_a_1x1_one():
    """A 1×1 I fits any product as the scalar 1, so it would make every claim with I ambiguous;
    answers never print one as I, and the reading without it is taken."""
    question = "∂-((a' ./ exp(a^T)) * diag(-a))/∂a"
    for fmt in ("unicode", "ascii"):
        assert check(question, None, derive(question, None).render(fmt)).agree


@pytest.mark.parametrize("question, wrt, shapes", [
    ("(b' - b' - matrix(0.5)) ⊗ a", "a", {"b": ("m", 1)}),  # −(𝟏 ⊗ I)/2: 𝟏 has b's length
    ("diag(exp(sum(X) a))^2", "X", {}),                      # vecᵀ(𝟏) of the n×n 𝟏, with I
    ("diag(a) sum(X)", "X", {"X": ("m", "n")}),
])
def test_a_claims_ones_takes_the_size_its_use_leaves_open(question, wrt, shapes):
    """A 𝟏 whose size nothing in the claim fixes is tried at the sizes of the question's
    names; the printed answer then agrees, and a wrong multiple of it does not."""
    d = derive(question, wrt, shapes)
    for fmt in ("unicode", "ascii"):
        assert check(question, wrt, d.render(fmt), shapes).agree
    body, _, where = d.render("unicode").partition(", where")
    assert not check(question, wrt, f"2({body})" + (", where" + where if where else ""),
                     shapes).agree


def test_a_power_of_the_zero_matrix_is_zero():
    """(X − X)² is 0, not a 0² that reads back as the number 0."""
    assert derive("a' ((X - X)^2 + X)", "a").render("unicode") == "Xᵀ"
    assert derive("a' (X - X)^2", "a").render("unicode") == "0"


def test_a_product_of_sizes_that_cannot_be_1_suggests_the_scalars():
    """t·(t bᵀC ⊗ b): the error names the --shape of each lower-case name that may be a scalar."""
    with pytest.raises(ShapeError, match=r"--shape t=1,1 may fit"):
        derive("t * (t * (b^T * C) ⊗ b)", "t", {"b": ("m", 1), "C": ("m", "n")})
    d = fd_check("t * (t * (b^T * C) ⊗ b)", "t", {"b": ("m", 1), "C": ("m", "n"), "t": (1, 1)})
    assert d.shapes["t"] == (ONE, ONE)


def test_a_claim_is_compared_only_where_the_answer_is_finite():
    """exp(√(exp(tr X))) overflows at some random points: they are skipped, not a disagreement."""
    question = "exp(sqrt(exp(tr(A + X)')))"
    assert check(question, "X", derive(question, "X").render("unicode")).agree


def test_a_power_of_a_power_folds_where_it_is_real():
    """(u⁻¹)^(−½) = u^½ (u > 0 for either to be real); (u²)^½ = |u| is left alone."""
    d = derive("sqrt(det(inv(A + X/8)))", "X")
    assert "sp.sqrt(sp.Determinant(" in d.render("sympy")
    assert derive("(t^2)^(1/2)", "t", {"t": (1, 1)}).render("unicode") == "t/√(t²)"
    for seed in range(3):  # t < 0 too: the derivative is sign(t), not 1
        fd_check("(t^2)^(1/2)", "t", {"t": (1, 1)}, seed=seed)


def test_a_where_definition_run_together_with_a_sized_k_keeps_what_follows():
    """MKₘₙ(I ⊗ Dᵀ), where M = …: M is replaced and Kₘₙ(…) stays as written."""
    question = "(((X' D + matrix(0.5)) .* 3 X' - matrix(0.5)) .* X')'"
    shapes = {"X": ("m", "n"), "D": ("m", "m")}
    answer = derive(question, "X", shapes).render("unicode")
    assert "MKₘₙ(" in answer and ", where M = " in answer
    assert check(question, "X", answer, shapes).agree


def test_a_symbolic_power_prints_with_the_base_it_was_written_with():
    """|A|^(ln t) and t^(ln|A|) are one number, written two ways; each reads back as itself."""
    shapes = {"t": (1, 1)}
    for text, printed in [("det(A)^(log(t))", "|A|^(ln(t))"), ("t^(ln|A|)", "t^(ln|A|)")]:
        e = parse(text, shapes)
        assert render(e, "ascii") == printed and parse(printed, shapes) is e
