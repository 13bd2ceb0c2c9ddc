"""Answers as a paper prints them: a corpus of machine-learning losses, each with the form a
paper prints and matcalc's, measured in glyphs (definitions counted); the three forms a reader
checks first; names for what recurs in every format; and random compositions of σ, softplus,
softmax and logsumexp checked against finite differences."""
from __future__ import annotations

import statistics
from collections import namedtuple

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from matcalc import derive
from matcalc.cli import main
from matcalc.calculus.build import substitute
from matcalc.checking.verify import NumericJudge, size_values

Loss = namedtuple("Loss", "name question wrt shapes order layout paper matcalc")
MN = {"X": ("m", "n"), "y": "m"}

CORPUS = [
    Loss("logistic Hessian", "sum(log(1 + exp(A x)))", "x", {}, 2, "jacobian",
         paper="Aᵀ diag(s ∘ (𝟏 − s))A, where s = σ(Ax)",
         matcalc="Aᵀ diag(s ∘ (𝟏 − s)) A, where s = σ(Ax)"),
    Loss("logistic gradient", "sum(log(1 + exp(A x)))", "x", {}, 1, "gradient",
         paper="Aᵀσ(Ax)",
         matcalc="Aᵀ σ(Ax)"),
    Loss("logistic with ±1 labels", "sum(softplus(-y .* (X w)))", "w", MN, 1, "gradient",
         paper="−Xᵀ(y ∘ σ(−y ∘ Xw))",
         matcalc="−Xᵀ(σ(−(y ∘ Xw)) ∘ y)"),
    Loss("logistic with ±1 labels, Hessian", "sum(softplus(-y .* (X w)))", "w", MN, 2, "jacobian",
         paper="Xᵀ diag(y.^2 ∘ s ∘ (𝟏 − s))X, where s = σ(−y ∘ Xw)",
         matcalc="Xᵀ diag(y.^2 ∘ s ∘ (𝟏 − s)) X, where s = σ(−(y ∘ Xw))"),
    Loss("binary cross-entropy",
         "-y' log(sigmoid(X w)) - (1 - y)' log(1 - sigmoid(X w))", "w", MN, 1, "gradient",
         paper="Xᵀ(σ(Xw) − y)",
         matcalc="−Xᵀ(y − σ(Xw))"),
    Loss("binary cross-entropy, Hessian",
         "-y' log(sigmoid(X w)) - (1 - y)' log(1 - sigmoid(X w))", "w", MN, 2, "jacobian",
         paper="Xᵀ diag(s ∘ (𝟏 − s))X, where s = σ(Xw)",
         matcalc="Xᵀ diag(s ∘ (𝟏 − s)) X, where s = σ(Xw)"),
    Loss("L2-regularised logistic, Hessian",
         "sum(softplus(X w)) + lambda/2 * w'w", "w", {**MN, "lambda": (1, 1)}, 2, "jacobian",
         paper="Xᵀ diag(s ∘ (𝟏 − s))X + λI, where s = σ(Xw)",
         matcalc="λI + Xᵀ diag(s ∘ (𝟏 − s)) X, where s = σ(Xw)"),
    Loss("softmax cross-entropy, Hessian", "-y' log(exp(x) / sum(exp(x)))", "x", {}, 2, "jacobian",
         paper="sum(y)(diag(s) − ssᵀ), where s = exp(x)/sum(exp(x))",
         matcalc="sum(y) (diag(s) − ssᵀ), where s = softmax(x)"),
    Loss("softmax cross-entropy", "-y' log(exp(x) / sum(exp(x)))", "x", {}, 1, "gradient",
         paper="sum(y) softmax(x) − y",
         matcalc="sum(y) softmax(x) − y"),
    Loss("softmax regression by x",
         "-y' log(softmax(W x))", "x", {"W": ("m", "n"), "y": "m"}, 1, "gradient",
         paper="Wᵀ(sum(y) softmax(Wx) − y)",
         matcalc="Wᵀ(sum(y) softmax(Wx) − y)"),
    Loss("softmax regression by W",
         "-y' log(softmax(W x))", "W", {"W": ("m", "n"), "y": "m"}, 1, "gradient",
         paper="(sum(y) softmax(Wx) − y)xᵀ",
         matcalc="(sum(y) softmax(Wx) − y)xᵀ"),
    Loss("logsumexp, Hessian", "logsumexp(x)", "x", {}, 2, "jacobian",
         paper="diag(s) − ssᵀ, where s = softmax(x)",
         matcalc="diag(s) − ssᵀ, where s = softmax(x)"),
    Loss("logsumexp of a linear map, Hessian", "logsumexp(A x)", "x", {}, 2, "jacobian",
         paper="Aᵀ(diag(s) − ssᵀ)A, where s = softmax(Ax)",
         matcalc="Aᵀ(diag(s) − ssᵀ)A, where s = softmax(Ax)"),
    Loss("multinomial log-likelihood, Hessian",
         "logsumexp(W x) - y' W x", "x", {"W": ("m", "n"), "y": "m"}, 2, "jacobian",
         paper="Wᵀ(diag(s) − ssᵀ)W, where s = softmax(Wx)",
         matcalc="Wᵀ(diag(s) − ssᵀ)W, where s = softmax(Wx)"),
    Loss("softplus, Hessian", "sum(softplus(x))", "x", {}, 2, "jacobian",
         paper="diag(s ∘ (𝟏 − s)), where s = σ(x)",
         matcalc="diag(s ∘ (𝟏 − s)), where s = σ(x)"),
    Loss("sigmoid, Hessian", "sum(sigmoid(x))", "x", {}, 2, "jacobian",
         paper="diag(s ∘ (𝟏 − s) ∘ (𝟏 − 2s)), where s = σ(x)",
         matcalc="diag((𝟏 − s) ∘ s ∘ (𝟏 − 2s)), where s = σ(x)"),
    Loss("least squares", "norm(A x - b)^2", "x", {}, 1, "gradient",
         paper="2Aᵀ(Ax − b)",
         matcalc="2Aᵀ(Ax − b)"),
    Loss("least squares, Hessian", "norm(A x - b)^2", "x", {}, 2, "jacobian",
         paper="2AᵀA",
         matcalc="2AᵀA"),
    Loss("quadratic form of an affine map", "(A x + b)'(A x + b)", "x", {}, 1, "jacobian",
         paper="2(Ax + b)ᵀA",
         matcalc="2(Ax + b)ᵀA"),
    Loss("ridge regression",
         "norm(A x - b)^2 + lambda * x'x", "x", {"lambda": (1, 1)}, 1, "gradient",
         paper="2Aᵀ(Ax − b) + 2λx",
         matcalc="2(λx + Aᵀ(Ax − b))"),
    Loss("ridge regression, Hessian",
         "norm(X w - y)^2 / 2 + lambda / 2 * norm(w)^2", "w", {**MN, "lambda": (1, 1)}, 2, "jacobian",
         paper="XᵀX + λI",
         matcalc="λI + XᵀX"),
    Loss("Poisson regression", "sum(exp(X w)) - y' X w", "w", MN, 1, "gradient",
         paper="Xᵀ(exp(Xw) − y)",
         matcalc="Xᵀ(exp(Xw) − y)"),
    Loss("Poisson regression, Hessian", "sum(exp(X w)) - y' X w", "w", MN, 2, "jacobian",
         paper="Xᵀ diag(exp(Xw))X",
         matcalc="Xᵀ diag(exp(Xw)) X"),
    Loss("Gaussian log-likelihood by the mean",
         "(x - mu)' inv(Sigma) (x - mu)", "mu", {}, 1, "gradient",
         paper="−(Σ⁻¹ + Σ⁻ᵀ)(x − μ)",
         matcalc="−(Σ⁻¹ + Σ⁻ᵀ)(x − μ)"),
    Loss("Gaussian log-likelihood by the mean, Hessian",
         "(x - mu)' inv(Sigma) (x - mu)", "x", {}, 2, "jacobian",
         paper="Σ⁻¹ + Σ⁻ᵀ",
         matcalc="Σ⁻¹ + Σ⁻ᵀ"),
    Loss("Gaussian log-likelihood by the covariance",
         "logdet(Sigma) + (x - mu)' inv(Sigma) (x - mu)", "Sigma", {}, 1, "gradient",
         paper="Σ⁻ᵀ − Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ",
         matcalc="(I − Σ⁻ᵀ(x − μ)(x − μ)ᵀ)Σ⁻ᵀ"),
    Loss("Gaussian log-likelihood, scatter matrix",
         "logdet(Sigma) + tr(inv(Sigma) S)", "Sigma", {}, 1, "gradient",
         paper="Σ⁻ᵀ − Σ⁻ᵀSᵀΣ⁻ᵀ",
         matcalc="(I − Σ⁻ᵀSᵀ)Σ⁻ᵀ"),
    Loss("Gaussian process marginal likelihood", "y' inv(K) y + logdet(K)", "K", {}, 1, "gradient",
         paper="K⁻ᵀ − K⁻ᵀyyᵀK⁻ᵀ",
         matcalc="(I − K⁻ᵀyyᵀ)K⁻ᵀ"),
    Loss("RBF kernel", "exp(-norm(x - y)^2 / 2)", "x", {}, 1, "gradient",
         paper="−k(x − y), where k = exp(−‖x − y‖²/2)",
         matcalc="−exp(−‖x − y‖²/2) (x − y)"),
    Loss("RBF kernel, Hessian", "exp(-norm(x - y)^2 / 2)", "x", {}, 2, "jacobian",
         paper="k((x − y)(x − y)ᵀ − I), where k = exp(−‖x − y‖²/2)",
         matcalc="exp(−‖x − y‖²/2) ((x − y)(x − y)ᵀ − I)"),
    Loss("RBF kernel with a length-scale",
         "exp(-(x - y)'(x - y) / (2 * l^2))", "x", {"l": (1, 1)}, 1, "gradient",
         paper="−k(x − y)/l², where k = exp(−‖x − y‖²/(2l²))",
         matcalc="−exp(−uᵀu/(2l²)) u/l², where u = x − y"),
    Loss("layer norm: the normalised vector", "(x - m) / norm(x - m)", "x", {}, 1, "jacobian",
         paper="(I − uuᵀ/‖u‖²)/‖u‖, where u = x − m",
         matcalc="I/‖u‖ − uuᵀ/‖u‖³, where u = x − m"),
    Loss("layer norm: the variance", "norm(x - m)^2 / k", "x", {"k": (1, 1)}, 1, "gradient",
         paper="2(x − m)/k",
         matcalc="2(x − m)/k"),
    Loss("layer norm: the scale, Hessian", "norm(x - m)", "x", {}, 2, "jacobian",
         paper="(I − uuᵀ/‖u‖²)/‖u‖, where u = x − m",
         matcalc="I/‖u‖ − uuᵀ/‖u‖³, where u = x − m"),
    Loss("two-layer network, sigmoid, by W", "v' sigmoid(W x)", "W", {}, 1, "gradient",
         paper="(v ∘ s ∘ (𝟏 − s))xᵀ, where s = σ(Wx)",
         matcalc="(v ∘ s ∘ (𝟏 − s))xᵀ, where s = σ(Wx)"),
    Loss("two-layer network, sigmoid, by x", "v' sigmoid(W x)", "x", {}, 1, "gradient",
         paper="Wᵀ(v ∘ s ∘ (𝟏 − s)), where s = σ(Wx)",
         matcalc="Wᵀ(v ∘ s ∘ (𝟏 − s)), where s = σ(Wx)"),
    Loss("two-layer network, sigmoid, Hessian", "v' sigmoid(W x)", "x", {}, 2, "jacobian",
         paper="Wᵀ diag(v ∘ s ∘ (𝟏 − s) ∘ (𝟏 − 2s))W, where s = σ(Wx)",
         matcalc="Wᵀ diag((𝟏 − s) ∘ v ∘ s ∘ (𝟏 − 2s)) W, where s = σ(Wx)"),
    Loss("two-layer network, tanh, by x", "v' tanh(W x)", "x", {}, 1, "gradient",
         paper="Wᵀ(v ∘ (𝟏 − tanh(Wx).^2))",
         matcalc="Wᵀ(v ∘ cosh(Wx).^(−2))"),
    Loss("two-layer regression, output layer", "norm(V tanh(W x) - y)^2", "V", {}, 1, "gradient",
         paper="2(Vh − y)hᵀ, where h = tanh(Wx)",
         matcalc="2(V tanh(Wx) − y) tanh(Wx)ᵀ"),
    Loss("two-layer regression, hidden layer", "norm(V tanh(W x) - y)^2", "W", {}, 1, "gradient",
         paper="2((Vᵀ(Vh − y)) ∘ (𝟏 − h.^2))xᵀ, where h = tanh(Wx)",
         matcalc="2diag(cosh(Wx).^(−2)) Vᵀ(V tanh(Wx) − y)xᵀ"),
    Loss("two-layer classifier, output layer",
         "-y' log(softmax(V sigmoid(W x)))", "V", {}, 1, "gradient",
         paper="(sum(y) softmax(Vh) − y)hᵀ, where h = σ(Wx)",
         matcalc="(sum(y) softmax(Vs) − y)sᵀ, where s = σ(Wx)"),
    Loss("sigmoid regression", "norm(sigmoid(X w) - y)^2", "w", MN, 1, "gradient",
         paper="2Xᵀ((s − y) ∘ s ∘ (𝟏 − s)), where s = σ(Xw)",
         matcalc="2Xᵀ((s − y) ∘ s ∘ (𝟏 − s)), where s = σ(Xw)"),
    Loss("attention read-out", "v' softmax(K q)", "q", {}, 1, "gradient",
         paper="Kᵀ(v ∘ s − (sᵀv)s), where s = softmax(Kq)",
         matcalc="Kᵀ(v ∘ s − (vᵀs)s), where s = softmax(Kq)"),
    Loss("entropy", "-p' log(p)", "p", {}, 1, "gradient",
         paper="−(ln(p) + 𝟏)",
         matcalc="−(𝟏 + ln(p))"),
    Loss("Kullback–Leibler divergence", "p' (log(p) - log(q))", "p", {}, 1, "gradient",
         paper="ln(p) − ln(q) + 𝟏",
         matcalc="𝟏 + ln(p) − ln(q)"),
    Loss("log-cosh loss", "sum(log(cosh(x - y)))", "x", {}, 1, "gradient",
         paper="tanh(x − y)",
         matcalc="tanh(x − y)"),
    Loss("matrix factorisation",
         "norm(X - U V')^2", "U", {"X": ("m", "n"), "U": ("m", "k"), "V": ("n", "k")}, 1, "gradient",
         paper="2(UVᵀ − X)V",
         matcalc="−2(X − UVᵀ)V"),
    Loss("linear regression, matrix weights", "norm(Y - W X)^2", "W", {}, 1, "gradient",
         paper="2(WX − Y)Xᵀ",
         matcalc="−2(Y − WX)Xᵀ"),
    Loss("cosine similarity", "x'y / (norm(x) * norm(y))", "x", {}, 1, "gradient",
         paper="y/(‖x‖‖y‖) − (xᵀy)x/(‖x‖³‖y‖)",
         matcalc="y/(‖x‖ ‖y‖) − (xᵀy)x/(‖x‖³ ‖y‖)"),
]

