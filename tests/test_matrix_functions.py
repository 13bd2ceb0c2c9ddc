"""Matrix functions (expm, logm, sqrtm), chol, eig, svd, max, min, adj and pinv.

Every Jacobian, and compositions of each (traces, log-determinants, norms, quadratic forms),
is compared with central differences of a reference written here with NumPy and scipy alone,
at points that meet each function's conditions: symmetric, positive definite, distinct
eigenvalues, full rank. chol(S) and eig(S) read S's symmetric part, so they are differentiated
in every direction; with --symmetric the Jacobian by vech S is checked along symmetric ones.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl
from click.testing import CliRunner

from finite_differences import eval_numpy_code, fd_jacobian, relative_error, vec
from matcalc import derive
from matcalc.cli import main
from matcalc.errors import MatcalcError
from matcalc.checking.numeric import duplication_matrix

N = 3


def general(rng, n=N):
    """Nonsymmetric, well conditioned, eigenvalues near 1 (distinct, with positive real part)."""
    return np.eye(n) + 0.4 * rng.standard_normal((n, n)) / np.sqrt(n)


def spd(rng, n=N):
    G = rng.standard_normal((n, n))
    return G @ G.T / n + 0.5 * np.eye(n)


def tall(rng):
    return rng.standard_normal((4, 2))


def wide(rng):
    return rng.standard_normal((2, 4))


def column(rng, n=N):
    return rng.standard_normal((n, 1))


def sym(S):
    return (S + S.T) / 2


def log_pd(rng):
    """Eigenvalues above 1, so that log X is positive definite too."""
    return spd(rng) + 1.5 * np.eye(N)


# question, wrt, shapes, the points, and the reference f(env) written independently of matcalc
CASES = [
    # the matrix exponential
    ("expm(X)", "X", None, {"X": general}, lambda e: sl.expm(e["X"])),
    ("tr(expm(X))", "X", None, {"X": general}, lambda e: np.trace(sl.expm(e["X"]))),
    ("logdet(expm(X))", "X", None, {"X": general}, lambda e: np.log(np.linalg.det(sl.expm(e["X"])))),
    ("a' expm(X) b", "X", None, {"X": general, "a": column, "b": column},
     lambda e: e["a"].T @ sl.expm(e["X"]) @ e["b"]),
    ("norm(expm(X))", "X", None, {"X": general}, lambda e: np.linalg.norm(sl.expm(e["X"]))),
    ("tr(A expm(X))", "X", None, {"X": general, "A": general},
     lambda e: np.trace(e["A"] @ sl.expm(e["X"]))),
    ("expm(A X)", "X", None, {"X": general, "A": general}, lambda e: sl.expm(e["A"] @ e["X"])),
    # the principal logarithm
    ("logm(X)", "X", None, {"X": spd}, lambda e: sl.logm(e["X"]).real),
    ("logm(X)", "X", None, {"X": general}, lambda e: sl.logm(e["X"]).real),
    ("tr(logm(X))", "X", None, {"X": general}, lambda e: np.trace(sl.logm(e["X"]).real)),
    ("logdet(logm(X))", "X", None, {"X": log_pd},
     lambda e: np.log(np.linalg.det(sl.logm(e["X"]).real))),
    ("a' logm(X) b", "X", None, {"X": spd, "a": column, "b": column},
     lambda e: e["a"].T @ sl.logm(e["X"]).real @ e["b"]),
    ("norm(logm(X))", "X", None, {"X": log_pd}, lambda e: np.linalg.norm(sl.logm(e["X"]).real)),
    # the principal square root
    ("sqrtm(X)", "X", None, {"X": spd}, lambda e: sl.sqrtm(e["X"]).real),
    ("sqrtm(X)", "X", None, {"X": general}, lambda e: sl.sqrtm(e["X"]).real),
    ("tr(sqrtm(X))", "X", None, {"X": spd}, lambda e: np.trace(sl.sqrtm(e["X"]).real)),
    ("logdet(sqrtm(X))", "X", None, {"X": spd},
     lambda e: np.log(np.linalg.det(sl.sqrtm(e["X"]).real))),
    ("a' sqrtm(X) b", "X", None, {"X": general, "a": column, "b": column},
     lambda e: e["a"].T @ sl.sqrtm(e["X"]).real @ e["b"]),
    # the Cholesky factor
    ("chol(S)", "S", None, {"S": spd}, lambda e: np.linalg.cholesky(sym(e["S"]))),
    ("logdet(chol(S))", "S", None, {"S": spd},
     lambda e: np.log(np.linalg.det(np.linalg.cholesky(sym(e["S"]))))),
    ("tr(chol(S))", "S", None, {"S": spd}, lambda e: np.trace(np.linalg.cholesky(sym(e["S"])))),
    ("a' chol(S) b", "S", None, {"S": spd, "a": column, "b": column},
     lambda e: e["a"].T @ np.linalg.cholesky(sym(e["S"])) @ e["b"]),
    ("norm(chol(S))", "S", None, {"S": spd},
     lambda e: np.linalg.norm(np.linalg.cholesky(sym(e["S"])))),
    # eigenvalues of a symmetric matrix, ascending
    ("eig(S)", "S", None, {"S": spd}, lambda e: np.linalg.eigvalsh(sym(e["S"]))),
    ("max(eig(S))", "S", None, {"S": spd}, lambda e: np.linalg.eigvalsh(sym(e["S"]))[-1]),
    ("min(eig(S))", "S", None, {"S": spd}, lambda e: np.linalg.eigvalsh(sym(e["S"]))[0]),
    ("a' eig(S)", "S", None, {"S": spd, "a": column},
     lambda e: e["a"].T @ np.linalg.eigvalsh(sym(e["S"]))),
    ("norm(eig(S))", "S", None, {"S": spd}, lambda e: np.linalg.norm(np.linalg.eigvalsh(sym(e["S"])))),
    ("max(eig(A' S A))", "S", None, {"S": spd, "A": general},
     lambda e: np.linalg.eigvalsh(sym(e["A"].T @ e["S"] @ e["A"]))[-1]),
    # singular values, descending
    ("svd(X)", "X", {"X": ("m", "n")}, {"X": tall}, lambda e: np.linalg.svd(e["X"], compute_uv=False)),
    ("svd(X)", "X", {"X": ("m", "n")}, {"X": wide}, lambda e: np.linalg.svd(e["X"], compute_uv=False)),
    ("sum(svd(X))", "X", None, {"X": general}, lambda e: np.linalg.norm(e["X"], "nuc")),
    ("sum(svd(X))", "X", {"X": ("m", "n")}, {"X": tall}, lambda e: np.linalg.norm(e["X"], "nuc")),
    ("max(svd(X))", "X", {"X": ("m", "n")}, {"X": wide}, lambda e: np.linalg.norm(e["X"], 2)),
    ("min(svd(X))", "X", None, {"X": general}, lambda e: np.linalg.norm(e["X"], -2)),
    ("norm(svd(X))", "X", None, {"X": general}, lambda e: np.linalg.norm(e["X"])),
    ("max(svd(A X))", "X", None, {"X": general, "A": general},
     lambda e: np.linalg.norm(e["A"] @ e["X"], 2)),
    # the largest or smallest element of a vector
    ("max(x)", "x", None, {"x": column}, lambda e: np.max(e["x"])),
    ("min(A x)", "x", None, {"x": column, "A": general}, lambda e: np.min(e["A"] @ e["x"])),
    ("max(exp(x)) + min(x)", "x", None, {"x": column},
     lambda e: np.max(np.exp(e["x"])) + np.min(e["x"])),
    # the adjugate
    ("adj(X)", "X", None, {"X": general}, lambda e: np.linalg.det(e["X"]) * np.linalg.inv(e["X"])),
    ("tr(adj(X))", "X", None, {"X": general},
     lambda e: np.trace(np.linalg.det(e["X"]) * np.linalg.inv(e["X"]))),
    ("a' adj(X) b", "X", None, {"X": general, "a": column, "b": column},
     lambda e: e["a"].T @ (np.linalg.det(e["X"]) * np.linalg.inv(e["X"])) @ e["b"]),
    ("logdet(adj(X))", "X", None, {"X": spd},
     lambda e: np.log(np.linalg.det(np.linalg.det(e["X"]) * np.linalg.inv(e["X"])))),
    # the pseudo-inverse, full column rank and full row rank
    ("pinv(X)", "X", {"X": ("m", "n")}, {"X": tall}, lambda e: np.linalg.pinv(e["X"])),
    ("pinv(X)", "X", {"X": ("m", "n")}, {"X": wide}, lambda e: np.linalg.pinv(e["X"])),
    ("norm(pinv(X))", "X", {"X": ("m", "n")}, {"X": tall}, lambda e: np.linalg.norm(np.linalg.pinv(e["X"]))),
    ("tr(A pinv(X))", "X", {"X": ("m", "n"), "A": ("m", "n")}, {"X": wide, "A": wide},
     lambda e: np.trace(e["A"] @ np.linalg.pinv(e["X"]))),
    ("logdet(pinv(X) pinv(X)')", "X", {"X": ("m", "n")}, {"X": tall},
     lambda e: np.log(np.linalg.det(np.linalg.pinv(e["X"]) @ np.linalg.pinv(e["X"]).T))),
]


def _point(makers, seed):
    rng = np.random.default_rng(seed)
    return {name: make(rng) for name, make in makers.items()}


@pytest.mark.parametrize("text, wrt, shapes, makers, f", CASES,
                         ids=[f"{c[0]}-{'-'.join(k.__name__ for k in c[3].values())}" for c in CASES])
def test_jacobian_and_numpy_code_agree_with_central_differences(text, wrt, shapes, makers, f):
    d = derive(text, wrt, shapes)
    for seed in (1, 2):
        env = _point(makers, seed)
        expected = fd_jacobian(f, env, wrt, h=1e-6)
        assert relative_error(d.to_numpy()(**env), expected) < 1e-6, d.unicode
        assert relative_error(eval_numpy_code(d.numpy, env), expected) < 1e-6, d.numpy
        if d.expr.is_scalar:
            G = d.to_numpy(layout="gradient")(**env)
            assert relative_error(vec(G), expected.ravel()) < 1e-6


SYMMETRIC = [("chol(S)", lambda S: np.linalg.cholesky(S)),
             ("eig(S)", lambda S: np.linalg.eigvalsh(S)),
             ("logdet(chol(S))", lambda S: np.log(np.linalg.det(np.linalg.cholesky(S)))),
             ("max(eig(S))", lambda S: np.linalg.eigvalsh(S)[-1]),
             ("tr(logm(S))", lambda S: np.trace(sl.logm(S).real))]


@pytest.mark.parametrize("text, f", SYMMETRIC, ids=[t for t, _ in SYMMETRIC])
def test_by_vech_for_a_symmetric_matrix(text, f):
    """J·Dₙ against differences in the free elements vech S, moving S and Sᵀ together."""
    d = derive(text, "S", symmetric="S")
    S = spd(np.random.default_rng(3))
    D = duplication_matrix(N)
    columns = []
    for k in range(D.shape[1]):
        E = D[:, k].reshape(N, N, order="F") * 1e-6
        columns.append((vec(f(S + E)) - vec(f(S - E))) / 2e-6)
    assert relative_error(d.to_numpy()(S=S), np.column_stack(columns)) < 1e-6


TEXTBOOK = [
    ("tr(expm(X))", "X", "(e^X)ᵀ"),
    ("tr(logm(X))", "X", "X⁻ᵀ"),
    ("tr(sqrtm(X))", "X", "(X^½)⁻ᵀ/2"),
    ("logdet(expm(X))", "X", "I"),
    ("logdet(sqrtm(X))", "X", "X⁻ᵀ/2"),
    ("logdet(chol(S))", "S", "S⁻¹/2"),
    ("max(eig(S))", "S", "vvᵀ, where v is the unit eigenvector of S's largest eigenvalue"),
    ("min(eig(S))", "S", "vvᵀ, where v is the unit eigenvector of S's smallest eigenvalue"),
    ("sum(svd(X))", "X", "UVᵀ, where X = UΣVᵀ (thin), σ₁ ≥ σ₂ ≥ ⋯"),
    ("max(svd(X))", "X",
     "u₁v₁ᵀ, where u₁, v₁ are the singular vectors of X's largest singular value"),
]


@pytest.mark.parametrize("text, wrt, gradient", TEXTBOOK, ids=[t for t, _, _ in TEXTBOOK])
def test_textbook_gradients(text, wrt, gradient):
    d = derive(text, wrt)
    assert d.render("unicode", "gradient") == gradient
    assert d.unicode.startswith("vecᵀ(")


def test_jacobians_print_with_their_decompositions_named():
    assert derive("expm(X)", "X").unicode == (
        "(V⁻ᵀ ⊗ V) diag(vec(F)) (Vᵀ ⊗ V⁻¹), where X = VΛV⁻¹; "
        "Fᵢⱼ = (e^λᵢ − e^λⱼ)/(λᵢ − λⱼ), or e^λᵢ when λᵢ = λⱼ, λ = diag(Λ)")
    assert derive("sqrtm(X)", "X").unicode == "(I ⊗ X^½ + (X^½)ᵀ ⊗ I)⁻¹"
    assert derive("chol(S)", "S").unicode.startswith("(Iₙ ⊗ L) diag(vec(Φ)) (L⁻¹ ⊗ L⁻¹)")
    assert "where X = V Lambda V^-1" in derive("logm(X)", "X").render("ascii")
    latex = derive("tr(A expm(X))", "X").latex
    assert r"\text{where } X = V \Lambda V^{-1}" in latex and r"\circ F" in latex
    two = derive("max(eig(S)) + sum(svd(S))", "S").render("unicode", "gradient")
    assert "V₂" not in two or "S = U" in two  # one letter, one meaning


def test_conditions_on_stderr_in_the_library_and_in_documents():
    runner = CliRunner()
    result = runner.invoke(main, ["derive", "logdet(chol(S))", "S"])
    assert result.exit_code == 0
    assert "note: the answer holds where S is symmetric positive definite" in result.stderr
    assert derive("eig(S)", "S").conditions == ["S is symmetric with distinct eigenvalues"]
    assert derive("pinv(X)", "X").conditions == ["X has full column rank or full row rank"]
    assert "X is diagonalisable (X = VΛV⁻¹)" in derive("tr(A expm(X))", "X").conditions
    assert derive("tr(expm(X))", "X").conditions == []
    document = derive("tr(A logm(X))", "X").document()
    assert "The answer holds where $X$ has no eigenvalue on the closed negative real axis" in document
    assert r"In the answer, $X = V \Lambda V^{-1}$" in document


def test_the_new_rows_of_verify_pass_at_size_4():
    from matcalc.checking.verify import plan_table, run_checks
    new = {"matrix function rule", "spectral rule", "extremum rule", "Cholesky rule",
           "adjugate rule", "pseudo-inverse rule", "frechet row", "frechet column",
           "cholesky product", "symmetrizer duplication", "orthonormal columns"}
    checks, sizes = plan_table(4)
    checks = [c for c in checks if c.name in new]
    assert {c.name for c in checks} == new
    outcomes = list(run_checks(checks, sizes))
    assert all(o.passed and o.cases for o in outcomes), [o for o in outcomes if not o.passed]


def test_verify_expression_draws_points_that_meet_the_conditions():
    from matcalc.checking.verify import verify_expression
    for text, wrt in [("chol(S)", "S"), ("logm(X)", "X"), ("max(eig(S))", "S"), ("pinv(X)", "X")]:
        assert verify_expression(text, wrt, size=5).passed


def test_second_derivatives_through_a_decomposition_are_refused_clearly():
    assert derive("tr(expm(X))", "X", order=2).jacobian is not None  # (e^X)ᵀ is differentiable
    with pytest.raises(MatcalcError, match="no rule for the derivative"):
        derive("max(eig(S))", "S", order=2)


def test_bad_arguments_are_shape_errors():
    for text, shapes in (("max(X)", None), ("expm(x)", {"x": "n"}), ("chol(X)", {"X": ("m", "n")})):
        with pytest.raises(MatcalcError):  # expm(x) of an x of no given length reads x as a scalar
            derive(text, None, shapes)


def test_the_quick_path_states_the_conditions_too():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "matcalc", "derive", "max(eig(S))", "S",
                           "--layout", "gradient"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout == "vvᵀ, where v is the unit eigenvector of S's largest eigenvalue\n"
    assert done.stderr == "note: the answer holds where S is symmetric with distinct eigenvalues\n"


def test_sympy_has_the_square_root_and_the_adjugate_and_says_what_it_lacks():
    import sympy as sp
    assert isinstance(derive("sqrtm(X)", "X").to_sympy(), sp.Inverse)
    X = derive("adj(X)", "X").to_sympy()
    assert X.has(sp.Determinant)
    with pytest.raises(MatcalcError, match="sympy has no object"):
        derive("expm(X)", "X").to_sympy()


def test_exact_checks_refuse_irrational_functions_clearly():
    from matcalc.checking.verify import verify_expression
    with pytest.raises(MatcalcError, match="no exact value at rational points"):
        verify_expression("tr(expm(X))", "X", size=2, method="exact")
    assert verify_expression("adj(X)", "X", size=2, method="exact").passed
    assert verify_expression("pinv(X)", "X", {"X": ("m", "n")}, size=2, method="exact").passed


def test_check_draws_points_that_meet_the_conditions():
    runner = CliRunner()
    for question, wrt, claim in [("logdet(chol(S))", "S", "inv(S)/2"), ("sum(eig(S))", "S", "I"),
                                 ("tr(sqrtm(X))", "X", "inv(sqrtm(X))'/2")]:
        result = runner.invoke(main, ["check", question, wrt, "--claim", claim])
        assert result.exit_code == 0 and result.stdout.startswith("agree"), result.output
