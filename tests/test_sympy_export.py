"""to_sympy against sympy itself: with small rational matrices put in, each answer must equal,
exactly, the Jacobian sympy computes entry by entry from the question written in explicit
sympy matrices (∂ vec F[i] / ∂ vec X[j], one sympy.diff each)."""
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from matcalc import derive
from matcalc.render.sympy_export import (CommutationMatrix, Diagonal, DuplicationMatrix, Vec, elementwise,
                                  explicit, sympy_code, to_sympy)

ROOT = Path(__file__).resolve().parent.parent
R = sp.Rational


def M(*rows):
    return sp.ImmutableMatrix([[sp.nsimplify(Fraction(str(x))) for x in row] for row in rows])


VALUES = {
    "A": M([2, "1/2"], ["1/3", 3]),
    "B": M([1, -1], [2, "1/2"]),
    "X": M([3, 1], ["1/2", 2]),         # |X| = 11/2 > 0
    "a": M([1], ["-1/2"]),
    "b": M([2], [3]),
    "x": M(["1/2"], [-1]),
    "t": R(3, 2),
}
TALL = {"X": M([1, 2], [0, 1], ["1/2", -1])}   # 3×2, XᵀX invertible


def vec(F):
    return F.T.reshape(F.rows * F.cols, 1)


def kron(P, Q):
    return sp.kronecker_product(P, Q)


def tr(F):
    return F.trace()


# question, variable, shapes, sizes, F written with explicit sympy matrices
CASES = [
    ("inv(A)", "A", None, {}, lambda A: A.inv()),
    ("det(A)", "A", None, {}, lambda A: A.det()),
    ("logdet(A)", "A", None, {}, lambda A: sp.log(A.det())),
    ("tr(A^T B)", "B", None, {}, lambda A, B: tr(A.T * B)),
    ("tr(A^T B)", "A", None, {}, lambda A, B: tr(A.T * B)),
    ("A X B", "X", None, {}, lambda A, X, B: A * X * B),
    ("X^T", "X", None, {}, lambda X: X.T),
    ("X^T", "X", {"X": ("m", "n")}, {"m": 3}, lambda X: X.T),
    ("X^T X", "X", {"X": ("m", "n")}, {"m": 3}, lambda X: X.T * X),
    ("kron(X, b)", "X", {"X": ("m", "n")}, {"m": 3}, lambda X, b: kron(X, b)),
    ("logdet(X^T X)", "X", {"X": ("m", "n")}, {"m": 3}, lambda X: sp.log((X.T * X).det())),
    ("inv(X^T X)", "X", {"X": ("m", "n")}, {"m": 3}, lambda X: (X.T * X).inv()),
    ("kron(X, X)", "X", None, {}, lambda X: kron(X, X)),
    ("kron(A, X^T)", "X", None, {}, lambda A, X: kron(A, X.T)),
    ("vec(X)", "X", None, {}, lambda X: vec(X)),
    ("vec(X^T) vec(A)^T", "X", None, {}, lambda X, A: vec(X.T) * vec(A).T),
    ("a^T inv(X) b", "X", None, {}, lambda a, X, b: a.T * X.inv() * b),
    ("X^2", "X", None, {}, lambda X: X * X),
    ("det(X) inv(X)", "X", None, {}, lambda X: X.det() * X.inv()),
    ("exp(a^T X b) X", "X", None, {}, lambda a, X, b: sp.exp((a.T * X * b)[0, 0]) * X),
    ("sqrt(tr(X^T X))", "X", None, {}, lambda X: sp.sqrt(tr(X.T * X))),
    ("tr(X)^(3/2)", "X", None, {}, lambda X: tr(X) ** R(3, 2)),
    ("t X", "t", {"t": (1, 1)}, {}, lambda t, X: t * X),
    ("log(t) tr(A X)", "X", {"t": (1, 1)}, {}, lambda t, A, X: sp.log(t) * tr(A * X)),
    ("x^T A x", "x", None, {}, lambda x, A: x.T * A * x),
    ("inv(t) X^-2", "X", {"t": (1, 1)}, {}, lambda t, X: (X.inv() * X.inv()) / t),
    ("<A, X^-1>", "X", None, {}, lambda A, X: tr(A.T * X.inv())),
]