GOAL = 1.5  # every answer within 1.5 × the paper's length, definitions counted


def ratio(loss: Loss) -> float:
    return len(loss.matcalc) / len(loss.paper)


def test_the_corpus_is_large_enough_and_covers_the_families():
    assert len(CORPUS) >= 30
    names = " ".join(loss.name for loss in CORPUS)
    for family in ("logistic", "softmax", "softplus", "Gaussian", "RBF", "layer norm",
                   "two-layer"):
        assert family in names


@pytest.mark.parametrize("loss", CORPUS, ids=[loss.name for loss in CORPUS])
def test_each_loss_prints_its_form_within_the_goal(loss: Loss):
    d = derive(loss.question, loss.wrt, loss.shapes, order=loss.order)
    assert d.render("unicode", loss.layout) == loss.matcalc
    assert ratio(loss) <= GOAL, f"{loss.matcalc!r} is {ratio(loss):.2f} × {loss.paper!r}"


@pytest.mark.parametrize("loss", CORPUS, ids=[loss.name for loss in CORPUS])
def test_each_loss_is_right_and_its_names_stand_for_the_answer(loss: Loss):
    """The Jacobian against central differences of the question (a Hessian: of the gradient,
    itself checked against the question); the printed body with its definitions put back is
    the answer, node for node."""
    first = derive(loss.question, loss.wrt, loss.shapes)
    judge, rng = NumericJudge(), np.random.default_rng(0)
    sizes = size_values([*first.names.values()], 3)
    assert judge.derivative_error(first.expr, first.jacobian, first.wrt, sizes, rng) < 1e-5
    d = first.second() if loss.order == 2 else first
    if loss.order == 2:
        assert judge.derivative_error(first.gradient, d.jacobian, d.wrt, sizes, rng) < 1e-5
    body, definitions = d.named(loss.layout)
    for definition in reversed(definitions):
        body = substitute(body, {definition.name: definition.expr})
    assert body is d.answer(loss.layout)


