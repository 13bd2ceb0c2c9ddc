"""Generated code (matcalc.codegen): every program checked against the answer it compiles.

Three forms come from one program: `--format numpy` (one expression), `--format python` (a
module) and the callables `to_numpy` / `value_and_grad` (the program run as calls). Each is
compared with matcalc.checking.numeric.evaluate of the question and of the answer's tree, on random
expressions (hypothesis) with vectors given 2-D and 1-D.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finite_differences import eval_numpy_code
from matcalc import derive
from matcalc.errors import LimitError
from matcalc.checking.numeric import evaluate
from test_properties import SIZES, OutOfDomain, Question, _value, questions, random_point


def load_module(code: str) -> dict:
    """Run a generated module (matcalc's output, never user text) and return its namespace."""
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)  # noqa: S102 - matcalc's output
    return namespace


def the_function(code: str):
    functions = [v for k, v in load_module(code).items() if callable(v) and not k.startswith("_")
                 and getattr(v, "__module__", None) is None]
    (f,) = [v for v in functions if v.__name__.startswith("value")]
    return f


def one_d(env: dict, names) -> dict:
    """The same point with every vector (column or row) given 1-D, as NumPy users write them."""
    return {k: (v.ravel() if names[k].shape[1].is_one != names[k].shape[0].is_one else v)
            for k, v in env.items() if k in names}


def close(actual, expected, tol=1e-9) -> bool:
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0)))
    both_nan = np.isnan(actual) & np.isnan(expected)
    return bool(np.all(both_nan | (np.abs(actual - expected) <= tol * scale)))


def usable_point(q: Question, seed: int) -> dict:
    env = random_point(q, seed)
    try:
        _value(q, env)
    except OutOfDomain:
        from hypothesis import assume
        assume(False)
    return env


@settings(max_examples=60, deadline=None)
@given(questions(), st.integers(0, 2**16))
def test_every_generated_program_computes_the_answer_it_compiles(q: Question, seed: int):
    env = usable_point(q, seed)
    d = derive(q.text, q.wrt, q.shapes)
    names = d.names
    point = {k: env[k] for k in names}
    value = evaluate(d.expr, point, SIZES)
    kind = "gradient" if d.gradient is not None else "jacobian"
    answer = evaluate(d.gradient if kind == "gradient" else d.jacobian, point, SIZES)
    where = f"{q.text!r} by {d.wrt.name}: {d.unicode}"
    with np.errstate(all="ignore"):
        # the program run as calls, 2-D and 1-D vectors
        for given_point in (point, one_d(point, names)):
            got_value, got = d.value_and_grad()(**given_point)
            assert close(np.reshape(got_value, value.shape) if np.ndim(got_value) == 0 else got_value,
                         value), where
            if kind == "gradient":
                assert np.shape(got) == np.shape(given_point[d.wrt.name]), where
            assert close(np.reshape(got, answer.shape), answer), where
        assert close(d.to_numpy("gradient" if kind == "gradient" else "jacobian")(**point), answer), where
        # the module, with 1-D vectors
        f = the_function(d.render("python"))
        got_value, got = f(**one_d(point, names))
        assert close(np.reshape(got, answer.shape), answer), f"module of {where}"
        # the one expression, 2-D and 1-D vectors alike
        layout = "gradient" if kind == "gradient" else "jacobian"
        code = d.render("numpy", layout)
        assert close(eval_numpy_code(code, point), answer), f"numpy code of {where}"
        assert close(eval_numpy_code(code, one_d(point, names)), answer), f"1-D: {where}"


@settings(max_examples=25, deadline=None)
@given(questions(scalar=True), st.integers(0, 2**16))
def test_every_hessian_program_computes_the_hessian_it_compiles(q: Question, seed: int):
    env = usable_point(q, seed)
    d = derive(q.text, q.wrt, q.shapes, order=2)
    point = {k: env[k] for k in d.names}
    H = evaluate(d.jacobian, point, SIZES)
    G = evaluate(d.first.gradient, point, SIZES)
    with np.errstate(all="ignore"):
        value, gradient, hessian = the_function(d.render("python"))(**one_d(point, d.names))
        assert close(hessian, H) and close(np.reshape(gradient, G.shape), G), q.text
        assert close(d.to_numpy()(**point), H), q.text
        assert close(eval_numpy_code(d.render("numpy"), point), H), q.text