def exact_jacobian(F, wrt: str, values: dict):
    """∂vec F/∂(vec X)ᵀ by sympy.diff entry by entry, at the given values."""
    X0 = values[wrt]
    if isinstance(X0, sp.MatrixBase):
        entries = sp.Matrix(X0.rows, X0.cols, lambda i, j: sp.Symbol(f"x_{i}_{j}"))
        unknowns, at = list(vec(entries)), list(vec(X0))
    else:
        entries = sp.Symbol("x_0_0")
        unknowns, at = [entries], [X0]
    args = F.__code__.co_varnames[:F.__code__.co_argcount]
    value = F(**{name: entries if name == wrt else values[name] for name in args})
    flat = list(vec(value)) if isinstance(value, sp.MatrixBase) else [value]
    jac = sp.Matrix(len(flat), len(unknowns), lambda i, j: sp.diff(flat[i], unknowns[j]))
    return jac.subs(dict(zip(unknowns, at)))


def substitutions(d, values: dict, sizes: dict) -> dict:
    symbols = d.sympy_symbols()
    out = {symbols[name]: size for name, size in {"n": 2, **sizes}.items() if name in symbols}
    out.update((symbols[name], values[name]) for name in d.names)
    return out


@pytest.mark.parametrize("text, wrt, shapes, sizes, F", CASES, ids=[c[0] + " / " + c[1]
                                                                   for c in CASES])
def test_to_sympy_equals_the_exact_jacobian(text, wrt, shapes, sizes, F):
    values = {**VALUES, **(TALL if sizes else {})}
    d = derive(text, wrt, shapes)
    answer = explicit(d.to_sympy().subs(substitutions(d, values, sizes)))
    if not isinstance(answer, sp.MatrixBase):
        answer = sp.Matrix([[answer]])
    expected = exact_jacobian(F, wrt, values)
    assert answer.shape == expected.shape
    assert sp.Matrix(answer) == sp.Matrix(expected), d.unicode


@pytest.mark.parametrize("text, shapes", [("logdet(X^T X)", {"X": ("m", "n")}),
                                          ("det(X) inv(X)", None), ("tr(X^T A X)", None)])
def test_gradient_layout_is_the_jacobian_reshaped(text, shapes):
    d = derive(text, "X", shapes)
    if not d.expr.is_scalar:
        with pytest.raises(Exception, match="gradient layout needs a scalar"):
            d.to_sympy("gradient")
        return
    subs = substitutions(d, {**VALUES, **TALL} if shapes else VALUES, {"m": 3} if shapes else {})
    G = explicit(d.to_sympy("gradient").subs(subs))
    J = explicit(d.to_sympy().subs(subs))
    assert sp.Matrix(vec(G).T) == sp.Matrix(J)


def test_the_article_answers_in_sympy_terms():
    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    assert derive("inv(A)", "A").to_sympy() == -sp.KroneckerProduct(sp.Inverse(A.T),
                                                                     sp.Inverse(A))
    assert derive("det(A)", "A").to_sympy() == sp.Determinant(A) * Vec(sp.Inverse(A.T)).T
    assert derive("logdet(A)", "A").to_sympy() == Vec(sp.Inverse(A).T).T
    assert derive("tr(A^T B)", "B").to_sympy() == Vec(A).T


def test_a_scalar_product_of_vectors_is_a_scalar():
    n = sp.Symbol("n", integer=True, positive=True)
    a, X, b = sp.MatrixSymbol("a", n, 1), sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("b", n, 1)
    f = to_sympy(derive("exp(a^T X b)", "X").expr)
    assert f == sp.exp(sp.Trace(a.T * X * b))
    assert not f.is_Matrix


def test_vec_stacks_columns():
    F = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    assert Vec(F).doit() == sp.Matrix([1, 4, 2, 5, 3, 6])
    m, n = sp.symbols("m n", integer=True, positive=True)
    Y = sp.MatrixSymbol("Y", m, n)
    assert Vec(Y).shape == (m * n, 1)
    assert Vec(Y).subs(Y, sp.ImmutableMatrix(F)).doit() == sp.Matrix([1, 4, 2, 5, 3, 6])
    assert sp.latex(Vec(Y)) == r"\operatorname{vec}\left(Y\right)"
    with pytest.raises(TypeError):
        Vec(sp.Symbol("s"))
    with pytest.raises(sp.SympifyError):
        Vec("Y")                                    # text is never parsed
    with pytest.raises(sp.SympifyError):
        CommutationMatrix("m", 2)