def test_the_readme_states_the_measured_ratios():
    from pathlib import Path
    ratios = [ratio(loss) for loss in CORPUS]
    readme = Path(__file__).parent.parent.joinpath("README.md").read_text(encoding="utf-8")
    assert f"{len(CORPUS)} losses" in readme
    assert f"median {statistics.median(ratios):.2f}×" in readme
    assert f"worst {max(ratios):.2f}×" in readme


# ── the three forms of the question, in every format ──

def test_softmax_cross_entropy_hessian():
    d = derive("-y' log(exp(x) / sum(exp(x)))", "x", order=2)
    assert d.unicode == "sum(y) (diag(s) − ssᵀ), where s = softmax(x)"
    assert d.render("ascii") == "sum(y) (diag(s) - s s^T), where s = softmax(x)"
    assert d.latex.endswith(r"\quad\text{where } s = \operatorname{softmax}(x)")
    assert [(v.name, str(e)) for v, e in d.definitions] == [("s", "softmax(x)")]


def test_logistic_hessian():
    d = derive("sum(log(1 + exp(A x)))", "x", order=2)
    assert d.unicode == "Aᵀ diag(s ∘ (𝟏 − s)) A, where s = σ(Ax)"
    assert d.render("ascii") == "A^T diag(s .* (ones - s)) A, where s = sigmoid(A x)"
    assert d.render("unicode", names=False) == "Aᵀ diag(σ(Ax) ∘ (𝟏 − σ(Ax))) A"
    assert d.latex == (r"A^{\top} \operatorname{diag}\bigl(s \circ (\mathbf{1} - s)\bigr) A"
                       r" \quad\text{where } s = \sigma(A x)")


