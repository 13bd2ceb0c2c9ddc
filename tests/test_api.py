"""matcalc as a library, through its public names only: derive, parse, Derivative, Expr,
MatcalcError. Every answer here is also checked in numbers, against central differences of
the question written directly in NumPy."""
import inspect
import os
import shutil
import subprocess

import numpy as np
import pytest

import matcalc
from matcalc import Derivative, Expr, MatcalcError, derive, parse

RNG = np.random.default_rng(8)
inv, det, tr = np.linalg.inv, np.linalg.det, np.trace


def well_conditioned(rows, cols):
    """A random matrix near a multiple of the identity: far from singular, det > 0."""
    return np.eye(rows, cols) * 2 + 0.3 * RNG.standard_normal((rows, cols))


def vec(M):
    return np.reshape(M, (-1, 1), order="F")


def central_differences(F, values: dict, wrt: str, h=1e-6) -> np.ndarray:
    """∂vec F / ∂(vec X)ᵀ, column by column, from F alone."""
    X = values[wrt]
    columns = []
    for k in range(X.size):
        step = np.zeros(X.size)
        step[k] = h
        step = step.reshape(X.shape, order="F")
        up = np.atleast_2d(F(**{**values, wrt: X + step}))
        down = np.atleast_2d(F(**{**values, wrt: X - step}))
        columns.append(vec(up - down)[:, 0] / (2 * h))
    return np.stack(columns, axis=1)


SIZES = {"m": 4, "n": 3, "1": 1}


def values_for(d: Derivative) -> dict:
    """Arrays for the names of d, sized n = 3, m = 4."""
    return {name: well_conditioned(*(SIZES[str(dim)] for dim in var.shape))
            for name, var in d.names.items()}


ARTICLE = [
    ("inv(A)", "A", None, "−(A⁻ᵀ ⊗ A⁻¹)", lambda A: inv(A)),
    ("det(A)", "A", None, "|A| vecᵀ(A⁻ᵀ)", lambda A: det(A)),
    ("logdet(A)", "A", None, "vecᵀ(A⁻ᵀ)", lambda A: np.log(det(A))),
    ("tr(A^T B)", "B", None, "vecᵀ(A)", lambda A, B: tr(A.T @ B)),
    ("tr(A^T B)", "A", None, "vecᵀ(B)", lambda A, B: tr(A.T @ B)),
]

COMPOSITIONS = [
    ("logdet(X^T X)", "X", {"X": ("m", "n")}, "2vecᵀ(X(XᵀX)⁻¹)",
     lambda X: np.log(det(X.T @ X))),
    ("X^T X", "X", {"X": ("m", "n")}, "(Iₙₙ + K)(Iₙ ⊗ Xᵀ)", lambda X: X.T @ X),
    ("inv(X^T X)", "X", {"X": ("m", "n")}, "−((XᵀX)⁻¹ ⊗ (XᵀX)⁻¹)(Iₙₙ + K)(Iₙ ⊗ Xᵀ)",
     lambda X: inv(X.T @ X)),
    ("tr(X^T A X)", "X", None, "vecᵀ((A + Aᵀ)X)", lambda X, A: tr(X.T @ A @ X)),
    ("a^T inv(X) b", "X", None, "−vecᵀ(X⁻ᵀabᵀX⁻ᵀ)", lambda a, X, b: a.T @ inv(X) @ b),
    ("A X B", "X", None, "Bᵀ ⊗ A", lambda A, X, B: A @ X @ B),
    ("det(X) inv(X)", "X", None, "|X| (vec(X⁻¹) vecᵀ(X⁻ᵀ) − X⁻ᵀ ⊗ X⁻¹)",
     lambda X: det(X) * inv(X)),
    ("exp(a^T X b)", "X", None, "exp(aᵀXb) vecᵀ(abᵀ)", lambda a, X, b: np.exp(a.T @ X @ b)),
    ("sqrt(tr(X^T X))", "X", None, "vecᵀ(X)/√(tr(XᵀX))", lambda X: np.sqrt(tr(X.T @ X))),
    ("x^T A x", "x", None, "xᵀ(A + Aᵀ)", lambda x, A: x.T @ A @ x),
    ("kron(A, X)", "X", None, "(Iₙ ⊗ K ⊗ Iₙ)(vec(A) ⊗ Iₙₙ)", lambda A, X: np.kron(A, X)),
    ("X^2", "X", None, "I ⊗ X + Xᵀ ⊗ I", lambda X: X @ X),
    ("t X", "t", {"t": (1, 1)}, "vec(X)", lambda t, X: t * X),
    ("log(x^T x)", "x", None, "2xᵀ/(xᵀx)", lambda x: np.log(x.T @ x)),
]