@pytest.mark.parametrize("m, n", [(2, 3), (3, 2), (2, 2), (1, 3)])
def test_commutation_matrix_transposes_vec(m, n):
    F = sp.Matrix(m, n, lambda i, j: sp.Symbol(f"f{i}{j}"))
    K = CommutationMatrix(m, n)
    assert K.shape == (m * n, m * n)
    assert K.doit() * vec(F) == vec(F.T)
    assert K.as_explicit() == K.doit()


def test_commutation_matrix_matches_numpy():
    from matcalc.checking.numeric import commutation_matrix
    assert CommutationMatrix(2, 3).doit() == sp.Matrix(commutation_matrix(2, 3).astype(int))
    m, n = sp.symbols("m n", integer=True, positive=True)
    assert CommutationMatrix(m, n).doit() == CommutationMatrix(m, n)
    assert sp.latex(CommutationMatrix(m, n)) == "K_{mn}"


SCALAR = {"t": (1, 1)}
EDGES = [("t", "t", SCALAR), ("A", "B", None), ("tr(A)", "B", None), ("X/2", "X", None),
         ("exp(t)", "t", SCALAR), ("t^(-1/2)", "t", SCALAR), ("kron(t, X)", "X", SCALAR),
         ("x^T x", "x", None), ("inv(t) X^-2", "X", SCALAR),
         ("sum(tanh(tanh(C)) * X)", "X", {"C": ("m", "n")})]  # sympy composes the two maps


@pytest.mark.parametrize("text, wrt, shapes", [(c[0], c[1], c[2]) for c in CASES] + EDGES)
def test_sympy_code_builds_the_same_object(text, wrt, shapes):
    d = derive(text, wrt, shapes)
    for layout in ("jacobian", "gradient") if d.gradient is not None else ("jacobian",):
        code = d.render("sympy", layout)
        *setup, last = code.splitlines()
        scope: dict = {}
        exec("\n".join(setup), scope)           # matcalc's own generated code, not user input
        built, expected = eval(last, scope), d.to_sympy(layout)
        assert built == expected or built.dummy_eq(expected), code  # a composed map's dummy


def test_sympy_code_avoids_names_python_reserves():
    d = derive("if^T X n", "X", {"if": "n", "n": "n"})
    code = sympy_code(d.jacobian, d.names)
    assert 'if_ = sp.MatrixSymbol("if", n, 1)' in code
    assert 'n_ = sp.MatrixSymbol("n", n, 1)' in code
    *setup, last = code.splitlines()
    scope: dict = {}
    exec("\n".join(setup), scope)
    assert eval(last, scope) == d.to_sympy()


def _run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "matcalc", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_format_sympy_on_the_command_line():
    result = _run("derive", "d logdet(X^T X) / dX", "--shape", "X=m,n", "--format", "sympy")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "import sympy as sp\n"
        "from matcalc.render.sympy_export import Vec\n"
        'm, n = sp.symbols("m n", integer=True, positive=True)\n'
        'X = sp.MatrixSymbol("X", m, n)\n'
        "2*Vec(X*sp.Inverse(X.T*X)).T\n")


def test_other_formats_do_not_import_sympy():
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from matcalc import derive\n"
        "from matcalc.cli import main\n"
        "d = derive('X^T X', 'X', {'X': ('m', 'n')})\n"
        "d.unicode, d.latex, d.numpy, d.render('ascii'), repr(d), d._repr_latex_()\n"
        "import numpy as np\n"
        "d.to_numpy()(X=np.ones((3, 2)))\n"
        "for fmt in ('unicode', 'latex', 'ascii', 'numpy'):\n"
        "    assert CliRunner().invoke(main, ['derive', 'inv(A)', 'A', '--format', fmt]).exit_code == 0\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
        "d.to_sympy()\n"
        "assert 'sympy' in sys.modules\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("text, wrt, shapes, sizes, F", [
    ("logdet(X)", "X", None, {}, lambda X: sp.log(X.det())),
    ("x^T A x", "x", None, {}, lambda x, A: (x.T * A * x)[0, 0]),
    ("logdet(X^T X)", "X", {"X": ("m", "n")}, {"m": 3}, lambda X: sp.log((X.T * X).det())),
], ids=["logdet(X)", "xᵀAx", "logdet(XᵀX)"])
def test_the_hessian_equals_sympys_second_derivatives(text, wrt, shapes, sizes, F):
    values = {**VALUES, **(TALL if sizes else {})}
    d = derive(text, wrt, shapes, order=2)
    answer = sp.Matrix(explicit(d.to_sympy().subs(substitutions(d, values, sizes))))
    X0 = values[wrt]
    point = sp.Matrix(X0.rows, X0.cols, lambda i, j: sp.Symbol(f"y_{i}_{j}"))
    row = exact_jacobian(F, wrt, {**values, wrt: point})   # ∂f/∂vecᵀX at a symbolic point
    unknowns = list(vec(point))
    hessian = sp.Matrix(len(unknowns), len(unknowns), lambda i, j: sp.diff(row[i], unknowns[j]))
    assert answer == hessian.subs(dict(zip(unknowns, vec(X0))))