def test_a_quadratic_form_of_an_affine_map():
    assert derive("(A x + b)'(A x + b)", "x").unicode == "2(Ax + b)ᵀA"
    assert derive("(A x + b)'(A x + b)", "x").render("unicode", "gradient") == "2Aᵀ(Ax + b)"


def test_names_on_the_command_line_in_documents_and_steps():
    run = CliRunner().invoke
    question = ["derive", "sum(log(1 + exp(A x)))", "x", "--order", "2"]
    assert run(main, question).output == "Aᵀ diag(s ∘ (𝟏 − s)) A, where s = σ(Ax)\n"
    assert run(main, question + ["--no-names"]).output == "Aᵀ diag(σ(Ax) ∘ (𝟏 − σ(Ax))) A\n"
    document = run(main, question + ["--document"]).output
    assert r"where $s = \sigma(A x)$, $A \in" in document
    steps = run(main, ["derive", "sigmoid(x)'sigmoid(x)", "x", "--steps"]).output
    assert steps.endswith("(names for what recurs)\n  = 2(s.^2 ∘ (𝟏 − s))ᵀ, where s = σ(x)\n")
    plain = run(main, ["derive", "sigmoid(x)'sigmoid(x)", "x", "--steps", "--no-names"]).output
    assert "where" not in plain and plain.endswith("= 2(σ(x).^2 ∘ (𝟏 − σ(x)))ᵀ\n")


