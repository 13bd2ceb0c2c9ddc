"""What a numeric command will allocate and how long it will run, estimated before it starts.

`check` and `verify` compute with arrays whose sizes come from the user (`--shape X=3000,3000`,
`--size 4000`). Each asks here first, from the sizes alone and before any array exists, and
gets a LimitError (exit status 2) that states the limit and how to go below it, instead of
numpy's memory error minutes later. The model is deliberately simple and errs on the side
of refusing:

- memory: every array held at once, 8 bytes an entry (16 for the complex step);
- time: floating-point operations, n³ for a product, inverse or determinant of n×n matrices,
  one an entry for everything element-wise, at FLOPS_PER_SECOND (one busy core's BLAS);
- the verify table: seconds fitted to its measured run time as n grows (most of its cases
  shrink n where their pieces would not fit, so it grows more slowly than n³).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..calculus.dims import DERIVED_SIZES, Dim
from ..errors import LimitError

MAX_BYTES = 1 << 30            # arrays alive at once: 1 GiB
MAX_SECONDS = 60               # estimated run time of one command
FLOPS_PER_SECOND = 5e9         # measured: a 1024×1024 inverse and its checks in about a second
EXACT_PER_SECOND = 5e3         # operations on sympy rationals (verify --exact): measured 6e3 to 1e4
MAX_PIECE = 1 << 22            # entries of any one array the directional check writes out
BYTES_PER_ENTRY = 8


@dataclass(frozen=True)
class Cost:
    """Bytes alive at once (at the peak) and arithmetic operations, done at `rate` a second."""
    bytes: int = 0
    flops: int = 0
    rate: float = FLOPS_PER_SECOND

    def __add__(self, other: Cost) -> Cost:
        return Cost(max(self.bytes, other.bytes), self.flops + other.flops,
                    min(self.rate, other.rate))

    def __mul__(self, times: int) -> Cost:
        """The same work done `times` times over, one after the other."""
        return Cost(self.bytes, self.flops * times, self.rate)

    def exact(self) -> Cost:
        """The same operations on exact rationals, with sympy."""
        return Cost(self.bytes, self.flops, EXACT_PER_SECOND)

    @property
    def seconds(self) -> float:
        return self.flops / self.rate


def size_of(d: Dim, sizes: dict[str, int]) -> int:
    """A dimension's value as an exact integer (which may be astronomically large)."""
    value = d.coeff
    for s in d.symbols:
        value *= sizes[s] if s in sizes or s not in DERIVED_SIZES else DERIVED_SIZES[s](sizes)
    return value


def entries(e, sizes: dict[str, int]) -> int:
    return size_of(e.shape[0], sizes) * size_of(e.shape[1], sizes)


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if n < 1024 or unit == "EiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError


def human_seconds(s: float) -> str:
    if s < 120:
        return f"{s:,.0f} s"
    if s < 7200:
        return f"{s / 60:,.0f} minutes"
    if s < 172800:
        return f"{s / 3600:,.0f} hours"
    return f"{s / 86400:,.3g} days"


def require(cost: Cost, what: str, smaller: str) -> None:
    """Refuse `what` when its estimate exceeds a limit; `smaller` says how to ask for less."""
    if cost.bytes > MAX_BYTES:
        raise LimitError(f"{what} would need about {human_bytes(cost.bytes)} of memory, and "
                         f"matcalc uses at most {human_bytes(MAX_BYTES)}; {smaller}")
    if cost.seconds > MAX_SECONDS:
        raise LimitError(f"{what} would take about {human_seconds(cost.seconds)}, and matcalc "
                         f"stops at an estimated {MAX_SECONDS} s; {smaller}")


# ── the pieces ──────────────────────────────────────────────────────────────────────────

def point(names: Iterable, sizes: dict[str, int], copies: int = 1, complex_: bool = False) -> Cost:
    """A random value for every name, `copies` times over (shifted points, directions)."""
    total = sum(entries(v, sizes) for v in names)
    return Cost(total * copies * BYTES_PER_ENTRY * (2 if complex_ else 1), total * copies)


