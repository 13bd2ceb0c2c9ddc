"""Matrix dimensions: positive integers, size symbols (m, n), and their products.

A Jacobian of an m×n function of an p×q matrix is (mn)×(pq), and Kronecker products multiply
sizes, so a dimension is a monomial: an integer times a sorted tuple of symbols.
"""
from __future__ import annotations

from ..limits import NUMBER_BOUND, check_number


class Dim:
    """A size: coeff · symbols, e.g. 3, n, mn, 2n². Immutable and interned: equal sizes are one
    object, so comparing two shapes is an identity check however often the simplifier does it."""

    __slots__ = ("coeff", "symbols")
    _interned: dict[tuple[int, tuple[str, ...]], Dim] = {}

    def __new__(cls, coeff: int = 1, symbols: tuple[str, ...] = ()) -> Dim:
        key = (coeff, tuple(symbols))
        dim = cls._interned.get(key)
        if dim is None:
            dim = super().__new__(cls)
            object.__setattr__(dim, "coeff", coeff)
            object.__setattr__(dim, "symbols", key[1])
            cls._interned[key] = dim
        return dim

    def __setattr__(self, name, value):
        raise AttributeError("a Dim is immutable")

    def __reduce__(self):
        return (Dim, (self.coeff, self.symbols))

    def __repr__(self) -> str:
        return f"Dim(coeff={self.coeff!r}, symbols={self.symbols!r})"

    @staticmethod
    def of(value: int | str | Dim) -> Dim:
        if isinstance(value, Dim):
            return value
        if isinstance(value, int):
            return Dim(value)
        return Dim(1, (value,))

    def __mul__(self, other: Dim) -> Dim:
        coeff = self.coeff * other.coeff
        if coeff >= NUMBER_BOUND:
            check_number(coeff)
        return Dim(coeff, tuple(sorted(self.symbols + other.symbols)))

    @property
    def is_one(self) -> bool:
        return self.coeff == 1 and not self.symbols

    @property
    def value(self) -> int | None:
        """The integer size, or None when it depends on a size symbol."""
        return None if self.symbols else self.coeff

    def __str__(self) -> str:
        parts = [] if self.coeff == 1 and self.symbols else [str(self.coeff)]
        for sym in dict.fromkeys(self.symbols):
            power = self.symbols.count(sym)
            parts.append(sym + (_superscript(power) if power > 1 else ""))
        separator = "" if all(len(sym) == 1 for sym in self.symbols) else "·"
        return separator.join(parts)


ONE = Dim(1)
Shape = tuple[Dim, Dim]

# Sizes that are not monomials, such as n(n+1)/2, stand as one symbol; each is registered here
# with how to compute it from the sizes it is made of.
DERIVED_SIZES: dict[str, "Callable[[dict[str, int]], int]"] = {}
# … and how code computes it, given how code writes a size: n(n+1)/2 → (n*(n + 1)//2).
DERIVED_CODE: dict[str, "Callable[[Callable[[Dim], str]], str]"] = {}


def shape_str(shape: Shape) -> str:
    return f"{shape[0]}×{shape[1]}"


def _superscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