def test_names_never_clash_with_the_question():
    d = derive("sum(log(1 + exp(A s)))", "s", order=2)
    assert d.unicode == "Aᵀ diag(p ∘ (𝟏 − p)) A, where p = σ(As)"


def test_a_name_is_kept_only_when_it_shortens_the_answer():
    assert derive("det(A X B)", "X").unicode == "|AXB| vecᵀ(Aᵀ(AXB)⁻ᵀBᵀ)"
    assert derive("(x - m) / norm(x - m)", "x").unicode == "I/‖u‖ − uuᵀ/‖u‖³, where u = x − m"


def test_the_functions_in_every_printer():
    d = derive("logsumexp(A x) + sum(softplus(x)) + sum(sigmoid(x))", "x")
    assert d.unicode == "(2s + Aᵀ softmax(Ax) − s.^2)ᵀ, where s = σ(x)"
    assert r"\operatorname{softmax}" in d.latex and r"\sigma" in d.latex
    assert "softmax" not in d.numpy and "sigmoid" not in d.numpy  # NumPy has neither
    values = {"A": np.eye(3) + 0.1, "x": np.array([[0.3], [-1.2], [2.0]])}
    G = d.to_numpy("gradient")(**values)
    x, A = values["x"], values["A"]
    s, z = 1 / (1 + np.exp(-x)), np.exp(A @ x) / np.sum(np.exp(A @ x))
    assert np.allclose(G, A.T @ z + s + s * (1 - s))
    assert "softmax" not in str(d.to_sympy())  # written with exp and sums for sympy