# ── element-wise operations, diagonals, sums, norms and Dₙ ─────────────────────────────

def each(F, f):
    return F.applyfunc(f)


def total(F):
    return sum(F)


def diagonal(F):
    return sp.Matrix([F[i, i] for i in range(F.rows)])


ELEMENTWISE_VALUES = {**VALUES, "Y": M([1, -2], ["1/3", "1/2"])}

# question, variable, F written with explicit sympy matrices. Answers are compared exactly, as
# they stand (exp, log, sqrt, cosh, sinh included: sympy's diff gives the same closed forms at
# rational points), except those in REWRITTEN, where the forms differ and both are rewritten
# in exp and simplified before the exact comparison: tanh' is 1 − tanh² to sympy and cosh⁻² to
# matcalc, and the sin/cos sum is collected differently.
ELEMENTWISE = [
    ("sum(exp(X))", "X", lambda X: total(each(X, sp.exp))),
    ("X .* Y", "X", lambda X, Y: X.multiply_elementwise(Y)),
    ("diag(x)", "x", lambda x: sp.diag(*x)),
    ("diag(X)", "X", lambda X: diagonal(X)),
    ("norm(x)", "x", lambda x: sp.sqrt(total(each(x, lambda v: v ** 2)))),
    ("norm(X)", "X", lambda X: sp.sqrt(total(each(X, lambda v: v ** 2)))),
    ("X.^2", "X", lambda X: each(X, lambda v: v ** 2)),
    ("X.^(-1/2)", "X", lambda X: each(X, lambda v: v ** R(-1, 2))),
    ("tanh(X)", "X", lambda X: each(X, sp.tanh)),
    ("sum(X)", "X", lambda X: total(X)),
    ("log(X) .* X", "X", lambda X: each(X, sp.log).multiply_elementwise(X)),
    ("a^T exp(X) b", "X", lambda a, X, b: a.T * each(X, sp.exp) * b),
    ("sin(x)^T A cos(x)", "x", lambda x, A: each(x, sp.sin).T * A * each(x, sp.cos)),
    ("sqrt(X) A", "X", lambda X, A: each(X, sp.sqrt) * A),
    ("tr(diag(x) A)", "x", lambda x, A: tr(sp.diag(*x) * A)),
    ("diag(diag(X)) Y", "X", lambda X, Y: sp.diag(*diagonal(X)) * Y),
    ("sum(X .* X) + norm(X Y)", "X",
     lambda X, Y: total(X.multiply_elementwise(X)) + sp.sqrt(total(each(X * Y, lambda v: v**2)))),
    ("diag(X)^T diag(X)", "X", lambda X: diagonal(X).T * diagonal(X)),
    ("norm(diag(X))", "X", lambda X: sp.sqrt(total(each(diagonal(X), lambda v: v ** 2)))),
    ("cosh(x) .* sinh(x)", "x", lambda x: each(x, sp.cosh).multiply_elementwise(each(x, sp.sinh))),
]
REWRITTEN = {"tanh(X)", "sin(x)^T A cos(x)"}


def _same(answer, expected) -> bool:
    if answer == expected:
        return True
    difference = (answer - expected).applyfunc(lambda v: sp.simplify(v.rewrite(sp.exp)))
    return difference.is_zero_matrix


@pytest.mark.parametrize("text, wrt, F", ELEMENTWISE, ids=[c[0] + " / " + c[1]
                                                           for c in ELEMENTWISE])
