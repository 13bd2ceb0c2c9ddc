"""Inputs the fuzzer found mishandled, each kept as a test beside the fix."""
from matcalc import derive, parse


def test_a_number_does_not_swallow_the_dot_of_an_element_wise_operator():
    """X.^2.^3 was read as X.^(2.) ^ 3, a matrix power of X.^2, because "2." is a number."""
    assert parse("X.^2.^3") is parse("(X.^2).^3")
    assert derive("X.^2.^3", "X").unicode == derive("X.^6", "X").unicode == "6diag(vec(X.^5))"
    assert parse("2.*X") is parse("2 .* X")
    assert parse("2. X") is parse("2 X") and parse("X.^2.5") is parse("X.^(5/2)")