# ── random compositions: no numeric difference ──

VECTORS = ["x", "A x", "(x - b)", "(A x + b)"]
UNARY = ["sigmoid({})", "softplus({})", "softmax({})", "exp({})", "tanh({})", "log(1 + exp({}))",
         "exp({}) / sum(exp({}))", "({} .* sigmoid({}))"]
REDUCE = ["sum({})", "logsumexp({})", "a' {}", "norm({})^2", "-a' log(softmax({}))"]


@st.composite
def ml_questions(draw):
    inner = draw(st.sampled_from(VECTORS))
    for _ in range(draw(st.integers(0, 2))):
        inner = draw(st.sampled_from(UNARY)).format(*[inner] * 2)
    return draw(st.sampled_from(REDUCE)).format(inner)


@settings(max_examples=25, deadline=None)
@given(ml_questions(), st.sampled_from([1, 2]))
def test_random_losses_have_no_numeric_difference(text, order):
    first = derive(text, "x")
    judge, rng = NumericJudge(), np.random.default_rng(1)
    sizes = size_values([*first.names.values()], 3)
    assert judge.derivative_error(first.expr, first.jacobian, first.wrt, sizes, rng) < 1e-5
    if order == 2:
        second = first.second()
        assert judge.derivative_error(first.gradient, second.jacobian, first.wrt, sizes, rng) < 1e-5


# ── the algebra, and --steps naming it ──

@pytest.mark.parametrize("text, wrt, shapes, expected", [
    ("sqrt(x'x)^3", "x", {}, "3√(xᵀx) x"),                        # √u² √u = u^{3/2}
    ("sqrt(4 * x'x)", "x", {}, "2x/√(xᵀx)"),                      # numbers cancel
    ("sum((x/t).^(-1) .* x)", "x", {"t": (1, 1)}, "0"),            # (u/c).^(−1) ∘ u = c𝟏
    ("sum(log(cosh(x)))", "x", {}, "tanh(x)"),                    # sinh ∘ cosh.^(−1) = tanh
    ("sum(log(1 + exp(x)) - log(1 + exp(-x)))", "x", {}, "𝟏"),   # σ(x) + σ(−x) = 𝟏
    ("y' log(sigmoid(X w)) + (1 - y)' log(1 - sigmoid(X w))", "w", MN, "Xᵀ(y − σ(Xw))"),
    ("logdet(X)", "X", {}, "X⁻ᵀ"),
    ("exp(t * tr(inv(X) X))", "t", {"t": (1, 1)}, "exp(t n) n"),  # tr(I) = n
])
def test_the_identities_give_short_gradients(text, wrt, shapes, expected):
    d = derive(text, wrt, shapes)
    assert d.render("unicode", "gradient") == expected
    judge, rng = NumericJudge(), np.random.default_rng(2)
    sizes = size_values([*d.names.values()], 3)
    assert judge.derivative_error(d.expr, d.jacobian, d.wrt, sizes, rng) < 1e-5


def test_a_difference_is_transposed_whole():
    assert derive("(x - y)'(x - y)", "x").unicode == "2(x − y)ᵀ"
    assert derive("(x - y)' A (x - y)", "x").unicode == "(x − y)ᵀ(A + Aᵀ)"


def test_a_symmetric_matrix_gives_2g_minus_g_circ_i():
    d = derive("logdet(X)", "X", symmetric="X")
    assert d.render("unicode", "gradient") == "2X⁻¹ − X⁻¹ ∘ I"


def test_steps_name_the_identities_that_make_a_loss_short():
    steps = derive("-y' log(exp(x) / sum(exp(x)))", "x").derivation.render()
    assert "(softmax identity, log-softmax identity, sum of elements" in steps
    steps = derive("sum(log(1 + exp(A x)))", "x").derivation.render()
    assert "(softplus identity)" in steps
    assert steps.endswith("= σ(Ax)ᵀ A")