@pytest.mark.parametrize("text, wrt, shapes, unicode, F",
                         [(t, w, None, u, F) for t, w, u, F in
                          [(a[0], a[1], a[3], a[4]) for a in ARTICLE]] + COMPOSITIONS,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_answers_in_words_and_in_numbers(text, wrt, shapes, unicode, F):
    d = derive(text, wrt, shapes=shapes)
    assert isinstance(d, Derivative)
    assert d.unicode == unicode == str(d)
    values = values_for(d)
    args = inspect.signature(F).parameters
    expected = central_differences(lambda **v: F(**{k: v[k] for k in args}), values, wrt)
    got = d.to_numpy()(**values)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    code_value = eval(d.numpy, {"np": np}, values)       # matcalc's own code, not user input
    np.testing.assert_allclose(np.atleast_2d(code_value), got, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, wrt, shapes", [("logdet(X^T X)", "X", {"X": ("m", "n")}),
                                               ("a^T inv(X) b", "X", None),
                                               ("x^T A x", "x", None),
                                               ("det(A)", "A", None)])
def test_the_gradient_is_the_jacobian_reshaped(text, wrt, shapes):
    d = derive(text, wrt, shapes)
    assert isinstance(d.gradient, Expr) and d.gradient.shape == d.wrt.shape
    assert d.answer("gradient") is d.gradient and d.answer() is d.jacobian
    values = values_for(d)
    G = d.to_numpy(layout="gradient")(**values)
    assert G.shape == values[wrt].shape
    np.testing.assert_allclose(vec(G).T, d.to_numpy()(**values), rtol=1e-12)


def test_gradient_in_every_format():
    d = derive("logdet(X^T X)", "X", shapes={"X": ("m", "n")})
    assert d.render("unicode", layout="gradient") == "2X(XᵀX)⁻¹"
    assert d.render("latex", layout="gradient") == \
        r"2 X (X^{\top} X)^{-1}"
    assert "np.linalg.inv" in d.render("numpy", layout="gradient")


def test_a_matrix_function_has_no_gradient():
    d = derive("X^T X", "X")
    assert d.gradient is None
    with pytest.raises(MatcalcError, match="gradient layout needs a scalar"):
        d.answer("gradient")
    with pytest.raises(MatcalcError, match="gradient layout needs a scalar"):
        d.to_numpy("gradient")
    with pytest.raises(MatcalcError, match="unknown layout"):
        d.answer("hessian")
    with pytest.raises(MatcalcError, match="second derivative has no gradient layout"):
        derive("tr(X)", "X", order=2).to_sympy("gradient")


def test_repr_is_one_short_line():
    assert repr(derive("inv(A)", "A")) == "<Derivative ∂A⁻¹/∂A = −(A⁻ᵀ ⊗ A⁻¹) : n²×n²>"
    assert repr(derive("logdet(X^T X)", "X", shapes={"X": ("m", "n")})) == \
        "<Derivative ∂ln|XᵀX|/∂X = 2vecᵀ(X(XᵀX)⁻¹) : 1×mn>"
    assert repr(derive("X^T X", "X")) == "<Derivative ∂(XᵀX)/∂X = (Iₙₙ + K)(Iₙ ⊗ Xᵀ) : n²×n²>"
    assert repr(derive("x^T A x", "x", order=2)) == \
        "<Derivative ∂²(xᵀAx)/∂x ∂xᵀ = A + Aᵀ : n×n>"
    assert repr(parse("inv(A) B")) == "<Mul A^-1B : n×n>"