def test_elementwise_answers_equal_the_exact_jacobian(text, wrt, F):
    d = derive(text, wrt)
    answer = explicit(d.to_sympy().subs(substitutions(d, ELEMENTWISE_VALUES, {})))
    if not isinstance(answer, sp.MatrixBase):
        answer = sp.Matrix([[answer]])
    expected = exact_jacobian(F, wrt, ELEMENTWISE_VALUES)
    assert answer.shape == expected.shape
    if text in REWRITTEN:
        assert _same(sp.Matrix(answer), sp.Matrix(expected)), d.unicode
    else:
        assert sp.Matrix(answer) == sp.Matrix(expected), d.unicode


def test_tanh_is_compared_after_simplifying_and_a_wrong_answer_fails():
    X = sp.Matrix([[3, 1], ["1/2", 2]])
    assert _same(each(X, lambda v: sp.cosh(v) ** -2), each(X, lambda v: 1 - sp.tanh(v) ** 2))
    assert not _same(each(X, lambda v: sp.cosh(v) ** -2), each(X, lambda v: 1 + sp.tanh(v) ** 2))


SYMMETRIC = M([3, "1/2"], ["1/2", 2])


def vech_jacobian(F, X0):
    """∂vec F/∂vechᵀX: F of a symmetric matrix made from its lower triangle's unknowns."""
    n = X0.rows
    unknowns = {(i, j): sp.Symbol(f"s_{i}_{j}") for j in range(n) for i in range(j, n)}
    S = sp.Matrix(n, n, lambda i, j: unknowns[max(i, j), min(i, j)])
    value = F(S)
    flat = list(vec(value)) if isinstance(value, sp.MatrixBase) else [value]
    order = list(unknowns.values())                 # vech: lower triangle, column by column
    jac = sp.Matrix(len(flat), len(order), lambda i, j: sp.diff(flat[i], order[j]))
    return jac.subs({unknowns[i, j]: X0[i, j] for i, j in unknowns})


@pytest.mark.parametrize("text, F", [("logdet(X)", lambda X: sp.log(X.det())),
                                     ("inv(X)", lambda X: X.inv()),
                                     ("sum(exp(X))", lambda X: total(each(X, sp.exp)))])
