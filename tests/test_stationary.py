"""`matcalc solve`: every closed-form stationary point is checked numerically — the gradient
(derived independently by `derive`, and by central differences of f) vanishes at X* to
rounding, on random data of random sizes — and the questions without one end in exit 1."""
from __future__ import annotations

import functools

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from finite_differences import as_matrix, eval_numpy_code
from matcalc import derive, solve
from matcalc.cli import main
from matcalc.checking.numeric import evaluate
from matcalc.stationary import Unsolvable

GAUSS = "N logdet(S) + tr(inv(S) (X - m u')(X - m u')')"  # u: the all-ones N-vector, uᵀu = N
DATA = {"X": ("n", "N"), "u": "N", "N": (1, 1)}
LAMBDA = {"l": (1, 1)}

# id: (f, X, shapes, symmetric names, kind, minimum shown)
PROBLEMS = {
    "least squares": ("norm(A x - b)^2", "x", {"A": ("m", "n"), "b": "m"}, (), "direct", True),
    "ridge": ("norm(A x - b)^2 + l norm(x)^2", "x", {"A": ("m", "n"), "b": "m", **LAMBDA}, (),
              "direct", True),
    "weighted least squares": ("(A x - b)' W (A x - b)", "x", {"A": ("m", "n"), "b": "m",
                               "W": ("m", "m")}, ("W",), "direct", False),
    "weighted, W not symmetric": ("(A x - b)' W (A x - b)", "x", {"A": ("m", "n"), "b": "m",
                                  "W": ("m", "m")}, (), "direct", False),
    "quadratic form": ("x' A x - 2 b' x", "x", {}, (), "direct", False),
    "quadratic form, A symmetric": ("x' A x - 2 b' x", "x", {}, ("A",), "direct", False),
    "product of linear forms": ("(a' x)(b' x) - c' x + x' x", "x", {}, (), "direct", False),
    "Gaussian mean": (GAUSS, "m", DATA, ("S",), "direct", False),
    "Gaussian covariance": (GAUSS, "S", DATA, ("S",), "direct", False),
    "Gaussian covariance, S not declared symmetric": (GAUSS, "S", DATA, (), "direct", False),
    "precision matrix": ("-N logdet(P) + tr(P (X - m u')(X - m u')')", "P", DATA, ("P",),
                         "direct", False),
    "multi-output regression": ("norm(Y - X W)^2", "W", {"X": ("k", "n"), "Y": ("k", "p"),
                                "W": ("n", "p")}, (), "direct", True),
    "multi-output ridge": ("norm(Y - X W)^2 + l norm(W)^2", "W", {"X": ("k", "n"),
                           "Y": ("k", "p"), "W": ("n", "p"), **LAMBDA}, (), "direct", True),
    "low-rank factor": ("norm(X - W B)^2", "W", {"X": ("m", "k"), "W": ("m", "n"),
                        "B": ("n", "k")}, (), "direct", True),
    "AXB - C": ("norm(A X B - C)^2", "X", {"A": ("m", "n"), "X": ("n", "p"), "B": ("p", "k"),
                "C": ("m", "k")}, (), "direct", True),
    "trace quadratic": ("tr(X' A X) - 2 tr(B' X)", "X", {"X": ("n", "p"), "B": ("n", "p")}, (),
                        "direct", False),
    "Sylvester": ("tr(X' A X) + tr(X B X') - 2 tr(C' X)", "X", {"X": ("n", "p"), "B": ("p", "p"),
                  "C": ("n", "p")}, (), "sylvester", False),
    "Sylvester from a trace": ("tr(A X) + tr(X B X') + tr(X' C X)", "X", {}, (), "sylvester",
                               False),
    "three terms, by vec": ("norm(A X - X B - C)^2", "X", {}, (), "vec", False),
    "X and its transpose, by vec": ("tr(A X B X) + tr(X' X) - 2 tr(C' X)", "X", {}, (), "vec",
                                    False),
    "symmetric nearest": ("norm(X - A)^2", "X", {}, ("X",), "direct", True),
    "symmetric unknown, G + Gᵀ": ("tr(A X) + tr(X' X)", "X", {}, ("X",), "direct", True),
    "log-determinant and a trace": ("tr(A X) - logdet(X)", "X", {}, (), "direct", False),
    "sum of squares element by element": ("sum((A x - b).^2)", "x", {"A": ("m", "n"), "b": "m"},
                                          (), "direct", True),
    "midpoint": ("norm(x - a)^2 + norm(x - b)^2", "x", {}, (), "direct", True),
    "Tikhonov": ("norm(A x - b)^2 + l norm(D x)^2", "x", {"A": ("m", "n"), "b": "m",
                 "D": ("p", "n"), **LAMBDA}, (), "direct", True),
    "precision from a scatter matrix": ("logdet(X) - tr(S X)", "X", {}, (), "direct", False),
    "two rank-one terms in the plane": ("norm(a' x - t)^2 + norm(b' x)^2", "x", {"x": 2, "a": 2,
                                        "b": 2, "t": (1, 1)}, (), "direct", True),
    "symmetric Lyapunov": ("tr(X' A X) + tr(X B X') - 2 tr(C' X)", "X", {}, ("X",), "sylvester",
                           False),
    "symmetric covariance from a scatter matrix": ("logdet(X) - tr(S X)", "X", {}, ("X", "S"),
                                                   "direct", False),
    "a sum pulled towards t": ("norm(sum(x) - t)^2 + x' x", "x", {"t": (1, 1)}, (), "direct",
                               True),
    "element-wise weights": ("sum(w .* (A x - b).^2)", "x", {"A": ("m", "n"), "b": "m",
                             "w": "m"}, (), "direct", False),
    "regularized precision": ("-logdet(P) + tr(S P) + l tr(P)", "P", LAMBDA, (), "direct", False),
    "a trace squared, by vec": ("tr(X)^2 + norm(X - A)^2", "X", {}, (), "vec", True),
    "bilinear regression, by vec": ("(a' X b - t)^2 + l norm(X)^2", "X", {"X": ("m", "n"),
                                    "a": "m", "b": "n", "t": (1, 1), **LAMBDA}, (), "vec", True),
    "scalar step length": ("tr((t A + B)'(t A + B))", "t", {"t": (1, 1)}, (), "direct", True),
    "scalar in a trace squared": ("tr(t A + B)^2", "t", {"t": (1, 1)}, (), "direct", True),
    "scalar unknown": ("t^2 tr(A) - 2 t", "t", {"t": (1, 1)}, (), "direct", False),
}


