"""Second derivatives: Hessians ∂²f/∂vecX∂vecᵀX against finite differences of f itself."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matcalc import derive
from matcalc.errors import MatcalcError
from matcalc.checking.numeric import evaluate

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"n": 3, "m": 4}

SCALAR_FUNCTIONS = [
    ("logdet(X)", "X", None),
    ("tr(X^T A X)", "X", None),
    ("a^T inv(X) b", "X", None),
    ("det(X)", "X", None),
    ("tr(inv(X) A)", "X", None),
    ("x^T A x", "x", None),
    ("(a^T x)^2", "x", None),
    ("tr(X^2)", "X", None),
    ("logdet(X^T X)", "X", {"X": ("m", "n")}),
    ("exp(a^T x)", "x", None),
    ("sqrt(x^T x)", "x", None),
    ("tr(A X B X^T)", "X", {"X": ("m", "n"), "A": ("m", "m"), "B": ("n", "n")}),
]


def point(d, seed=1):
    rng = np.random.default_rng(seed)
    env = {}
    for name, var in d.names.items():
        rows, cols = (dim.coeff * int(np.prod([SIZES[s] for s in dim.symbols])) for dim in var.shape)
        env[name] = 1.5 * np.eye(rows, cols) + 0.4 * rng.standard_normal((rows, cols))
    return env


def finite_difference_hessian(f, wrt, env, h=1e-4):
    """Central second differences of the value of f: nothing of the rule table is used."""
    x0 = env[wrt.name]
    k = x0.size

    def value(shift):
        x = x0 + shift.reshape(x0.shape, order="F")
        return evaluate(f, {**env, wrt.name: x}, SIZES).item()

    H = np.empty((k, k))
    e = np.eye(k) * h
    for i in range(k):
        for j in range(i, k):
            H[i, j] = H[j, i] = (value(e[i] + e[j]) - value(e[i] - e[j])
                                 - value(e[j] - e[i]) + value(-e[i] - e[j])) / (4 * h * h)
    return H


@pytest.mark.parametrize("text, wrt, shapes", SCALAR_FUNCTIONS)
def test_hessian_matches_finite_differences(text, wrt, shapes):
    d = derive(text, wrt, shapes)
    env = point(d)
    H = evaluate(d.hessian, env, SIZES)
    expected = finite_difference_hessian(d.expr, d.wrt, env)
    k = env[wrt].size
    assert H.shape == (k, k)
    assert np.abs(H - expected).max() < 1e-5 * max(1.0, np.abs(expected).max())
    assert np.allclose(H, H.T, atol=1e-9 * max(1.0, np.abs(H).max()))  # a Hessian is symmetric


@pytest.mark.parametrize("text, wrt, shapes", SCALAR_FUNCTIONS)
def test_numpy_code_gives_the_pq_by_pq_array(text, wrt, shapes):
    second = derive(text, wrt, shapes, order=2)
    env = point(second)
    array = eval(second.numpy, {"np": np}, dict(env))  # matcalc's own generated code
    assert array.shape == (env[wrt].size,) * 2
    assert np.allclose(array, evaluate(second.jacobian, env, SIZES))


def test_log_determinant_hessian_in_commutation_form():
    assert derive("logdet(X)", "X", order=2).unicode == "−K(X⁻ᵀ ⊗ X⁻¹)"
    assert derive("tr(X^T A X)", "X", order=2).unicode == "I ⊗ (A + Aᵀ)"
    assert derive("x^T A x", "x", order=2).unicode == "A + Aᵀ"


def test_hessian_of_a_planted_wrong_function_differs():
    """The comparison can fail: ln|X| and its Hessian without K do not match."""
    from matcalc.calculus.simplify import kron, mul, number, transpose, inverse
    d = derive("logdet(X)", "X")
    X = d.wrt
    wrong = mul(number(-1), kron(transpose(inverse(X)), inverse(X)))
    env = point(d)
    expected = finite_difference_hessian(d.expr, X, env)
    assert np.abs(evaluate(wrong, env, SIZES) - expected).max() > 1e-2


def test_matrix_function_has_no_hessian():
    with pytest.raises(MatcalcError, match="scalar"):
        derive("inv(X)", "X", order=2)
    with pytest.raises(MatcalcError, match="gradient layout"):
        derive("logdet(X)", "X", order=2).render("unicode", "gradient")


@pytest.mark.parametrize("args, code, out", [
    (["inv(X)", "X", "--order", "2"], 2, "error: a second derivative needs a scalar"),
    (["logdet(X)", "X", "--order", "2"], 0, "−K(X⁻ᵀ ⊗ X⁻¹)"),
    (["logdet(X)", "X", "--order", "3"], 2, "Invalid value for '--order'"),
])
def test_cli_order(args, code, out):
    run = subprocess.run([sys.executable, "-m", "matcalc", "derive", *args],
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == code
    assert out in (run.stdout if code == 0 else run.stderr)
    assert "Traceback" not in run.stderr