def test_symmetric_answers_with_the_duplication_matrix(text, F):
    d = derive(text, "X", symmetric="X")
    J = d.to_sympy()
    assert J.has(DuplicationMatrix)
    symbols = d.sympy_symbols()
    answer = explicit(J.subs({symbols["n"]: 2, symbols["X"]: SYMMETRIC}))
    assert sp.Matrix(answer) == vech_jacobian(F, SYMMETRIC), d.unicode


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_duplication_matrix_makes_vec_from_vech(n):
    S = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"s{max(i, j)}{min(i, j)}"))
    vech = sp.Matrix([S[i, j] for j in range(n) for i in range(j, n)])
    D = DuplicationMatrix(n)
    assert D.shape == (n * n, n * (n + 1) // 2)
    assert D.doit() * vech == vec(S)
    assert D.as_explicit() == D.doit()


def test_duplication_matrix_matches_numpy_and_stays_symbolic():
    from matcalc.checking.numeric import duplication_matrix
    assert DuplicationMatrix(3).doit() == sp.Matrix(duplication_matrix(3).astype(int))
    n = sp.Symbol("n", integer=True, positive=True)
    assert DuplicationMatrix(n).doit() == DuplicationMatrix(n)
    assert DuplicationMatrix(n).shape == (n ** 2, n * (n + 1) / 2)
    assert sp.latex(DuplicationMatrix(n)) == "D_{n}"
    with pytest.raises(sp.SympifyError):
        DuplicationMatrix("n")                      # text is never parsed


def test_elementwise_builds_are_equal_and_the_new_nodes_are_sympys_own():
    n = sp.Symbol("n", integer=True, positive=True)
    X, x = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("x", n, 1)
    assert to_sympy(derive("exp(X)", "X").expr) == elementwise(sp.exp, X)
    assert isinstance(elementwise(sp.exp, X), ElementwiseApplyFunction)
    assert to_sympy(derive("X .* X^T", "X").expr) == sp.HadamardProduct(X, X.T)
    assert to_sympy(derive("X.^3", "X").expr) == sp.HadamardPower(X, 3)
    assert to_sympy(derive("diag(x)", "x").expr) == sp.DiagMatrix(x)
    assert to_sympy(derive("diag(X)", "X").expr) == Diagonal(X)
    assert isinstance(Diagonal(X), sp.DiagonalOf) and Diagonal(X).shape == (n, 1)
    assert to_sympy(derive("sum(X)", "X").expr) == sp.Trace(sp.OneMatrix(1, n) * X *
                                                            sp.OneMatrix(n, 1))
    assert to_sympy(derive("sum(x)", "x").expr) == sp.Trace(sp.OneMatrix(1, n) * x)
    assert to_sympy(derive("norm(X)", "X").expr) == sp.sqrt(sp.Trace(X.T * X))
    assert to_sympy(derive("sum(X)", "X").gradient) == sp.OneMatrix(n, n)


SYMMETRIC_CODE = [("logdet(X)", "X"), ("inv(X)", "X"), ("sum(exp(X))", "X"), ("tr(A X)", "X")]


@pytest.mark.parametrize("text, wrt", [(c[0], c[1]) for c in ELEMENTWISE] + SYMMETRIC_CODE +
                         [("sum(tanh(tanh(X)))", "X"), ("exp(tanh(2*a))", "a")])
def test_sympy_code_builds_the_same_elementwise_object(text, wrt):
    """… and a function of a function, which sympy merges into one, is written as two."""
    for d in (derive(text, wrt),) + ((derive(text, wrt, symmetric="X"),) if wrt == "X" else ()):
        for layout in ("jacobian", "gradient") if d.gradient is not None else ("jacobian",):
            code = d.render("sympy", layout)
            *setup, last = code.splitlines()
            scope: dict = {}
            exec("\n".join(setup), scope)       # matcalc's own generated code, not user input
            built, expected = eval(last, scope), d.to_sympy(layout)
        assert built == expected or built.dummy_eq(expected), code  # a composed map's dummy


def test_sympy_code_keeps_names_apart_from_the_additions():
    d = derive("diag(Diagonal) .* exp(elementwise)", "elementwise")
    code = sympy_code(d.jacobian, d.names)
    assert 'Diagonal_ = sp.MatrixSymbol("Diagonal", n, n)' in code
    assert "Diagonal(Diagonal_)" in code and "elementwise(sp.exp, elementwise_)" in code
    *setup, last = code.splitlines()
    scope: dict = {}
    exec("\n".join(setup), scope)
    assert eval(last, scope) == d.to_sympy()


def test_format_sympy_for_an_elementwise_answer_on_the_command_line():
    result = _run("derive", "sum(exp(X))", "X", "--format", "sympy")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "import sympy as sp\n"
        "from matcalc.render.sympy_export import Vec, elementwise\n"
        'n = sp.Symbol("n", integer=True, positive=True)\n'
        'X = sp.MatrixSymbol("X", n, n)\n'
        "Vec(elementwise(sp.exp, X)).T\n")


# ── a power with a symbolic exponent: a^b, X.^t ─────────────────────────────────────────

POWER_VALUES = {"a": R(3, 2), "b": R(1, 3), "t": R(2, 3), "X": M([1, 2], ["1/2", 3])}


@pytest.mark.parametrize("text, wrt, F", [
    ("a^b", "a", lambda a, b: a ** b),
    ("a^b", "b", lambda a, b: a ** b),
    ("a^b a^t", "a", lambda a, b, t: a ** b * a ** t),
    ("sum(X.^t)", "X", lambda X, t: total(each(X, lambda v: v ** t))),
    ("X.^t", "X", lambda X, t: each(X, lambda v: v ** t)),
    ("X.^t", "t", lambda X, t: each(X, lambda v: v ** t)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_symbolic_powers_equal_the_exact_jacobian(text, wrt, F):
    """b a^(b−1) and X.^(t−1), exported as sympy's own powers, against sympy.diff."""
    d = derive(text, wrt)
    answer = explicit(d.to_sympy().subs(substitutions(d, POWER_VALUES, {})))
    answer = answer if isinstance(answer, sp.MatrixBase) else sp.Matrix([[answer]])
    expected = exact_jacobian(F, wrt, POWER_VALUES)
    assert _same(sp.Matrix(answer), sp.Matrix(expected)), d.unicode