@functools.cache
def solved(name: str):
    f, x, shapes, symmetric, _, _ = PROBLEMS[name]
    return solve(f, x, shapes, symmetric=symmetric)


@functools.cache
def gradient_function(name: str):
    f, x, shapes, symmetric, _, _ = PROBLEMS[name]
    return derive(f, x, shapes, symmetric=symmetric).to_numpy("gradient")


def random_data(name: str, sizes: dict, rng: np.random.Generator) -> dict:
    """Values for the names other than X: square matrices well-conditioned, the data matrix
    X with more samples than dimensions, u the all-ones vector, scalars in [1, 2]."""
    s = solved(name)
    env = {}
    for n, var in s.others.items():
        shape = tuple(d.coeff * int(np.prod([sizes[k] for k in d.symbols])) for d in var.shape)
        if n == "u":
            value = np.ones(shape)
        elif n == "N":
            value = np.array([[float(sizes["N"])]])
        elif shape == (1, 1):
            value = rng.uniform(1, 2, shape)
        elif shape[0] == shape[1]:
            value = shape[0] * np.eye(shape[0]) + rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape)
        if n in PROBLEMS[name][3]:
            value = (value + value.T) / 2
        env[n] = value
    return env


def gradient_at_solution(name: str, sizes: dict, seed: int) -> tuple[float, np.ndarray, dict]:
    """‖G(X*)‖ relative to ‖G‖ at a random X, X* and the data."""
    s, grad = solved(name), gradient_function(name)
    rng = np.random.default_rng(seed)
    env = random_data(name, sizes, rng)
    x_star = as_matrix(s.to_numpy()(**env, **{size: sizes[size] for size in s.free_sizes}))
    away = x_star + rng.standard_normal(x_star.shape)
    if s.wrt.name in PROBLEMS[name][3]:
        away = (away + away.T) / 2
    at = np.linalg.norm(grad(**env, **{s.wrt.name: x_star}))
    scale = np.linalg.norm(grad(**env, **{s.wrt.name: away})) + np.linalg.norm(x_star)
    return at / scale, x_star, env


SIZES = st.fixed_dictionaries({"n": st.integers(2, 4), "p": st.integers(1, 3),
                               "extra": st.integers(1, 4), "seed": st.integers(0, 2**31)})


def sizes_of(draw: dict) -> dict:
    n = draw["n"]
    return {"n": n, "p": draw["p"], "m": n + draw["extra"], "k": n + draw["extra"] + 1,
            "N": n + 2 * draw["extra"]}