def test_parse_reads_shapes_like_derive():
    e = parse("X^T X", {"X": ("m", "n")})
    assert isinstance(e, Expr)
    assert [str(d) for d in e.shape] == ["n", "n"]
    assert [str(d) for d in parse("a^T b", {"a": "k", "b": "k"}).shape] == ["1", "1"]
    assert parse("d tr(X) / dX").is_scalar
    assert parse("A B") is parse("A*B")                     # one node for one expression


def test_bad_input_raises_matcalc_error():
    with pytest.raises(MatcalcError, match="expected"):
        derive("inv(A", "A")
    with pytest.raises(MatcalcError, match="bad shape"):
        derive("X", "X", shapes={"X": ("m", "n", "k")})
    with pytest.raises(MatcalcError, match="cannot multiply"):
        parse("X Y", {"X": (2, 3), "Y": (2, 3)})
    with pytest.raises(MatcalcError, match="say which variable"):
        derive("A B")


def test_to_numpy_takes_the_names_as_keywords():
    d = derive("a^T X b", "X")
    J = d.to_numpy()
    assert list(inspect.signature(J).parameters) == ["a", "X", "b"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY
               for p in inspect.signature(J).parameters.values())
    a, b, X = np.array([1.0, 2.0]), np.array([[3.0], [4.0]]), np.eye(2)
    expected = vec(np.outer(a, b)).T                           # vecᵀ(abᵀ)
    np.testing.assert_array_equal(J(a=a, X=X, b=b), expected)  # a 1-D vector is a column
    np.testing.assert_array_equal(J(**{"a": a[:, None], "X": X, "b": b}), expected)
    with pytest.raises(TypeError, match="missing b"):
        J(a=a, X=X)
    with pytest.raises(TypeError, match="unknown name c"):
        J(a=a, X=X, b=b, c=b)
    with pytest.raises(MatcalcError, match="X is n×n, which makes it 2×2 here, but the array "
                                           "given is 3×3"):
        J(a=a, X=np.eye(3), b=b)


def test_to_numpy_scalars_and_sizes():
    d = derive("t X", "t", shapes={"t": (1, 1), "X": ("m", "n")})
    X = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(d.to_numpy()(t=2.5, X=X), vec(X))
    with pytest.raises(MatcalcError, match="must be an array of numbers"):
        d.to_numpy()(t="two", X=X)


def test_public_names():
    assert set(matcalc.__all__) == {"derive", "parse", "Derivative", "Expr", "MatcalcError",
                                    "solve", "Solution"}
    for name in matcalc.__all__:
        assert getattr(matcalc, name).__doc__


# ── in a notebook ───────────────────────────────────────────────────────────────────────

NOTEBOOK = [("inv(A)", "A", None), ("det(A)", "A", None),
            ("logdet(X^T X)", "X", {"X": ("m", "n")}), ("X^T X", "X", None),
            ("det(X) inv(X)", "X", None), ("sqrt(tr(X^T X))", "X", None),
            ("log(x^T x)", "x", None), ("kron(A, X)", "X", None)]


def test_notebook_display_is_display_math():
    for text, wrt, shapes in NOTEBOOK:
        d = derive(text, wrt, shapes)
        shown = d._repr_latex_()
        assert shown == f"$${d.label_latex} = {d.latex}$$"
        assert "$" not in d.latex
    assert parse("inv(A)^T")._repr_latex_() == r"$$A^{-\top}$$"


