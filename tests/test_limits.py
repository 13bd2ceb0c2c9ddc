"""Limits: deep, long and large questions end in an answer or a LimitError, never a crash."""
import time

import pytest

from matcalc import derive, limits, parse
from matcalc.calculus import simplify
from matcalc.errors import LimitError, MatcalcError
from matcalc.render import FORMATS


def nest(before: str, after: str, core: str, n: int) -> str:
    return before * n + core + after * n


DEEP = {  # every way of nesting, each a family of inputs by depth n
    "parentheses": lambda n: nest("(", ")", "X", n),
    "inverse": lambda n: nest("inv(", ")", "X", n),
    "inverse of a sum": lambda n: nest("inv(A+", ")", "X", n),
    "minus": lambda n: "-" * n + "X",
    "minus of a sum": lambda n: nest("-(A+", ")", "X", n),
    "prime": lambda n: "X" + "'" * n,
    "^T": lambda n: "X" + "^T" * n,
    "ᵀ": lambda n: "X" + "ᵀ" * n,
    "⁻¹": lambda n: "X" + "⁻¹" * n,
    "bars": lambda n: nest("|", "|", "X", n),
    "det of a sum": lambda n: nest("det(A+", ")I", "X", n),
    "logdet of a sum": lambda n: nest("logdet(A+", ")I", "X", n),
    "trace": lambda n: nest("tr(", ")", "X", n),
    "exp": lambda n: nest("exp(", ")", "tr(X)", n),
    "sqrt": lambda n: nest("sqrt(", ")", "tr(X)", n),
    "inner product": lambda n: nest("<X,A+", ">I", "X", n),
    "kron(X, …)": lambda n: nest("kron(X,", ")", "X", n),
    "⊗ chain": lambda n: "⊗".join(["X"] * n),
    "product in brackets": lambda n: nest("A(B+", ")", "X", n),
    "vec and transpose": lambda n: nest("vec(", ")'", "X", n),
    "square": lambda n: nest("(A+", ")^2", "X", n),
    "scalar times": lambda n: nest("tr(X)*(", ")", "X", n),
    "division": lambda n: nest("(", ")/tr(X)", "X", n),
    "inverse transpose": lambda n: nest("(A+", ")⁻ᵀ", "X", n),
}


def derive_everywhere(text: str) -> None:
    """Derive and print in every format and layout: an answer or a MatcalcError."""
    d = derive(text, "X")
    for fmt in FORMATS:
        d.render(fmt, "jacobian")
        if d.expr.is_scalar:
            d.render(fmt, "gradient")


@pytest.mark.parametrize("n", [30, 120, 10_000])
@pytest.mark.parametrize("kind", DEEP)
def test_deep_nesting_answers_or_explains(kind, n):
    text = DEEP[kind](n)
    start = time.perf_counter()
    try:
        derive_everywhere(text)
    except MatcalcError:
        pass  # a limit or a shape error: explained; a RecursionError would fail the test
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("kind", ["parentheses", "inverse", "minus", "prime", "bars", "^T"])
def test_nesting_10000_deep_names_the_limit_with_a_caret(kind):
    with pytest.raises(LimitError) as err:
        derive(DEEP[kind](10_000), "X")
    assert err.value.message == f"the expression nests more than {limits.MAX_NESTING} levels deep"
    assert err.value.position is not None
    assert str(err.value).splitlines()[2].strip() == "^"


def test_nesting_just_within_the_limit_is_answered():
    assert derive(DEEP["parentheses"](limits.MAX_NESTING - 1), "X").unicode == "I"
    assert derive(DEEP["inverse"](limits.MAX_NESTING - 2), "X").unicode == "I"


def test_a_long_chain_is_stopped_by_the_depth_of_its_tree():
    with pytest.raises(LimitError, match="nests more than 500 levels deep"):
        derive(DEEP["⊗ chain"](1_000), "X")


def test_input_longer_than_the_limit_is_refused_at_once():
    text = "A+" * 100_000 + "A"  # 300 KB
    start = time.perf_counter()
    with pytest.raises(LimitError) as err:
        derive(text, "A")
    assert time.perf_counter() - start < 1
    assert err.value.message == "the expression is 200,001 characters long; matcalc reads at most 100,000"