def dense(exprs: Iterable, sizes: dict[str, int], complex_: bool = False) -> Cost:
    """Evaluating the trees in full (matcalc.checking.numeric): each distinct node's value is kept,
    so memory is their sum, plus what one node needs while it is built."""
    seen: set = set()
    stack = list(exprs)
    kept = peak = flops = 0
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(node.children)
        size = entries(node, sizes)
        extra, work = _node_cost(node, size, sizes)
        kept += size
        peak = max(peak, extra)
        flops += work
    width = BYTES_PER_ENTRY * (2 if complex_ else 1)
    return Cost((kept + peak) * width, flops)


def _node_cost(node, size: int, sizes: dict[str, int]) -> tuple[int, int]:
    """(entries of temporaries, operations) to compute one node from its children's values."""
    name = type(node).__name__
    if name == "Mul":  # left to right: rows of the first × columns so far, one product each
        matrices = [f for f in node.factors if not f.is_scalar] or list(node.factors)
        rows = size_of(matrices[0].shape[0], sizes)
        work, inner, extra = 0, size_of(matrices[0].shape[1], sizes), 0
        for f in matrices[1:]:
            cols = size_of(f.shape[1], sizes)
            work += rows * inner * cols
            extra = max(extra, rows * cols)
            inner = cols
        return extra, work + size
    if name in ("Inverse", "Det", "LogDet", "Power"):
        n = size_of(node.children[0].shape[0], sizes)
        times = max(1, int(abs(getattr(node, "k", 1))).bit_length()) if name == "Power" else 1
        return 2 * n * n, times * n ** 3
    if name in ("Commutation", "Identity"):  # built from an identity matrix of the same size
        return size, size
    if name == "Duplication":
        return size, size
    if name == "Add":
        return size, size * len(node.children)
    return 0, max(size, *(entries(c, sizes) for c in node.children)) if node.children else size


# ── the commands ────────────────────────────────────────────────────────────────────────

def require_check(exprs: Iterable, names: Iterable, sizes: dict[str, int], points: int) -> None:
    """`check` evaluates the question, matcalc's Jacobian and the claim in full at each point,
    after up to four tries for a point where they are defined (each with a condition number,
    an SVD of about ten products' work, for every inverse and determinant)."""
    cost = point(names, sizes, points * 4) + dense(exprs, sizes) * (points * 16)
    require(cost, "checking this claim", "give smaller sizes with --shape, or leave sizes "
                  "symbolic (--shape X=m,n): check picks sizes up to 7 for those")


def require_verify(f, names: Iterable, sizes: dict[str, int], evaluations: int,
                   method: str, hint: str) -> None:
    """`verify EXPR`: a random point, then f at shifted points; no piece written out may have
    more than MAX_PIECE entries, and the whole must fit in time."""
    names = list(names)
    for v in names:
        if entries(v, sizes) > MAX_PIECE:
            rows, cols = (size_of(d, sizes) for d in v.shape)
            raise LimitError(f"verify writes out arrays of at most {MAX_PIECE:,} entries "
                             f"(2048×2048), but {v.name} would be {rows:,}×{cols:,}; {hint}")
    complex_ = method == "complex"
    cost = point(names, sizes, 4, complex_) + dense([f], sizes, complex_) * evaluations
    require(cost.exact() if method == "exact" else cost, "verifying this answer", hint)


def table_seconds(n: int) -> float:
    """The verify table's run time at size n, fitted to measurements on two busy cores
    (5 s at n = 64, 11 s at 128, 17 s at 256, more than 90 s at 512)."""
    return 0.08 * n + 5e-7 * n ** 3


def largest_table_size() -> int:
    n = 1
    while table_seconds(n + 1) <= MAX_SECONDS:
        n += 1
    return n


def require_table(n: int) -> None:
    seconds = table_seconds(n)
    if seconds > MAX_SECONDS:
        raise LimitError(f"the whole verify table at --size {n:,} would take about "
                         f"{human_seconds(seconds)}, and matcalc stops at an estimated "
                         f"{MAX_SECONDS} s; use --size {largest_table_size()} or less, or "
                         "verify one expression at a large size (matcalc verify EXPR --size N)")


__all__ = ["Cost", "require", "require_check", "require_verify", "require_table", "dense",
           "point", "MAX_BYTES", "MAX_SECONDS", "MAX_PIECE"]