# ── the forms the code takes ────────────────────────────────────────────────────────────

def numpy(text, wrt=None, shapes=None, order=1, layout="jacobian"):
    return derive(text, wrt, shapes, order=order).render("numpy", layout)


def test_shared_pieces_are_computed_once():
    code = numpy("tr(inv(X) A)", "X", layout="gradient")
    assert code.count("np.linalg.inv(X)") == 1 and ":=" in code
    module = derive("sum(log(1 + exp(X w))) - y^T X w", "w", {"X": ("m", "n"), "y": "m"},
                    order=2).render("python")
    assert module.count("X @ w") == 1 and module.count("expit") == 1


def test_no_sum_is_written_with_a_negative_term():
    for text, wrt in [("norm(A x - b)^2", "x"), ("norm(X - U V^T)^2", "U"), ("x^T A x - tr(X)", "X")]:
        assert "+ (-1" not in numpy(text, wrt) and "+ -" not in numpy(text, wrt)


def test_an_inverse_that_only_multiplies_vectors_is_a_solve():
    code = numpy("a^T inv(X) b", "X", layout="gradient")
    assert "inv" not in code and code.count("np.linalg.solve") == 2
    module = derive("a^T inv(X) b", "X").render("python")
    assert module.count("lu_factor") == 1 and module.count("lu_solve") == 2  # X⁻¹b shared


def test_a_chain_is_ordered_by_cost_the_outer_product_last():
    code = numpy("a^T inv(X) b", "X", layout="gradient")
    assert re.search(r"solve\(X\.T, .*\) \* np\.linalg\.solve\(X, .*\)\.T$", code)  # outer
    code = numpy("norm(W2 tanh(W1 x) - y)^2", "W1", {"W1": ("h", "n"), "W2": ("m", "h"), "y": "m"},
                 layout="gradient")
    assert code.endswith(") * t0.T")  # diag(1 − t²) applied to a vector, then the outer product
    assert numpy("x^T A x", "x", layout="gradient").count("@") == 2  # Ax + Aᵀx, not (A + Aᵀ)x


def test_diag_k_and_kronecker_products_are_never_built_inside_products():
    hessian = numpy("sum(log(1 + exp(X w))) - y^T X w", "w", {"X": ("m", "n"), "y": "m"}, order=2)
    assert "diagflat" not in hessian
    hessian = numpy("logdet(X)", "X", order=2)
    assert "np.eye" not in hessian and "kron" not in hessian and "[None, :, :, None]" in hessian
    jacobian = numpy("X^T X", "X")
    assert "np.eye(X.shape[0]*X.shape[0])" not in jacobian


def test_stable_forms():
    d = derive("sum(log(1 + exp(X w))) - y^T X w", "w", {"X": ("m", "n"), "y": "m"}, order=2)
    X = np.array([[1000.0, 0.0], [-1000.0, 1.0], [0.0, 800.0]])
    with np.errstate(over="raise", invalid="raise"):
        value, gradient, hessian = d.value_and_grad()(X=X, w=np.ones(2), y=np.ones(3))
    assert np.isfinite(value) and np.all(np.isfinite(gradient)) and np.all(np.isfinite(hessian))
    assert value == pytest.approx(np.sum(np.logaddexp(0, X @ np.ones(2))) - np.sum(X @ np.ones(2)))
    # ln|X| where |X| overflows a float
    value, gradient = derive("logdet(X)", "X").value_and_grad()(X=10 * np.eye(400))
    assert value == pytest.approx(400 * np.log(10)) and np.allclose(gradient, np.eye(400) / 10)
    # 1 − tanh² from the tanh computed anyway
    assert "cosh" not in numpy("norm(W2 tanh(W1 x) - y)^2", "W1",
                               {"W1": ("h", "n"), "W2": ("m", "h"), "y": "m"}, layout="gradient")


def test_one_d_vectors_give_the_right_shapes():
    """The printed logistic gradient with 1-D y and w: (n, 1), never (m, n) by broadcasting."""
    d = derive("sum(log(1 + exp(X w))) - y^T X w", "w", {"X": ("m", "n"), "y": "m"})
    rng = np.random.default_rng(1)
    X, w, y = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.integers(0, 2, 5) * 1.0
    G = eval_numpy_code(d.render("numpy", "gradient"), {"X": X, "w": w, "y": y})
    expected = X.T @ (1 / (1 + np.exp(-X @ w)) - y)
    assert G.shape == (3, 1) and np.allclose(G.ravel(), expected)
    value, gradient = d.value_and_grad()(X=X, w=w, y=y)
    assert gradient.shape == (3,) and np.allclose(gradient, expected)