LARGE = {"product of 40,000": ("A*" * 40_000 + "A", "A"), "power 100,000": ("A^100000", "A"),
         "trace of a long product": ("tr(" + "A X " * 20_000 + ")", "X")}


@pytest.mark.parametrize("kind", LARGE)
def test_large_questions_stop_within_seconds(kind):
    text, wrt = LARGE[kind]
    start = time.perf_counter()
    with pytest.raises(LimitError, match="the question is too large: matcalc stops after 250,000 steps"):
        derive(text, wrt).unicode
    assert time.perf_counter() - start < 10


def test_a_long_sum_and_a_moderate_product_are_answered():
    start = time.perf_counter()
    assert derive("+".join(["A"] * 40_000), "A").unicode == "40000I"  # 80 KB
    assert time.perf_counter() - start < 10
    assert derive("*".join(f"A{i}" for i in range(200)), "A7").unicode.startswith("A₁₉₉ᵀ")


def test_an_answer_too_large_to_print_is_refused_before_printing():
    text = "det(" + "+".join(f"A{i} X B{i}" for i in range(300)) + ")"
    d = derive(text, "X")
    with pytest.raises(LimitError, match="the answer is too large to print"):
        d.render("unicode")


HUGE_NUMBERS = {
    "101 digits": ("1" * 101 + " A", "a number may have at most 100 digits"),
    "2^99999": ("2^99999 A", "a number in this calculation has more than 100 digits"),
    "power of a scalar": ("(2*tr(A))^999", "a number in this calculation has more than 100 digits"),
    "negative power": ("0.5^-999 A", "a number in this calculation has more than 100 digits"),
    "powers of powers": ("A" + "^999999" * 30, "a number in this calculation has more than 100 digits"),
}


@pytest.mark.parametrize("kind", HUGE_NUMBERS)
def test_huge_numbers_are_refused_not_computed(kind):
    text, message = HUGE_NUMBERS[kind]
    start = time.perf_counter()
    with pytest.raises(LimitError, match=message):
        derive(text, "A").unicode
    assert time.perf_counter() - start < 5


def test_sizes_cannot_grow_past_the_number_limit():
    with pytest.raises(LimitError, match="more than 100 digits"):
        derive("⊗".join(["X"] * 30), "X", shapes={"X": (999_999, 999_999)})


def test_parse_alone_is_budgeted():
    with limits.work_budget(1_000):
        with pytest.raises(LimitError, match="too large"):
            parse("+".join(f"A{i} B" for i in range(1_000)))


def test_budgets_nest_and_reset():
    with limits.work_budget(10):
        with limits.work_budget():  # counts against the outer budget
            with pytest.raises(LimitError):
                derive("A B C D", "A")
    assert derive("A B C D", "A").unicode == "DᵀCᵀBᵀ ⊗ I"  # a fresh budget after the spent one


def test_a_long_product_of_one_matrix_drops_identities_once(monkeypatch):
    """Regression: after each of the k − 1 rewrites AA = A², … of A*A*⋯*A the whole chain was
    searched for identities, so 40,000 factors took a minute before any limit could act."""
    calls = 0
    drop = simplify._drop_identities

    def counting(chain):
        nonlocal calls
        calls += 1
        return drop(chain)
    monkeypatch.setattr(simplify, "_drop_identities", counting)
    assert derive("*".join(["A"] * 2_000) + " B", "B").unicode == "I ⊗ A²⁰⁰⁰"
    assert calls < 20


def test_sorting_nested_sums_counts_each_node_once(monkeypatch):
    """Regression: sorting the terms of every nested sum walked whole subtrees again, so a
    chain of 200 Kronecker products took seconds in the simplifier alone."""
    calls = 0
    count = simplify._count_transposes

    def counting(e):
        nonlocal calls
        calls += 1
        return count(e)
    monkeypatch.setattr(simplify, "_count_transposes", counting)
    derive("⊗".join(["Y"] * 200), "Y")
    assert calls < 50_000  # the tree walk made about 3,000,000
