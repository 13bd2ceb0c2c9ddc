"""Every production of the input language parses to the tree it means; bad input is refused
with a message that names what is wrong.

Trees are hash-consed, so a parsed tree can be compared with one built by hand with `is`.
"""
from __future__ import annotations

from fractions import Fraction

import pytest

from matcalc import derive
from matcalc.calculus import build
from matcalc.api import parse_shape_option, parse_shapes
from matcalc.calculus.dims import ONE, Dim
from matcalc.errors import MatcalcError, ParseError, ShapeError, VariableError
from matcalc.calculus.expr import (Det, Identity, Inverse, Kron, LogDet, Power, ScalarPow, Trace,
                          Transpose, Var, Vec)
from matcalc.language.parser import parse

n, m = Dim.of("n"), Dim.of("m")
A, B, C, X = (Var(name, n, n) for name in "ABCX")
a, b = Var("a", n, ONE), Var("b", n, ONE)
t = Var("t", ONE, ONE)
Xr = Var("X", m, n)
SCALAR_T = {"t": (1, 1)}


def tree(text: str, shapes: dict | None = None):
    return parse(text, parse_shapes(shapes)).expr


def num(v):
    return build.number(Fraction(v))


SPELLINGS = [
    # products: *, @, juxtaposition, and the middle dot a user may paste
    ("A*B", build.mul(A, B)),
    ("A @ B", build.mul(A, B)),
    ("A B", build.mul(A, B)),
    ("A·B", build.mul(A, B)),
    ("A(B)", build.mul(A, B)),
    ("A (B + C)", build.mul(A, build.add(B, C))),
    ("A B C", build.mul(A, B, C)),
    # numbers scale
    ("2*A", build.mul(num(2), A)),
    ("2A", build.mul(num(2), A)),
    ("2 A", build.mul(num(2), A)),
    ("A/2", build.mul(num(Fraction(1, 2)), A)),
    ("0.5*A", build.mul(num(Fraction(1, 2)), A)),
    ("A/t", build.mul(A, ScalarPow(t, Fraction(-1)))),
    # sums, differences, signs (ASCII and Unicode minus)
    ("A + B", build.add(A, B)),
    ("A - B", build.add(A, build.mul(num(-1), B))),
    ("A − B", build.add(A, build.mul(num(-1), B))),
    ("-A", build.mul(num(-1), A)),
    ("+A", A),
    ("A - B - C", build.add(A, build.mul(num(-1), B), build.mul(num(-1), C))),
    ("A + -B", build.add(A, build.mul(num(-1), B))),
    # precedence: product over ⊗ over +; postfix over unary minus; brackets override
    ("A + B C", build.add(A, build.mul(B, C))),
    ("(A + B) C", build.mul(build.add(A, B), C)),
    ("A ⊗ B C", Kron(A, build.mul(B, C))),
    ("A B ⊗ C", Kron(build.mul(A, B), C)),
    ("(A ⊗ B) ⊗ C", Kron(Kron(A, B), C)),
    ("A ⊗ B ⊗ C", Kron(Kron(A, B), C)),
    ("-A^T", build.mul(num(-1), Transpose(A))),
    ("-2^2", build.mul(num(-1), ScalarPow(num(2), Fraction(2)))),
    ("(A B)^T", Transpose(build.mul(A, B))),
    ("A B^T", build.mul(A, Transpose(B))),
    # transpose
    ("A^T", Transpose(A)),
    ("A'", Transpose(A)),
    ("Aᵀ", Transpose(A)),
    ("A^{T}", Transpose(A)),
    ("transpose(A)", Transpose(A)),
    ("A''", Transpose(Transpose(A))),
    # inverse and inverse transpose
    ("inv(A)", Inverse(A)),
    ("A^-1", Inverse(A)),
    ("A^{-1}", Inverse(A)),
    ("A^(-1)", Inverse(A)),
    ("A⁻¹", Inverse(A)),
    ("A^{-T}", Transpose(Inverse(A))),
    ("A^-T", Transpose(Inverse(A))),
    ("A⁻ᵀ", Transpose(Inverse(A))),
    ("A⁻¹ᵀ", Transpose(Inverse(A))),
    ("inv(t)", ScalarPow(t, Fraction(-1))),
    # integer powers
    ("A^2", Power(A, 2)),
    ("A²", Power(A, 2)),
    ("A^{2}", Power(A, 2)),
    ("A^-2", Power(A, -2)),
    ("A⁻²", Power(A, -2)),
    ("A^0", Identity(n)),
    ("A^1", A),
    # determinants and log-determinants
    ("det(A)", Det(A)),
    ("|A|", Det(A)),
    ("|A B|", Det(build.mul(A, B))),
    ("|A| |B|", build.mul(Det(A), Det(B))),
    ("2|A|", build.mul(num(2), Det(A))),
    ("|A + |B| C|", Det(build.add(A, build.mul(Det(B), C)))),
    ("logdet(A)", LogDet(A)),
    ("ln|A|", LogDet(A)),
    ("log|A|", LogDet(A)),
    ("log(det(A))", LogDet(A)),
    ("ln(det(A))", LogDet(A)),
    ("ln(|A|)", LogDet(A)),
    # traces, inner product, Kronecker product, vec
    ("tr(A)", Trace(A)),
    ("trace(A)", Trace(A)),
    ("tr(A)tr(B)", build.mul(Trace(A), Trace(B))),
    ("<A,B>", Trace(build.mul(Transpose(A), B))),
    ("<A B, C>", Trace(build.mul(Transpose(build.mul(A, B)), C))),
    ("kron(A,B)", Kron(A, B)),
    ("A ⊗ B", Kron(A, B)),
    ("vec(A)", Vec(A)),
    # vectors
    ("a^T b", build.mul(Transpose(a), b)),
    ("a b^T", build.mul(a, Transpose(b))),
    ("a^T A a", build.mul(Transpose(a), A, a)),
    # scalar functions of scalars
    ("log(t)", build.func("log", t)),
    ("ln(t)", build.func("log", t)),
    ("exp(t)", build.func("exp", t)),
    ("sqrt(t)", build.func("sqrt", t)),
    ("t^2", ScalarPow(t, Fraction(2))),
    ("t²", ScalarPow(t, Fraction(2))),
    ("t^-1", ScalarPow(t, Fraction(-1))),
    ("t^{1/2}", ScalarPow(t, Fraction(1, 2))),
    ("t^{-3/2}", ScalarPow(t, Fraction(-3, 2))),
    ("t^2^3", ScalarPow(t, Fraction(6))),  # (t²)³, one power
    ("exp(tr(A))", build.func("exp", Trace(A))),
    ("sqrt(a^T a)", build.func("sqrt", build.mul(Transpose(a), a))),
    ("log(tr(A) + 1)", build.func("log", build.add(Trace(A), num(1)))),
]