def test_one_d_row_vectors_too():
    """A 1-D row vector (--shape a=1,n) was used as it came: aᵀbᵀ broadcast to 1×n, not n×n."""
    d = derive("a X b", "X", {"a": (1, "n")})
    a, X, b = np.arange(3.0), np.eye(3), np.ones(3)
    assert np.array_equal(eval_numpy_code(d.render("numpy", "gradient"), {"a": a, "X": X, "b": b}),
                          np.outer(a, b))
    value, gradient = the_function(d.render("python"))(a=a, X=X, b=b)
    assert value == 3.0 and np.array_equal(gradient, np.outer(a, b))


def test_the_module_checks_shapes_with_clear_errors():
    f = the_function(derive("norm(A x - b)^2", "x", {"A": ("m", "n"), "b": "m"}).render("python"))
    with pytest.raises(ValueError, match=r"x must be n×1 \(n = 3\), given shape \(4,\)"):
        f(A=np.ones((2, 3)), x=np.ones(4), b=np.ones(2))
    with pytest.raises(ValueError, match="b must be m×1"):
        f(A=np.ones((2, 3)), x=np.ones(3), b=np.ones(3))
    with pytest.raises(TypeError):
        f(A=np.ones((2, 3)), x=np.ones(3))


def test_a_matrix_expression_gives_its_value_and_jacobian():
    d = derive("inv(A)", "A")
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    value, J = the_function(d.render("python"))(A=A)
    inverse = np.linalg.inv(A)
    assert np.allclose(value, inverse) and np.allclose(J, -np.kron(inverse.T, inverse))


# ── bugs, each with the test that found it ─────────────────────────────────────────────

@pytest.mark.parametrize("text, order", [("2", 1), ("0.25", 2), ("tr(A X)", 2), ("x^T X x", 2)])
def test_derivatives_by_a_symmetric_matrix_name_their_sizes(text, order):
    """n(n+1)/2 was printed as it reads, n(n+1)/2: a NameError (n) when run."""
    d = derive(text, "X", order=order, symmetric="X")
    env = {"X": np.eye(3), "A": np.ones((3, 3)), "x": np.ones((3, 1))}
    got = eval_numpy_code(d.render("numpy"), {k: env[k] for k in d.names})
    assert np.allclose(got, evaluate(d.jacobian, {k: env[k] for k in d.names}, {"n": 3}))
    assert got.shape[1] == 6


def test_to_numpy_takes_a_name_that_vanishes_on_reading():
    """Q^0 is I: Q is not in the answer, but a caller passing every name must not fail."""
    d = derive("tr(Q^0 X)", "X")
    assert np.allclose(d.to_numpy()(X=np.eye(3), Q=np.eye(3)), np.eye(3).reshape(1, -1))
    assert np.allclose(d.value_and_grad()(X=np.eye(3), Q=np.eye(3))[1], np.eye(3))
    with pytest.raises(TypeError, match="unknown name R"):
        d.to_numpy()(X=np.eye(3), R=np.eye(3))


KRON6 = "kron(kron(kron(kron(kron(X, X), X), X), X), X)"


def test_nested_kronecker_products_take_memory_near_the_answers():
    """Six nested ⊗ at n = 3: a 344 MB answer once asked for 18.5 TiB (dense K)."""
    d = derive(KRON6, "X")
    from matcalc.codegen import compile_outputs
    program = compile_outputs(d.names, d.wrt, [("jacobian", d.jacobian)]).program
    answer = 8 * 3 ** 12 * 9
    assert program.memory({"n": 3}) <= 12 * answer
    X = np.arange(4.0).reshape(2, 2) + np.eye(2)
    assert np.array_equal(d.to_numpy()(X=X), evaluate(d.jacobian, {"X": X}))


def test_too_much_memory_is_refused_before_allocating():
    d = derive(KRON6, "X")
    with pytest.raises(LimitError, match=r"needs about .* of memory, more than matcalc's limit"):
        d.to_numpy()(X=np.eye(6))
    with pytest.raises(LimitError, match="of memory"):
        evaluate(d.jacobian, {"X": np.eye(4)})


