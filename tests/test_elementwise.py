"""Element-wise functions, Hadamard products, diag, sum and norm; symmetric matrices.

Every Jacobian is checked against central differences of the expression's own value, which
owe nothing to the rule table; symmetric derivatives along symmetric directions only.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matcalc import derive
from matcalc.errors import MatcalcError
from matcalc.checking.numeric import duplication_matrix, evaluate, finite_difference
from matcalc.render import render

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"n": 3, "m": 4}
RECT = {"W": ("m", "n"), "X": ("m", "n"), "B": ("n", "n"), "A": ("m", "n")}

# (expression, wrt, shapes, the gradient or Jacobian as matcalc should print it, or None)
IDENTITIES = [
    ("sum(exp(X))", "X", None, "exp(X)"),
    ("sum(log(X))", "X", None, "X.^(−1)"),
    ("sum(sqrt(X))", "X", None, "X.^(−1/2)/2"),
    ("sum(sin(X))", "X", None, "cos(X)"),
    ("sum(cos(X))", "X", None, "−sin(X)"),
    ("sum(tanh(X))", "X", None, "cosh(X).^(−2)"),
    ("exp(X)", "X", None, "diag(vec(exp(X)))"),
    ("log(x)", "x", None, "diag(x.^(−1))"),
    ("X .* Y", "X", None, "diag(vec(Y))"),
    ("X ∘ X", "X", None, "2diag(vec(X))"),
    ("X.^3", "X", None, "3diag(vec(X.^2))"),
    ("sum(X.^3)", "X", None, "3X.^2"),
    ("x.^(-1)", "x", None, "−diag(x.^(−2))"),
    ("diag(x)", "x", None, "diag(vec(I)) (𝟏 ⊗ I)"),
    ("diag(X)", "X", None, "(𝟏ᵀ ⊗ I) diag(vec(I))"),
    ("sum(x - 1)", "x", None, "𝟏"),
    ("sum(log(x + 2))", "x", None, "(x + 2𝟏).^(−1)"),
    ("a^T diag(X)", "X", None, "diag(a)"),
    ("tr(A diag(x))", "x", None, "diag(A)"),
    ("diag(diag(X))", "X", None, None),
    ("sum(X)", "X", None, "𝟏"),
    ("sum(A .* X)", "X", None, "A"),
    ("sum(A .* (X B))", "X", RECT, "ABᵀ"),
    ("norm(x)", "x", None, "x/‖x‖"),
    ("norm(X)", "X", RECT, "X/‖X‖"),
    ("norm(A x - b)^2", "x", None, "2Aᵀ(Ax − b)"),
    ("sum(log(1 + exp(-y .* (X w))))", "w", {"X": ("m", "n"), "y": "m"}, None),
    ("-y^T (X w) + log(sum(exp(X w)))", "w", {"X": ("m", "n"), "y": "m"}, None),
    ("x^T diag(exp(x)) x", "x", None, None),
    ("sum(exp(X) .* log(Y))", "X", None, "ln(Y) ∘ exp(X)"),
    ("norm(X .* A)^2", "X", None, None),
    ("tanh(W x)", "W", RECT, None),
    ("sin(a^T x) + cos(a^T x)", "x", None, None),
    ("exp(-norm(x - a)^2 / 2)", "x", None, None),
    ("sqrt(x .* x + 1)", "x", None, None),
    ("(A x) .* (B x)", "x", None, None),
    ("sum(exp(X^T A X))", "X", None, None),
    ("sum(diag(X))", "X", None, "I"),
    ("logdet(diag(exp(x)))", "x", None, "𝟏"),
    ("sum(x .* x .* x)", "x", None, "3x.^2"),
    ("sum(exp(X) .* (A X))", "X", None, "AX ∘ exp(X) + Aᵀ exp(X)"),
    ("sin(X) .* cos(X)", "X", None, "diag(vec(cos(X).^2)) − diag(vec(sin(X).^2))"),
    ("x / norm(x)", "x", None, "I/‖x‖ − xxᵀ/‖x‖³"),
    ("sum(inv(X))", "X", None, "−X⁻ᵀ𝟏X⁻ᵀ"),
    ("det(diag(x))", "x", None, "|diag(x)| x.^(−1)"),
    ("A diag(x) B", "x", None, "(Bᵀ ⊗ A) diag(vec(I)) (𝟏 ⊗ I)"),
    ("X .* X^T", "X", None, "diag(vec(X)) K + diag(vec(Xᵀ))"),
]


def point(d, seed=0):
    """Positive, well-conditioned values: log and sqrt are defined, inverses are tame."""
    rng = np.random.default_rng(seed)
    env = {}
    for name, var in d.names.items():
        rows, cols = (dim.coeff * int(np.prod([SIZES[s] for s in dim.symbols]))
                      for dim in var.shape)
        env[name] = np.eye(rows, cols) + rng.uniform(0.2, 0.8, (rows, cols))
    return env


def close(actual, expected, tol=1e-6):
    return np.abs(actual - expected).max() <= tol * max(1.0, np.abs(expected).max())


@pytest.mark.parametrize("text, wrt, shapes, printed", IDENTITIES)
def test_jacobian_matches_finite_differences(text, wrt, shapes, printed):
    d = derive(text, wrt, shapes)
    env = point(d)
    expected = finite_difference(d.expr, d.wrt, env, SIZES)
    assert close(evaluate(d.jacobian, env, SIZES), expected)
    code = eval(d.numpy, {"np": np}, dict(env))  # matcalc's own generated code
    assert close(code, expected)
    if d.expr.is_scalar:
        G = evaluate(d.gradient, env, SIZES)
        assert close(G.reshape(1, -1, order="F"), expected)
    if printed is not None:
        shown = d.render("unicode", "gradient" if d.expr.is_scalar else "jacobian")
        assert shown == printed


def test_the_checks_can_fail():
    """A planted wrong answer (the derivative of exp read as log's) disagrees."""
    d = derive("sum(exp(X))", "X")
    wrong = derive("sum(log(X))", "X")
    env = point(d)
    expected = finite_difference(d.expr, d.wrt, env, SIZES)
    assert not close(evaluate(wrong.jacobian, env, SIZES), expected)


def test_scalar_results_end_as_vec_transpose():
    assert derive("sum(exp(X))", "X").unicode == "vecᵀ(exp(X))"
    assert derive("norm(X)", "X").unicode == "vecᵀ(X)/‖X‖"
    logistic = derive("sum(log(1 + exp(-y .* (X w))))", "w", {"X": ("m", "n"), "y": "m"})
    assert logistic.render("unicode", "gradient") == \
        "−Xᵀ(σ(−(y ∘ Xw)) ∘ y)"
    softmax = derive("-y^T (X w) + log(sum(exp(X w)))", "w", {"X": ("m", "n"), "y": "m"})
    assert softmax.render("unicode", "gradient") == "Xᵀ(softmax(Xw) − y)"


@pytest.mark.parametrize("text, wrt, shapes", [
    ("sum(exp(X))", "X", None),
    ("norm(A x - b)^2", "x", None),
    ("sum(log(1 + exp(-y .* (X w))))", "w", {"X": ("m", "n"), "y": "m"}),
    ("-y^T (X w) + log(sum(exp(X w)))", "w", {"X": ("m", "n"), "y": "m"}),
    ("sum(X.^3 .* A)", "X", None),
    ("norm(x)", "x", None),
    ("x^T diag(exp(x)) x", "x", None),
])
def test_hessians_match_finite_differences_of_the_gradient(text, wrt, shapes):
    d = derive(text, wrt, shapes)
    env = point(d)
    H = evaluate(d.hessian, env, SIZES)
    expected = finite_difference(d.gradient, d.wrt, env, SIZES)
    assert close(H, expected, 1e-5)
    assert close(H, H.T, 1e-8)


def test_renderers():
    d = derive("norm(x .* a)^2 + sum(exp(X) .* Y) + a^T diag(X)", "X")
    assert render(d.expr) == "‖x ∘ a‖² + sum(exp(X) ∘ Y) + aᵀ diag(X)"
    assert render(d.expr, "ascii") == "norm(x .* a)^2 + sum(exp(X) .* Y) + a^T diag(X)"
    latex = render(d.expr, "latex")
    for piece in ("\\lVert x \\circ a\\rVert", "\\operatorname{sum}", "\\exp",
                  "\\operatorname{diag}"):
        assert piece in latex
    assert render(derive("X.^2", "X").expr, "latex") == "X^{\\circ 2}"
    assert derive("diag(x)", "x").latex == \
        "\\operatorname{diag}(\\operatorname{vec}(I)) (\\mathbf{1} \\otimes I)"


def test_hadamard_binds_tighter_than_kron_looser_than_product():
    product, kron = derive("A .* B C", "A"), derive("A ⊗ B ∘ C", "A")
    assert render(product.expr) == "A ∘ BC" and render(kron.expr) == "A ⊗ B ∘ C"
    env = point(product)
    A, B, C = env["A"], env["B"], env["C"]
    assert close(evaluate(product.expr, env, SIZES), A * (B @ C))
    assert close(evaluate(kron.expr, env, SIZES), np.kron(A, B * C))
    assert render(derive("(A .* B) C", "A").expr) == "(A ∘ B)C"


@pytest.mark.parametrize("text, wrt, shapes, names", [
    ("sum(exp(X) .* Y)", "X", None, ("sum-of-elements rule", "Hadamard product rule",
                                     "element-wise chain rule", "vec–Hadamard identity")),
    ("sum(log(1 + exp(-y .* (X w))))", "w", {"X": ("m", "n"), "y": "m"},
     ("element-wise chain rule", "Hadamard product rule", "vec–Hadamard identity")),
    ("norm(A x - b)^2", "x", None, ("norm rule", "scalar power rule")),
    ("a^T diag(X)", "X", None, ("diagonal rule", "diagonal identity")),
    ("tr(A diag(x))", "x", None, ("diag rule", "diagonal identity")),
    ("sum(X.^3)", "X", None, ("element-wise power rule",)),
])
def test_steps_name_the_new_rules(text, wrt, shapes, names):
    d = derive(text, wrt, shapes)
    derivation = d.derivation
    rules = " ".join(step.rule for step in derivation.steps)
    for name in names:
        assert name in rules
    env = point(d)
    expected = finite_difference(d.expr, d.wrt, env, SIZES)
    for step in derivation.steps:
        assert close(evaluate(step.expr, env, SIZES), expected, 1e-5), step.rule
    assert derivation.answer is d.jacobian


@pytest.mark.parametrize("text, message", [
    ("X .* x", "Hadamard product needs two matrices of one shape"),
    ("diag(W)", "diag needs a column vector or a square matrix"),
    ("X.^T", r"expected a number after '\.\^'"),
])
def test_bad_input(text, message):
    with pytest.raises(MatcalcError, match=message):
        derive(text, "X", {"W": ("m", "n")})


# ── symmetric matrices ──────────────────────────────────────────────────────────────────

def symmetric_point(d, seed=0):
    env = point(d, seed)
    for name, value in env.items():
        if value.shape[0] == value.shape[1] and name in ("X", "S"):
            env[name] = (value + value.T) / 2 + np.eye(value.shape[0])
    return env


def symmetric_directions(n):
    """E for each vech position (i ≥ j, by columns): e_i e_jᵀ + e_j e_iᵀ, or e_i e_iᵀ."""
    for j in range(n):
        for i in range(j, n):
            E = np.zeros((n, n))
            E[i, j] = E[j, i] = 1.0
            yield i, j, E


def along(f, X, env, E, h=1e-5):
    up = evaluate(f, {**env, X.name: env[X.name] + h * E}, SIZES)
    down = evaluate(f, {**env, X.name: env[X.name] - h * E}, SIZES)
    return (up - down) / (2 * h)


COOKBOOK = [  # Matrix Cookbook §2.8.2 and eqs. (43), (49), (61), (81) for symmetric X
    ("logdet(X)", "2X⁻¹ − X⁻¹ ∘ I"),
    ("tr(A X)", "A + Aᵀ − A ∘ I"),
    ("det(X)", "|X| (2X⁻¹ − X⁻¹ ∘ I)"),
    ("a^T X a", "2aaᵀ − aaᵀ ∘ I"),
    ("tr(inv(X) A)", None),
    ("tr(X A X)", None),
    ("sum(exp(X))", "2exp(X) − exp(X) ∘ I"),
]


@pytest.mark.parametrize("text, printed", COOKBOOK)
def test_symmetric_gradient_along_symmetric_directions(text, printed):
    d = derive(text, "X", symmetric="X")
    env = symmetric_point(d)
    G = evaluate(d.gradient, env, SIZES)
    J = evaluate(d.jacobian, env, SIZES)
    n = SIZES["n"]
    assert J.shape == (1, n * (n + 1) // 2)
    for k, (i, j, E) in enumerate(symmetric_directions(n)):
        slope = along(d.expr, d.wrt, env, E).item()
        assert abs(G[i, j] - slope) < 1e-6 * max(1, abs(slope))
        assert abs(G[j, i] - slope) < 1e-6 * max(1, abs(slope))
        assert abs(J[0, k] - slope) < 1e-6 * max(1, abs(slope))
    if printed is not None:
        assert d.render("unicode", "gradient") == printed


def test_symmetric_gradient_differs_from_the_unconstrained_one():
    """Where the two differ, finite differences along symmetric directions pick the first."""
    d, plain = derive("logdet(X)", "X", symmetric=True), derive("logdet(X)", "X")
    env = symmetric_point(d)
    i, j, E = next((i, j, E) for i, j, E in symmetric_directions(3) if i != j)
    slope = along(d.expr, d.wrt, env, E).item()
    assert abs(evaluate(plain.gradient, env, SIZES)[i, j] - slope) > 1e-2
    assert abs(evaluate(d.gradient, env, SIZES)[i, j] - slope) < 1e-6


def test_symmetric_jacobian_is_J_times_the_duplication_matrix():
    d = derive("inv(X)", "X", symmetric=["X"])
    assert d.unicode == "−(X⁻¹ ⊗ X⁻¹) Dₙ"
    env = symmetric_point(d)
    J = evaluate(d.jacobian, env, SIZES)
    for k, (_, _, E) in enumerate(symmetric_directions(3)):
        assert close(J[:, k], along(d.expr, d.wrt, env, E).reshape(-1, order="F"))
    assert close(eval(d.numpy, {"np": np}, dict(env)), J)
    assert d.latex.endswith("D_{n}")


def test_symmetric_hessian():
    d = derive("logdet(X)", "X", symmetric="X", order=2)
    assert d.unicode == "−Dₙᵀ (X⁻¹ ⊗ X⁻¹) Dₙ"
    env = symmetric_point(d)
    H = evaluate(d.jacobian, env, SIZES)
    directions = [E for _, _, E in symmetric_directions(3)]
    h = 1e-4
    for a, Ea in enumerate(directions):
        for b, Eb in enumerate(directions):
            def f(shift):
                return evaluate(d.expr, {**env, "X": env["X"] + shift}, SIZES).item()
            second = (f(h * (Ea + Eb)) - f(h * (Ea - Eb)) - f(h * (Eb - Ea)) + f(-h * (Ea + Eb))) \
                / (4 * h * h)
            assert abs(H[a, b] - second) < 1e-5 * max(1, abs(second))


def test_duplication_matrix():
    D = duplication_matrix(3)
    X = np.array([[1.0, 2, 3], [2, 4, 5], [3, 5, 6]])
    vech = np.array([1.0, 2, 3, 4, 5, 6])
    assert np.array_equal(D @ vech, X.reshape(-1, order="F"))


def test_other_symmetric_names_are_used_but_not_differentiated_by():
    assert derive("tr(A X)", "X", symmetric="A").render("unicode", "gradient") == "A"
    with pytest.raises(MatcalcError, match="square"):
        derive("tr(A X)", "X", {"X": ("m", "n"), "A": ("n", "m")}, symmetric="X")


def test_cli_symmetric_states_it():
    run = subprocess.run([sys.executable, "-m", "matcalc", "derive", "logdet(X)", "X",
                          "--symmetric", "X", "--layout", "gradient"],
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0
    assert run.stdout.strip() == "2X⁻¹ − X⁻¹ ∘ I"
    assert "X is symmetric" in run.stderr and "G + Gᵀ − G ∘ I" in run.stderr


def test_latex_compiles(tmp_path):
    import shutil
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    rect = {"X": ("m", "n"), "y": "m"}
    blocks = [derive(text, wrt, shapes).derivation.render("latex") for text, wrt, shapes in [
        ("sum(log(1 + exp(-y .* (X w))))", "w", rect),
        ("norm(A x - b)^2", "x", None),
        ("a^T diag(X) + sum(X.^(1/2)) + sum(tanh(X))", "X", None)]]
    blocks += [derive("logdet(X)", "X", symmetric="X").latex,
               derive("logdet(X)", "X", symmetric="X").render("latex", "gradient"),
               derive("logdet(X)", "X", symmetric="X", order=2).latex,
               derive("diag(x)", "x").latex]
    body = "\n".join(f"\\[\n{b}\n\\]" for b in blocks)
    (tmp_path / "e.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        f"{body}\n\\end{{document}}\n")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "e.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-2000:]


def test_symmetric_derivative_as_a_library_object():
    d = derive("logdet(X)", "X", symmetric="X")
    assert repr(d) == "<Derivative ∂ln|X|/∂X = vecᵀ(X⁻¹) Dₙ : 1×n(n+1)/2, X symmetric>"
    X = np.array([[2.0, 1.0], [1.0, 3.0]])
    inverse = np.linalg.inv(X)
    assert np.allclose(d.to_numpy("gradient")(X=X), 2 * inverse - np.diag(np.diag(inverse)))
    assert np.allclose(d.to_numpy()(X=X), [[0.6, -0.4, 0.4]])