@pytest.mark.parametrize("text, expected", SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_spelling(text, expected):
    assert tree(text, SCALAR_T) is expected


def test_names():
    """Upper-case names are n×n matrices, lower-case ones n×1 vectors; digits and Greek letters
    belong to names."""
    assert tree("X1").shape == (n, n)
    assert tree("x1").shape == (n, ONE)
    assert tree("Sigma") is Var("Sigma", n, n)
    assert tree("Σ") is Var("Σ", n, n)
    assert tree("X1 Sigma") is build.mul(Var("X1", n, n), Var("Sigma", n, n))


@pytest.mark.parametrize("text, wrt", [
    ("d tr(A) / dA", "A"),
    ("d tr(A)/d A", "A"),
    ("∂tr(A)/∂A", "A"),
    ("∂ tr(A) / ∂ A", "A"),
    ("d tr(A B)/dB", "B"),
    ("d(tr(A B))/dB", "B"),
    ("d A/2 / dA", "A"),          # the last top-level '/' is the question's
    ("d <A,B> / dB", "B"),
])
def test_question_forms(text, wrt):
    question = parse(text)
    assert question.wrt == wrt
    inner = text.split("/")[0].lstrip("d∂ ") if text.count("/") == 1 else None
    if inner:
        assert question.expr is tree(inner)


def test_question_form_names_the_variable_for_derive():
    assert derive("d logdet(X^T X) / dX", shapes={"X": ("m", "n")}).render("unicode", "gradient") \
        == "2X(XᵀX)⁻¹"
    assert derive("∂tr(A)/∂A").unicode == "vecᵀ(I)"


def test_a_plain_expression_has_no_question_variable():
    assert parse("tr(A)").wrt is None
    assert parse("dA").expr is Var("dA", n, ONE)


@pytest.mark.parametrize("option, name, sizes", [
    ("X=m,n", "X", ("m", "n")),
    ("t=1,1", "t", ("1", "1")),
    ("a=n", "a", ("n",)),
    (" X = m , n ", "X", ("m", "n")),
    ("X=3,2", "X", ("3", "2")),
])
def test_shape_option(option, name, sizes):
    assert parse_shape_option(option) == (name, sizes)


@pytest.mark.parametrize("shapes, expected", [
    ({"X": ("m", "n")}, Var("X", m, n)),
    ({"X": "m"}, Var("X", m, ONE)),            # one size: a vector
    ({"X": (1, 1)}, Var("X", ONE, ONE)),       # a scalar
    ({"X": ("3", 2)}, Var("X", Dim(3), Dim(2))),
    ({"x": ("1", "n")}, None),                  # a row vector
])
def test_shapes(shapes, expected):
    name = next(iter(shapes))
    parsed = tree(name, shapes)
    if expected is not None:
        assert parsed is expected
    else:
        assert parsed.shape == (ONE, n)


@pytest.mark.parametrize("option", ["X", "X=", "=m,n", "X=0,1", "X=m,n,p", "X=m n", "1X=m,n"])
def test_bad_shape_options(option):
    with pytest.raises(MatcalcError) as err:
        parse_shapes(dict([parse_shape_option(option)]))
    assert "shape" in str(err.value)


# ── shape errors: each names the operands and their shapes ─────────────────────────────

@pytest.mark.parametrize("text, shapes, fragments", [
    ("A X", {"X": ("m", "n"), "A": ("m", "n")},
     ["cannot multiply", "A (m×n)", "X (m×n)", "n columns against m rows"]),
    ("a A", {"a": ("m",)}, ["cannot multiply", "a (m×1)", "A (n×n)"]),
    ("det(X)", {"X": ("m", "n")}, ["determinant", "square", "X (m×n)"]),
    ("|X|", {"X": ("m", "n")}, ["determinant", "square", "X (m×n)"]),
    ("logdet(X)", {"X": ("m", "n")}, ["log-determinant", "square", "X (m×n)"]),
    ("inv(X)", {"X": ("m", "n")}, ["inverse", "square", "X (m×n)"]),
    ("X^-1", {"X": ("m", "n")}, ["square", "X (m×n)"]),
    ("X^2", {"X": ("m", "n")}, ["square", "X (m×n)"]),
    ("tr(X)", {"X": ("m", "n")}, ["trace", "square", "X (m×n)"]),
    ("A + X", {"X": ("m", "n"), "A": ("n", "n")}, ["cannot add", "A (n×n)", "X (m×n)"]),
    ("A - a", {}, ["cannot add", "A (n×n)", "a (n×1)"]),
    ("<A, X>", {"X": ("m", "n"), "A": ("n", "n")}, ["one shape", "A (n×n)", "X (m×n)"]),
    ("a^T + a", {"a": ("n",)}, ["cannot add", "a^T (1×n)", "a (n×1)"]),
    ("vec(X) + a", {"X": ("m", "n"), "a": ("n",)}, ["cannot add", "vec(X) (mn×1)", "a (n×1)"]),
    ("A/B", {}, ["divide by a scalar", "B (n×n)"]),
    ("A^{1/2}", {}, ["integer power", "A (n×n)"]),
])
def test_shape_errors_name_the_operands(text, shapes, fragments):
    with pytest.raises(ShapeError) as err:
        tree(text, shapes)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, message
    assert err.value.position is not None  # shown with a caret under the operator
    assert message.splitlines()[1].strip() == text.strip()
    assert message.splitlines()[2].strip() == "^"


def test_shape_error_points_at_the_operator():
    with pytest.raises(ShapeError) as err:
        tree("A + B X", {"X": ("m", "n"), "B": ("n", "n")})
    assert err.value.position == "A + B X".index("X")  # where the product with X begins


@pytest.mark.parametrize("text, fragment", [
    ("", "expected an expression"),
    ("A +", "expected an expression"),
    ("(A", "expected ')'"),
    ("A)", "unmatched ')'"),
    ("inv(A", "')' to close inv("),
    ("|A", "'|' to close"),
    ("<A, B", "'>' to close"),
    ("<A B>", "','"),
    ("A $ B", "unexpected character '$'"),
    ("A ^ )", "expected an exponent"),
    ("A^{-1", "'}' to close the exponent"),
    ("foo(A)", "unknown function 'foo'"),
    ("tarce(A)", "did you mean trace"),
    ("inv(A, B)", "inv takes 1 argument, given 2"),
    ("kron(A)", "kron takes 2 arguments, given 1"),
    ("tr A", "expected '(' after the function tr"),
    ("A/0", "division by zero"),
    ("t^{1/0}", "divides by zero"),
    pytest.param("(" * 300 + "A" + ")" * 300, "nests more than", id="300 brackets deep"),
])
def test_parse_errors(text, fragment):
    with pytest.raises(MatcalcError) as err:
        tree(text, SCALAR_T)
    assert fragment in str(err.value)


def test_parse_error_shows_a_caret_under_the_place():
    with pytest.raises(ParseError) as err:
        tree("A + $")
    _, shown, caret = str(err.value).splitlines()
    assert shown.strip() == "A + $"
    assert shown.index("$") == caret.index("^")


# ── the variable to differentiate by ───────────────────────────────────────────────────

def test_wrt_may_be_left_out_with_one_name():
    assert derive("inv(A)").unicode == "−(A⁻ᵀ ⊗ A⁻¹)"


def test_wrt_missing_lists_the_candidates():
    with pytest.raises(VariableError) as err:
        derive("tr(A X B)")
    message = str(err.value)
    assert "say which variable" in message
    assert "A, X, B" in message


def test_wrt_missing_with_no_names():
    with pytest.raises(VariableError, match="no variables"):
        derive("2")


def test_two_different_variables_is_an_error():
    with pytest.raises(VariableError, match="differentiates by A, but B"):
        derive("d tr(A) / dA", "B")


def test_wrt_must_be_a_name():
    with pytest.raises(VariableError, match="not a variable name"):
        derive("A", "1A")


def test_a_variable_not_in_the_expression_gives_zero():
    assert derive("tr(A)", "B").unicode == "0"