def test_the_command_line_refuses_too_much_memory_with_status_2():
    from click.testing import CliRunner

    from matcalc.cli import main
    claim = f"vec({KRON6}) vec(X)^T"
    result = CliRunner().invoke(main, ["check", KRON6, "X", "--claim", claim])
    assert result.exit_code == 2 and "of memory" in result.output, result.output


# ── a real model, fitted with the generated module ─────────────────────────────────────

def test_the_generated_module_fits_logistic_regression_like_scikit_learn():
    """Newton's method (trust-exact) on the breast-cancer data with the value, gradient and
    Hessian from `--format python --order 2` lands on scikit-learn's fit."""
    optimize = pytest.importorskip("scipy.optimize")
    datasets = pytest.importorskip("sklearn.datasets")
    linear_model = pytest.importorskip("sklearn.linear_model")
    from click.testing import CliRunner

    from matcalc.cli import main
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    result = CliRunner().invoke(main, [
        "derive", "sum(log(1 + exp(X w))) - y^T X w + norm(w)^2 / 2", "w",
        "--shape", "X=m,n", "--shape", "y=m", "--format", "python", "--order", "2"])
    assert result.exit_code == 0, result.output
    f = the_function(result.output)
    fit = optimize.minimize(lambda w: f(X=X, w=w, y=y)[0], np.zeros(X.shape[1]),
                            jac=lambda w: f(X=X, w=w, y=y)[1], hess=lambda w: f(X=X, w=w, y=y)[2],
                            method="trust-exact", options={"gtol": 1e-8})
    assert fit.success
    reference = linear_model.LogisticRegression(C=1.0, fit_intercept=False, tol=1e-12,
                                                max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(fit.x, reference.coef_.ravel(), rtol=1e-5, atol=1e-6)


def test_the_readme_shows_the_generated_code_as_printed():
    import shlex
    from pathlib import Path

    from click.testing import CliRunner

    from matcalc.cli import main
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Generated code", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```console\n(.*?)```", section, re.S).group(1)
    examples = re.split(r"^\$ matcalc ", block, flags=re.M)[1:]
    assert len(examples) == 3
    for example in examples:
        command, _, expected = example.partition("\n")
        result = CliRunner().invoke(main, shlex.split(command))
        assert result.exit_code == 0 and result.stdout.rstrip("\n") == expected.rstrip("\n")


def test_the_benchmark_runs_without_jax(monkeypatch):
    """benchmarks/codegen.py skips jax when it is not installed, and checks its values."""
    import importlib.util
    import sys
    from pathlib import Path
    monkeypatch.setitem(sys.modules, "jax", None)  # an import of jax now fails
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "codegen.py"
    spec = importlib.util.spec_from_file_location("codegen_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.jax is None
    bench.PROBLEMS[:] = [(*p[:6], p[6][:1]) for p in bench.PROBLEMS if p[0] in ("xᵀAx", "ln|X| Hessian")]
    rows = bench.measure(repeats=1, budget=0.0)
    assert len(rows) == 2 and all("jax" not in r["times"] and r["error"] < 1e-10 for r in rows)


def test_a_long_program_is_one_flat_expression(monkeypatch):
    """Past a length, --format numpy binds every piece in a flat tuple, (t0 := …, …)[-1],
    so that printing stays linear in the answer's size."""
    from matcalc.codegen import program
    monkeypatch.setattr(program, "LONG", 20)
    d = derive("⊗".join(["X"] * 5), "X")
    code = d.render("numpy")
    assert code.startswith("(t0 := ") and code.endswith(")[-1]")
    X = np.arange(4.0).reshape(2, 2) + np.eye(2)
    assert np.array_equal(eval_numpy_code(code, {"X": X}), evaluate(d.jacobian, {"X": X}))


@pytest.mark.parametrize("fmt", ["python", "numpy", "sympy"])
def test_steps_are_not_code(fmt):
    from click.testing import CliRunner

    from matcalc.cli import main
    result = CliRunner().invoke(main, ["derive", "inv(A)", "A", "--steps", "--format", fmt])
    assert result.exit_code == 2 and f"leave out --format {fmt}" in result.output


def test_an_answer_without_a_gradient_matrix_gives_its_jacobian():
    from matcalc.codegen import outputs
    d = derive("inv(A)", "A")
    assert [kind for kind, _ in outputs(d)] == ["value", "jacobian"]