@pytest.mark.parametrize("name", PROBLEMS)
@settings(max_examples=4, deadline=None)
@given(draw=SIZES)
def test_the_gradient_vanishes_at_the_solution(name, draw):
    error, x_star, _ = gradient_at_solution(name, sizes_of(draw), draw["seed"])
    assert error < 1e-8, f"{name}: ‖G(X*)‖ = {error:.2e} relative"
    if PROBLEMS[name][1] in PROBLEMS[name][3]:  # a symmetric unknown has a symmetric solution
        assert np.allclose(x_star, x_star.T, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", PROBLEMS)
def test_kind_and_second_order_condition(name):
    s = solved(name)
    kind, minimum = PROBLEMS[name][4], PROBLEMS[name][5]
    assert s.kind == kind
    assert s.minimum is minimum
    assert s.verdict().startswith("a minimum" if minimum else "a stationary point")


def central_difference_gradient(s, env: dict, x_star: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂f/∂X by central differences of f itself, with no derivative of matcalc's involved."""
    f = lambda X: float(as_matrix(evaluate(s.question, {**env, s.wrt.name: X}))[0, 0])  # noqa: E731
    out = np.zeros_like(x_star)
    for index in np.ndindex(*x_star.shape):
        step = np.zeros_like(x_star)
        step[index] = h
        out[index] = (f(x_star + step) - f(x_star - step)) / (2 * h)
    return out


@pytest.mark.parametrize("name", [n for n in PROBLEMS if not PROBLEMS[n][3] or
                                  PROBLEMS[n][1] not in PROBLEMS[n][3]])
def test_finite_differences_of_f_vanish_at_the_solution(name):
    sizes = {"n": 3, "p": 2, "m": 5, "k": 6, "N": 7}
    _, x_star, env = gradient_at_solution(name, sizes, seed=7)
    g = central_difference_gradient(solved(name), env, x_star)
    assert np.linalg.norm(g) < 1e-5 * (1 + np.linalg.norm(x_star)) * 100


@pytest.mark.parametrize("name", PROBLEMS)
def test_the_numpy_and_python_code_compute_the_same_solution(name):
    s = solved(name)
    sizes = {"n": 3, "p": 2, "m": 5, "k": 6, "N": 7}
    env = random_data(name, sizes, np.random.default_rng(3))
    env.update({size: sizes[size] for size in s.free_sizes})  # sizes no name gives
    expected = as_matrix(s.to_numpy()(**env))
    import scipy.linalg
    value = as_matrix(eval(s.numpy_code(), {"np": np, "scipy": scipy}, dict(env)))  # noqa: S307
    assert np.allclose(value, expected, rtol=1e-9, atol=1e-9)
    namespace: dict = {}
    exec(s.python_code(), namespace)  # noqa: S102 - matcalc's generated module, not user text
    function = namespace[f"solve_{s.wrt.name}"]
    assert np.allclose(as_matrix(function(**env)), expected, rtol=1e-9, atol=1e-9)
    flat = {n: v.ravel() if np.ndim(v) == 2 and v.shape[1] == 1 else v for n, v in env.items()}
    assert np.allclose(as_matrix(function(**flat)), expected, rtol=1e-9, atol=1e-9)  # 1-D too


def test_the_gaussian_estimators_are_the_sample_mean_and_covariance():
    rng = np.random.default_rng(0)
    n, N = 3, 50
    X = rng.standard_normal((n, N))
    mean = solved("Gaussian mean").to_numpy()(X=X, u=np.ones(N), S=np.eye(n), N=N)
    assert np.allclose(mean.ravel(), X.mean(axis=1))
    cov = solved("Gaussian covariance").to_numpy()(X=X, u=np.ones(N), m=mean, N=N)
    assert np.allclose(cov, np.cov(X, bias=True))
    precision = solved("precision matrix").to_numpy()(X=X, u=np.ones(N), m=mean, N=N)
    assert np.allclose(precision, np.linalg.inv(np.cov(X, bias=True)))


# ── what is printed ────────────────────────────────────────────────────────────────────

def run(*args):
    return CliRunner().invoke(main, list(args))


def test_least_squares_in_every_format():
    args = ["solve", "norm(A x - b)^2", "x", "--shape", "A=m,n", "--shape", "b=m"]
    assert run(*args).stdout == ("x = (AᵀA)⁻¹Aᵀb\n"
                                 "a minimum: the Hessian 2AᵀA is positive semi-definite\n")
    assert run(*args, "--format", "ascii").stdout.startswith("x = (A^T A)^-1A^T b\n")
    assert run(*args, "--format", "latex").stdout.startswith(
        r"x = (A^{\top} A)^{-1} A^{\top} b" + "\n% a minimum")
    assert run(*args, "--format", "numpy").stdout == \
        "((np.linalg.inv(((A.T @ A))) @ A.T @ b))\n"
    python = run(*args, "--format", "python").stdout
    assert "def solve_x(A, b):" in python and python.startswith("import numpy as np\n")
    sympy = run(*args, "--format", "sympy").stdout
    assert sympy.splitlines()[-1] == "(A.T*A).I*A.T*b" or "Inverse" in sympy


def test_sylvester_is_printed_as_such_and_solved_with_scipy():
    args = ["solve", "tr(X' A X) + tr(X B X') - 2 tr(C' X)", "X"]
    assert run(*args).stdout.splitlines()[0] == "(A + Aᵀ)X + X(B + Bᵀ) = 2C  (a Sylvester equation)"
    assert run(*args, "--format", "numpy").stdout == \
        "scipy.linalg.solve_sylvester((A + A.T), (B + B.T), (2 * C))\n"
    assert "import scipy.linalg" in run(*args, "--format", "python").stdout


def test_steps_name_each_step():
    out = run("solve", GAUSS, "S", "--symmetric", "S", "--shape", "X=n,N", "--shape", "u=N",
              "--shape", "N=1,1", "--steps").stdout
    for line in ("(set the gradient to zero)", "= 0", "(expand the products)",
                 "(multiply on the left and on the right by S)", "(collect the terms in S)",
                 "(divide by N)", "S = (X − muᵀ)(X − muᵀ)ᵀ/N"):
        assert line in out
    latex = run("solve", "norm(A x - b)^2", "x", "--steps", "--format", "latex").stdout
    assert latex.startswith(r"\begin{aligned}") and r"\text{(collect the terms in }x\text{)}" in latex


def _readme_solve_examples():
    import re
    import shlex
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Stationary points"):text.index("## Speed")]
    examples = []
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        for command, shown in re.findall(r"^\$ matcalc (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
            examples.append(pytest.param(shlex.split(command), shown, id=command[:60]))
    return examples


@pytest.mark.parametrize("args, shown", _readme_solve_examples())
def test_the_readme_shows_real_output(args, shown):
    result = run(*args)
    if shown.startswith("error:"):
        assert result.exit_code == 1 and result.stderr == shown
    else:
        assert result.exit_code == 0, result.output
        assert result.stdout.rstrip("\n") == shown.rstrip("\n")


def test_document_is_latex():
    out = run("solve", "norm(A x - b)^2", "x", "--document").stdout
    assert out.startswith(r"\documentclass{article}") and r"\end{document}" in out
    assert r"\nabla_{x}" in out


UNSOLVABLE = [
    (["sum(log(1 + exp(-y .* (A x))))", "x"], "x is inside σ(−(y ∘ Ax))"),  # logistic
    (["tr(inv(X) A)", "X"], "no stationary point"),
    (["logdet(X)", "X"], "no stationary point"),
    (["norm(X' X - A)^2", "X"], "degree 3"),
    (["a' x", "x"], "does not depend on x"),
    (["exp(t) - t", "t", "--shape", "t=1,1"], "t is inside exp(t)"),
    (["tr(X)^2 + tr(A X)", "X"], "has rank at most 1"),
    (["tr(X)^3 + tr(X' X)", "X"], "inside tr(X)²"),
    (["tr(X' X) + logdet(X)", "X"], "both X and X⁻¹"),
    (["norm(a' x - t)^2", "x", "--shape", "t=1,1"], "has rank at most 1"),  # a line of minima
    (["x' A x - x' A' x + b' x", "x"], "the terms in x cancel"),
    (["norm(sum(x) - t)^2", "x", "--shape", "t=1,1"], "has rank at most 1"),
    (["norm(A X - X A - C)^2", "X"], "singular for every value of its names"),  # X ↦ AX − XA
    (["tr(X' A X) - tr(X A X') - 2 tr(C' X)", "X"], "singular by its form"),
    (["norm((X + A)(X + B)(X + C)(X + D)(X + E)(X + F) - G)^2", "X"], "more than 5,000 terms"),
    (["N logdet(S) + tr(inv(S) a a')", "S", "--shape", "N=1,1"], "no stationary point: S = aaᵀ/N"),
    ([GAUSS, "S", "--symmetric", "S", "--shape", "X=3,2", "--shape", "u=2", "--shape", "N=1,1",
      "--shape", "m=3", "--shape", "S=3,3"], "has rank at most 2"),  # 2 samples, 3 dimensions
    (["-N logdet(P) + tr(P a a')", "P", "--shape", "N=1,1"], "P⁻ᵀ = aaᵀ/N would solve it"),
]


@pytest.mark.parametrize("args, why", UNSOLVABLE)
def test_no_closed_form_exits_1_with_the_reason(args, why):
    result = run("solve", *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and why in result.stderr and "Traceback" not in result.stderr


def test_unsolvable_in_the_library():
    with pytest.raises(Unsolvable):
        solve("tr(inv(X) A)", "X")


BAD = [
    ["norm(A x - b", "x"],                     # parse error
    ["A x", "x"],                              # not a scalar
    ["norm(x)^2", "x", "--format", "excel"],   # no such format
    ["norm(x)^2", "x", "--steps", "--format", "numpy"],
    ["norm(x)^2", "x", "--document", "--format", "numpy"],
    ["norm(X)^2", "X", "--symmetric", "X", "--shape", "X=m,n"],
]


@pytest.mark.parametrize("args", BAD)
def test_bad_input_exits_2(args):
    result = run("solve", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# ── questions nobody wrote down: random sums of terms ─────────────────────────────────

MATRIX_TERMS = ["tr(X' A X)", "tr(X B X')", "tr(A X)", "tr(C' X)", "norm(X - D)^2",
                "norm(A X B - C)^2", "logdet(X)", "tr(inv(X) A)", "tr(X A X B)", "tr(X)^2",
                "tr(X' X)", "norm(X)^2", "tr(A X B X')", "tr(inv(X) A inv(X) B)", "det(X)",
                "tr(X' A X B)", "norm(X' - A)^2", "tr(A X')", "tr(inv(X) A) + logdet(X)",
                "tr(X A' X')", "tr(X' A' X)", "tr(A X)^2", "(a' X b)^2", "tr(X) tr(A X)", "norm(A X - X A)^2", "tr(X A X') - tr(X' A X)"]
VECTOR_TERMS = ["x' A x", "b' x", "norm(A x - b)^2", "(a' x)^2", "(a' x)(b' x)", "x' x",
                "norm(x - a)^2", "exp(a' x)", "log(x' x)", "norm(x)", "x' inv(A) x", "sum(x)",
                "x' A' x", "sum(a .* x .^ 2)", "b' (a .* x)", "tr(A x b')^2", "tr(x a')"]


@st.composite
def questions(draw):
    vector = draw(st.booleans())
    pool = VECTOR_TERMS if vector else MATRIX_TERMS
    terms = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    signs = draw(st.lists(st.sampled_from(["", "2 ", "-", "-3 "]), min_size=len(terms),
                          max_size=len(terms)))
    text = " + ".join(f"{s}({t})" for s, t in zip(signs, terms))
    symmetric = () if vector else draw(st.sampled_from([(), ("X",)]))
    return text, "x" if vector else "X", symmetric


@settings(max_examples=int(__import__("os").environ.get("SOLVE_EXAMPLES", 60)), deadline=None)
@given(question=questions(), seed=st.integers(0, 2**31))
def test_random_questions_get_a_right_answer_or_a_reason(question, seed):
    from hypothesis import assume

    from matcalc import MatcalcError
    text, x, symmetric = question
    try:
        s = solve(text, x, symmetric=symmetric)
    except Unsolvable as err:
        assert str(err)
        return
    except MatcalcError as err:  # e.g. shapes that do not fit: bad input, exit status 2
        assert err.exit_code == 2 and str(err)
        return
    rng = np.random.default_rng(seed)
    first = int(rng.integers(2, 5))
    for n in (first, first + 1, first + 2):  # a size may make the system singular (2n − 6 = 0)
        env = {}
        for name, var in s.others.items():
            shape = tuple(n if not d.is_one else 1 for d in var.shape)
            env[name] = (n * np.eye(n) if shape[0] == shape[1] != 1 else 0) + \
                rng.standard_normal(shape)
        try:
            with np.errstate(all="ignore"):
                x_star = as_matrix(s.to_numpy()(**env, **{size: n for size in s.free_sizes}))
            break
        except np.linalg.LinAlgError:
            continue
    else:  # singular at every size, on generic data: the closed form is wrong
        raise AssertionError(f"{text}: {s.equation()} inverts a singular matrix")
    with np.errstate(all="ignore"):
        assert np.all(np.isfinite(x_star)), f"{text}: {s.equation()}"
        grad = derive(text, x, symmetric=symmetric).to_numpy("gradient")
        at = grad(**env, **{x: x_star})
        assume(np.all(np.isfinite(at)))
        away = x_star + rng.standard_normal(x_star.shape)
        if symmetric:
            away = (away + away.T) / 2
            assert np.allclose(x_star, x_star.T, atol=1e-9)
        scale = np.linalg.norm(grad(**env, **{x: away})) + np.linalg.norm(x_star)
    assert np.linalg.norm(at) <= 1e-7 * scale, f"{text}: {s.equation()}"


def test_a_concave_quadratic_has_a_maximum():
    s = solve("2 b' x - l x' x", "x", {"l": (1, 1)})
    assert s.equation() == "x = b/l" and s.maximum and not s.minimum
    assert s.verdict() == "a maximum for l ≥ 0: the Hessian −2lI is negative semi-definite"
    assert not solve("x' A x", "x").maximum  # indefinite: only "a stationary point"


@pytest.mark.parametrize("name", ["least squares", "Sylvester", "three terms, by vec",
                                  "Gaussian covariance"])
def test_the_sympy_code_builds_the_solution(name):
    import sympy as sp
    namespace: dict = {}
    code = solved(name).render("sympy")
    exec(code, namespace)  # noqa: S102 - matcalc's generated code, not user text
    value = eval(code.splitlines()[-1], namespace)  # noqa: S307
    assert isinstance(value, sp.MatrixExpr)
    assert value.shape[1] == 1 or solved(name).kind == "direct"


def test_the_document_compiles(tmp_path):
    import shutil
    import subprocess
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    out = run("solve", GAUSS, "S", "--symmetric", "S", "--shape", "X=n,N", "--shape", "u=N",
              "--shape", "N=1,1", "--document").stdout
    (tmp_path / "gaussian.tex").write_text(out, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "gaussian.tex"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.parametrize("name", PROBLEMS)
def test_ascii_and_latex_outputs_are_ascii(name):
    s = solved(name)
    for text in (s.render("ascii"), s.render("latex"), s.steps("ascii"), s.steps("latex"),
                 s.document()):
        assert text.isascii(), [ch for ch in text if not ch.isascii()]


@settings(max_examples=int(__import__("os").environ.get("SOLVE_FUZZ", 150)), deadline=None)
@given(text=__import__("test_fuzz").expressions(st.sampled_from(["A", "B", "X", "x", "t", "2"])),
       fmt=st.sampled_from(["unicode", "ascii", "latex", "numpy", "python"]),
       steps=st.booleans())
def test_fuzzed_questions_end_in_an_answer_or_one_message(text, fmt, steps):
    import time
    args = ["--debug", "solve", text, "X", "--shape", "t=1,1", "--format", fmt]
    if steps and fmt not in ("numpy", "python"):
        args.append("--steps")
    start = time.perf_counter()
    result = CliRunner().invoke(main, args)
    assert time.perf_counter() - start < 5
    assert result.exit_code in (0, 1, 2), f"{args!r}: {result.output}"
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.stdout == "" and result.stderr.startswith(("error: ", "warning: ", "Usage"))


def test_the_gaussian_with_ones_gives_the_textbook_estimators():
    """Written with `ones` for 𝟏, the estimators read as a textbook prints them, and their code
    subtracts rather than adding −1 times."""
    gaussian = "N logdet(Sigma) + tr(inv(Sigma) (X - mu ones')(X - mu ones')')"
    shapes = {"X": ("n", "N"), "N": (1, 1)}
    mean = solve(gaussian, "mu", shapes, symmetric=["Sigma"])
    cov = solve(gaussian, "Sigma", shapes, symmetric=["Sigma"])
    assert mean.equation() == "μ = X𝟏/N"
    assert cov.equation() == "Σ = (X − μ𝟏ᵀ)(X − μ𝟏ᵀ)ᵀ/N"
    assert "+ (-1 *" not in cov.render("python") and "(X - " in cov.render("python")
    X = np.random.default_rng(3).standard_normal((3, 7))
    mu = mean.to_numpy()(X=X, Sigma=np.eye(3), N=7)
    assert np.allclose(mu.ravel(), X.mean(axis=1))
    assert np.allclose(cov.to_numpy()(X=X, mu=mu, N=7), np.cov(X, bias=True))
