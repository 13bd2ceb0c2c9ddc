"""Step-by-step derivations: every line is a valid equality, and the rules are named right."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from matcalc import derive
from matcalc.cli import main
from matcalc.calculus.expr import Partial, num
from matcalc.checking.numeric import evaluate, finite_difference
from matcalc.calculus.simplify import mul, simplify, tracing, transpose
from matcalc.calculus.steps import Step

ROOT = Path(__file__).resolve().parents[1]
MN = {"X": ("m", "n")}

# (expression, variable, shapes, the rules in order, identities among the simplifier's steps)
DERIVATIONS = [
    # the article's examples
    ("inv(A)", "A", None, ["inverse rule"], []),
    ("det(A)", "A", None, ["determinant rule"], []),
    ("logdet(A)", "A", None, ["log-determinant rule"], []),
    ("tr(A^T B)", "B", None, ["trace rule", "product rule"], ["vec–trace identity"]),
    ("tr(A^T B)", "A", None, ["trace rule", "product rule", "transpose rule"],
     ["vec–trace identity", "commutation identity"]),
    ("inv(A) A^T", "A", None, ["product rule", "transpose rule", "inverse rule"], []),
    # five compositions
    ("logdet(X^T A X)", "X", None, ["log-determinant rule", "product rule", "transpose rule"],
     ["vec–trace identity", "commutation identity"]),
    ("tr(inv(X) A)", "X", None, ["trace rule", "product rule", "inverse rule"],
     ["vec–trace identity"]),
    ("a^T inv(X) b", "X", None, ["product rule", "inverse rule"],
     ["vec of an outer product", "vec–trace identity"]),
    ("inv(X^T X)", "X", MN, ["inverse rule", "product rule", "transpose rule"],
     ["symmetry", "commutation identity", "common factor"]),
    ("det(A X B)", "X", None, ["determinant rule", "product rule"], ["vec–trace identity"]),
    # more rules
    ("exp(a^T x)", "x", None, ["chain rule", "product rule"], []),
    ("(a^T x)^2", "x", None, ["scalar power rule", "product rule"], []),
    ("tr(X^2)", "X", None, ["trace rule", "power rule"], ["like terms"]),
    ("logdet(X^T X)", "X", MN, ["log-determinant rule", "product rule", "transpose rule"],
     ["common factor", "vec–trace identity"]),
    ("kron(X, A)", "X", None, ["Kronecker product rule"], []),
    ("tr(X)/det(X)", "X", None, ["product rule", "scalar power rule", "determinant rule",
                                 "trace rule"], ["power identity", "common factor"]),
    ("sqrt(x^T x)", "x", None, ["scalar power rule", "product rule", "transpose rule"], ["like terms"]),
    ("exp(t) A", "t", {"t": (1, 1)}, ["product rule", "chain rule"], []),
    ("X + X^T", "X", None, ["sum rule", "transpose rule"], []),
    ("logdet(inv(X))", "X", None, ["product rule", "log-determinant rule"], []),
    ("X", "X", None, ["variable rule"], []),
    ("A", "X", None, ["constant rule"], []),
]

RULE_NAMES = {"inverse rule", "determinant rule", "log-determinant rule", "trace rule",
              "product rule", "transpose rule", "chain rule", "scalar power rule", "power rule",
              "Kronecker product rule", "variable rule", "constant rule", "sum rule", "vec rule"}


def random_point(d, seed=0):
    """Matrices near 1.5·I, so every inverse and log-determinant is well defined."""
    rng = np.random.default_rng(seed)
    sizes = {"n": 3, "m": 4}
    env = {}
    for name, var in d.names.items():
        rows, cols = (dim.coeff * int(np.prod([sizes[s] for s in dim.symbols]))
                      for dim in var.shape)
        env[name] = 1.5 * np.eye(rows, cols) + 0.4 * rng.standard_normal((rows, cols))
    return env, sizes


def assert_steps_valid(d, derivation, seed=0):
    env, sizes = random_point(d, seed)
    expected = finite_difference(d.expr, d.wrt, env, sizes)
    scale = max(1.0, np.abs(expected).max())
    for k, step in enumerate(derivation.steps):
        value = evaluate(step.expr, env, sizes)
        assert value.shape == expected.shape, (k, step.rule)
        error = np.abs(value - expected).max() / scale
        assert error < 1e-6, f"step {k} ({step.rule}) is not equal to ∂F/∂X: error {error:.2e}"


@pytest.mark.parametrize("text, wrt, shapes, rules, identities", DERIVATIONS)
def test_every_step_is_a_valid_equality(text, wrt, shapes, rules, identities):
    d = derive(text, wrt, shapes)
    derivation = d.derivation
    assert derivation.steps, "a derivation has at least one step"
    assert_steps_valid(d, derivation)
    assert derivation.answer is d.jacobian
    assert derivation.render().splitlines()[-1] == "  = " + d.unicode


@pytest.mark.parametrize("text, wrt, shapes, rules, identities", DERIVATIONS)
def test_rules_are_named(text, wrt, shapes, rules, identities):
    steps = derive(text, wrt, shapes).derivation.steps
    assert [s.rule for s in steps if s.rule in RULE_NAMES] == rules
    labels = ", ".join(s.rule for s in steps if s.rule not in RULE_NAMES)
    for name in identities:
        assert name in labels
    # the rules come one a step, and leave no derivative unexpanded after the last of them
    last_rule = max(k for k, s in enumerate(steps) if s.rule in RULE_NAMES)
    assert all(s.rule not in RULE_NAMES for s in steps[last_rule + 1:])
    assert all(not _has_partial(s.expr) for s in steps[last_rule:])
    assert all(_has_partial(s.expr) for s in steps[:last_rule])


def _has_partial(e):
    return isinstance(e, Partial) or any(_has_partial(c) for c in e.children)


def test_a_wrong_step_is_caught():
    """The check above can fail: a derivation with one sign flipped does not pass it."""
    d = derive("det(A X B)", "X")
    steps = list(d.derivation.steps)
    steps[1] = Step(steps[1].rule, mul(num(-1), steps[1].expr))
    with pytest.raises(AssertionError, match="step 1"):
        assert_steps_valid(d, type(d.derivation)(d.derivation.start, tuple(steps)))


def test_the_question_is_simplified_in_a_step_of_its_own():
    d = derive("tr((A X)^T)", "X")
    first = d.derivation.steps[0]
    assert first.rule == "transpose of a product"
    assert d.derivation.render().splitlines()[:3] == ["∂tr((AX)ᵀ)/∂X", "    (transpose of a product)",
                                                      "  = ∂tr(XᵀAᵀ)/∂X"]
    assert isinstance(first.expr, Partial)
    assert_steps_valid(d, d.derivation)


def test_unexpanded_derivatives_are_shown_as_the_article_writes_them():
    text = derive("det(A X B)", "X").derivation.render()
    assert text.splitlines() == [
        "∂|AXB|/∂X",
        "    (determinant rule)",
        "  = |AXB| vecᵀ((AXB)⁻ᵀ) ∂(AXB)/∂X",
        "    (product rule)",
        "  = |AXB| vecᵀ((AXB)⁻ᵀ) (Bᵀ ⊗ A)",
        "    (vec–trace identity)",
        "  = |AXB| vecᵀ(Aᵀ(AXB)⁻ᵀBᵀ)",
    ]
    ascii_text = derive("inv(X^T X)", "X", MN).derivation.render("ascii")
    assert ascii_text.isascii() and "d(X^T X)^-1/dX" in ascii_text


def test_latex_is_an_aligned_block():
    block = derive("inv(A)", "A").derivation.render("latex")
    assert block == ("\\begin{aligned}\n"
                     "  &\\frac{\\partial A^{-1}}{\\partial A}\\\\\n"
                     "  &\\qquad \\text{(inverse rule)}\\\\\n"
                     "  &\\quad {}= -(A^{-\\top} \\otimes A^{-1})\n"
                     "\\end{aligned}")
    assert "vec--trace" in derive("det(A X B)", "X").derivation.render("latex")


def test_latex_compiles(tmp_path):
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is needed in CI to check the LaTeX output")
        pytest.skip("pdflatex is not installed")
    blocks = [derive(text, wrt, shapes).derivation.render("latex")
              for text, wrt, shapes, _, _ in DERIVATIONS]
    body = "\n".join(f"\\[\n{b}\n\\]" for b in blocks)
    (tmp_path / "steps.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        f"{body}\n\\end{{document}}\n")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "steps.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-2000:]


def test_tracing_names_identities_only_when_asked():
    from matcalc.language.parser import parse
    e = parse("(A B)^T").expr
    with tracing() as fired:
        done = simplify(e)
    assert [name for name, _, _ in fired] == ["transpose of a product"]
    assert simplify(e) is done  # the same answer outside tracing, and nothing recorded there
    assert transpose(done) is not None


def test_cli_steps_plain_and_latex():
    runner = CliRunner()
    result = runner.invoke(main, ["derive", "tr(inv(X) A)", "X", "--steps"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "∂tr(X⁻¹A)/∂X"
    assert "    (inverse rule)" in result.output
    assert result.output.rstrip().endswith("= −vecᵀ(X⁻ᵀAᵀX⁻ᵀ)")
    latex = runner.invoke(main, ["derive", "inv(A)", "A", "--steps", "--format", "latex"])
    assert latex.output.startswith("\\begin{aligned}")


def test_cli_steps_on_a_terminal(monkeypatch, capsys):
    from matcalc import cli
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    cli._print_steps(derive("det(A X B)", "X"), "unicode", "jacobian")
    out = capsys.readouterr().out
    assert "\x1b[2m    determinant rule" in out  # the rule's name is dim
    lines = re.sub("\x1b\\[[0-9;]*m", "", out).splitlines()
    assert lines[0] == "∂|AXB|/∂X"
    assert lines[1].strip() == "determinant rule"
    assert lines[-1] == "  = |AXB| vecᵀ(Aᵀ(AXB)⁻ᵀBᵀ)"


@pytest.mark.parametrize("args", [["--format", "numpy"], ["--layout", "gradient"],
                                  ["--order", "2"]])
def test_cli_steps_refuses_what_it_cannot_show(args):
    run = subprocess.run([sys.executable, "-m", "matcalc", "derive", "logdet(X)", "X", "--steps",
                          *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and "Traceback" not in run.stderr


@pytest.mark.parametrize("text", ["inv(2 + t)", "t^2/2", "exp(t)/3", "sqrt(t)/2", "t^2/det(A)",
                                  "exp(t) t/5"])
@pytest.mark.parametrize("fmt", ["unicode", "ascii", "latex"])
def test_steps_by_a_scalar_variable(text, fmt):
    """∂f/∂t of a scalar t is itself a scalar: a coefficient such as 1/2 in front of it once
    made the printer put ∂f/∂t back into the coefficient, without end."""
    d = derive(text, "t", {"t": (1, 1)})
    assert_steps_valid(d, d.derivation)
    lines = d.derivation.render(fmt).splitlines()
    assert len(lines) >= 3 and "∂" in d.derivation.render("unicode")
    result = CliRunner().invoke(main, ["derive", text, "t", "--shape", "t=1,1", "--steps",
                                       "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == lines