def test_notebook_latex_compiles(tmp_path):
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is missing on CI")
        pytest.skip("pdflatex is not installed")
    shown = [derive(t, w, s)._repr_latex_() for t, w, s in NOTEBOOK]
    shown += [derive(t, w, s).gradient._repr_latex_() for t, w, s in NOTEBOOK[1:3]]
    shown.append(parse("kron(inv(A), B^T)")._repr_latex_())
    shown.append(derive("logdet(X)", "X", order=2)._repr_latex_())
    shown.append(derive("det(A X B)", "X").derivation._repr_latex_())
    document = "\n".join([r"\documentclass{article}", r"\usepackage{amsmath}",
                          r"\begin{document}", *shown, r"\end{document}", ""])
    (tmp_path / "notebook.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                             "notebook.tex"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "notebook.pdf").exists()


def test_readme_python_examples_run_as_shown():
    import doctest
    from pathlib import Path
    readme = Path(__file__).resolve().parent.parent / "README.md"
    result = doctest.testfile(str(readme), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10 and result.failed == 0


# ── in a notebook: labels, views, short errors, types ───────────────────────────────────

def test_the_latex_view_is_the_question_equal_to_the_answer():
    from matcalc import derive
    assert derive("inv(A)", "A")._repr_latex_() == (
        "$$\\frac{\\partial A^{-1}}{\\partial A} = -(A^{-\\top} \\otimes A^{-1})$$")
    hessian = derive("logdet(X)", "X", order=2)._repr_latex_()
    assert hessian == ("$$\\frac{\\partial^{2} \\ln\\lvert X\\rvert}{\\partial "
                       "\\operatorname{vec} X \\, \\partial (\\operatorname{vec} X)^{\\top}} "
                       "= -K (X^{-\\top} \\otimes X^{-1})$$")


def test_the_hessians_document_says_it_is_a_second_derivative():
    from matcalc import derive
    assert "\\partial^{2}" in derive("logdet(X)", "X", order=2).document()


def test_str_of_an_expression_is_its_unicode_form_and_repr_names_its_kind():
    from matcalc import derive, parse
    g = derive("x^T A x", "x").gradient
    assert str(g) == "(A + Aᵀ)x"
    assert repr(g) == "<Mul (A + A^T)x : n×1>"
    assert str(parse("inv(A)^T + kron(B, C)", {"B": (1, 1)})) == "A⁻ᵀ + B ⊗ C"


def test_a_derivation_has_a_text_and_a_latex_view():
    from matcalc import derive
    steps = derive("det(A X B)", "X").derivation
    assert str(steps).startswith("∂|AXB|/∂X\n    (determinant rule)")
    assert steps._repr_latex_() == f"$${steps.latex}$$"
    assert steps.latex.startswith("\\begin{aligned}") and "\\text{(product rule)}" in steps.latex


@pytest.mark.parametrize("call, message", [
    (lambda d, p: d(123, "X"), "the expression must be a string"),
    (lambda d, p: d("inv(X)", 1), "the variable to differentiate by must be a string"),
    (lambda d, p: d("inv(X)", "X", shapes=[("X", "n")]), "shapes must be a dict"),
    (lambda d, p: d("logdet(X)", "X", order="2"), "order must be 1 or 2"),
    (lambda d, p: p(None), "the expression must be a string"),
])
def test_a_wrong_argument_type_is_a_type_error_that_says_what_is_expected(call, message):
    from matcalc import derive, parse
    with pytest.raises(TypeError, match=message):
        call(derive, parse)


def test_user_errors_are_value_errors_raised_from_the_entry_point():
    import traceback

    from matcalc import MatcalcError, derive, parse
    assert issubclass(MatcalcError, ValueError)
    for call in (lambda: derive("lgdet(X)", "X"), lambda: parse("A +"),
                 lambda: derive("inv(X)", "X").render(layout="gradient")):
        with pytest.raises(ValueError) as caught:
            call()
        frames = traceback.extract_tb(caught.value.__traceback__)
        assert len(frames) <= 3, [f.filename for f in frames]  # the test, the entry point
        assert not any(f.filename.endswith(("parser.py", "simplify.py")) for f in frames)


def test_the_public_api_is_typed():
    import inspect
    from pathlib import Path

    import matcalc
    assert (Path(matcalc.__file__).parent / "py.typed").exists()
    functions = [matcalc.derive, matcalc.parse, *(
        f for name, f in vars(matcalc.Derivative).items()
        if callable(f) and not name.startswith("_"))]
    for f in functions:
        signature = inspect.signature(inspect.unwrap(f))
        assert signature.return_annotation is not inspect.Signature.empty, f.__name__
        for name, param in signature.parameters.items():
            assert name == "self" or param.annotation is not inspect.Parameter.empty, \
                (f.__name__, name)
