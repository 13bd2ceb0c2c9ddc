"""The simplifier: canonical constructors that apply the identities of matrix calculus.

`simplify(e)` rebuilds e bottom-up through one constructor per kind of node. Each constructor
tries its named identities in turn (each returns None when it does not apply), so an answer
reaches the forms of Magnus & Neudecker's tables: the mixed product (A⊗B)(C⊗D) = AC ⊗ BD,
vecᵀ(G)(C ⊗ A) = vecᵀ(AᵀGC), vecᵀ(G)K = vecᵀ(Gᵀ), (A⊗B)ᵀ = Aᵀ⊗Bᵀ, (Aᵀ)⁻¹ = A⁻ᵀ, and
like terms and common factors collected. A scalar function's Jacobian ends as one c·vecᵀ(G).
"""
from __future__ import annotations

import functools
import itertools
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction

from .dims import ONE
from .expr import (Add, Commutation, Det, DiagMatrix, DiagPart, Duplication, ElementFunc, ElementPow, Expr,
                   Func, Hadamard, Identity, Inverse, Kron, LogDet, LogSumExp, Mul, Norm, Num, Ones,
                   Power, ScalarPow, Size, Softmax, SumAll, Trace, Transpose, Var, Vec, Zero)
from .expr import Adj, Chol, DivDiff, Extreme, Factor, Frechet, HalfLower, MatFunc, Pinv, Spectrum
from .expr import symbolic_power, tree_size
from ..limits import check_power

ZERO, ONE_NUM = Num(Fraction(0)), Num(Fraction(1))

# ── naming the identities as they fire ──────────────────────────────────────────────────

_TRACE: ContextVar[list | None] = ContextVar("simplify_trace", default=None)


@contextmanager
def tracing() -> Iterator[list]:
    """Record, while the block runs, each named identity that fires as (name, before, after).

    Step-by-step output uses it to say why an expression changed; outside such a block the
    record is None and naming an identity costs one lookup.
    """
    token = _TRACE.set([])
    try:
        yield _TRACE.get()
    finally:
        _TRACE.reset(token)


@contextmanager
def _unrecorded() -> Iterator[None]:
    """For a test that builds expressions only to compare them: nothing it does is a step."""
    token = _TRACE.set(None)
    try:
        yield
    finally:
        _TRACE.reset(token)


def _fired(name: str, before, after):
    """Note that the identity `name` rewrote `before` as `after`; returns `after`."""
    trace = _TRACE.get()
    if trace is not None:
        trace.append((name, before, after))
    return after


def number(value) -> Num:
    return Num(Fraction(value))


def _per_node(fact: Callable[[Expr], object]) -> Callable[[Expr], object]:
    """Remember a fact about a node: nodes are immutable and shared, so a fact computed once
    holds wherever the node recurs, and a walk over a shared subtree is done once."""
    known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(fact)
    def remembered(e: Expr):
        value = known.get(e, known)
        if value is known:
            value = known[e] = fact(e)
        return value
    return remembered


# ── small views ─────────────────────────────────────────────────────────────────────────

def split_coefficient(e: Expr) -> tuple[Fraction, Expr | None]:
    """e = c·rest with c a number; rest is None when e is a plain number."""
    if isinstance(e, Num):
        return e.value, None
    if isinstance(e, Mul) and isinstance(e.factors[0], Num):
        rest = e.factors[1:]
        return e.factors[0].value, rest[0] if len(rest) == 1 else Mul(rest)
    return Fraction(1), e


def with_coefficient(c: Fraction, rest: Expr | None) -> Expr:
    if rest is None:
        return Num(c)
    return mul(Num(c), rest) if c != 1 else rest


def row_gradient(e: Expr) -> Expr | None:
    """G when e is the row vecᵀ(G), whether written so or as gᵀ for a column g."""
    if isinstance(e, Transpose) and isinstance(e.arg, Vec):
        return e.arg.arg
    if isinstance(e, Transpose) and e.arg.shape[1] == ONE:
        return e.arg
    if isinstance(e, Ones) and e.rows == ONE:  # 𝟏ᵀ = vecᵀ(𝟏)
        return Ones(e.cols, ONE)
    return None


def column_matrix(e: Expr) -> Expr | None:
    """M when e is the column vec(M); a column vector is its own vec."""
    if isinstance(e, Vec):
        return e.arg
    if e.shape[1] == ONE:
        return e
    return None


def _factors(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Mul) and (not e.is_scalar or not e.matrices):
        return e.factors
    return (e,)


# ── products ────────────────────────────────────────────────────────────────────────────

def mixed_product(a: Expr, b: Expr):
    """(A ⊗ B)(C ⊗ D) = AC ⊗ BD"""
    if isinstance(a, Kron) and isinstance(b, Kron) and a.left.shape[1] == b.left.shape[0] \
            and a.right.shape[1] == b.right.shape[0]:
        return (kron(mul(a.left, b.left), mul(a.right, b.right)),)


def vec_trace(a: Expr, b: Expr):
    """vecᵀ(G)(C ⊗ A) = vecᵀ(AᵀGC)"""
    G = row_gradient(a)
    if G is not None and isinstance(b, Kron):
        C, A = b.left, b.right
        if G.shape[1] == ONE and A.shape[0] == ONE and C.shape[0] == G.shape[0] != ONE:
            G = transpose(G)  # a vector has one vec, standing as a column or as a row
        if A.shape[0] == G.shape[0] and C.shape[0] == G.shape[1]:
            return (vecT(mul(transpose(A), G, C)),)


def vec_commutation(a: Expr, b: Expr):
    """vecᵀ(G)K_mn = vecᵀ(Gᵀ)"""
    G = row_gradient(a)
    if G is not None and isinstance(b, Commutation) and G.shape == (b.n, b.m):
        return (vecT(transpose(G)),)


def inner_product(a: Expr, b: Expr):
    """vecᵀ(G) vec(M) = tr(GᵀM)"""
    G, M = row_gradient(a), column_matrix(b)
    if G is not None and M is not None and G.shape == M.shape and \
            (isinstance(getattr(a, "arg", None), Vec) or isinstance(b, Vec)):
        return (trace(mul(transpose(G), M)),)


def kron_vec(a: Expr, b: Expr):
    """(C ⊗ A) vec(M) = vec(AMCᵀ)"""
    M = column_matrix(b)
    if isinstance(a, Kron) and isinstance(b, Vec) and M is not None:
        C, A = a.left, a.right
        if A.shape[1] == M.shape[0] and C.shape[1] == M.shape[1]:
            return (vec(mul(A, M, transpose(C))),)


def commutation_vec(a: Expr, b: Expr):
    """K_mn vec(M) = vec(Mᵀ)"""
    if isinstance(a, Commutation) and isinstance(b, Vec) and b.arg.shape == (a.m, a.n):
        return (vec(transpose(b.arg)),)


def commutation_left(a: Expr, b: Expr):
    """(B ⊗ A)K_qn = K_pm(A ⊗ B) for A m×n, B p×q: the commutation matrix moves left."""
    if isinstance(a, Kron) and isinstance(b, Commutation):
        B, A = a.left, a.right
        if (b.m, b.n) == (B.shape[1], A.shape[1]):
            return (commutation(B.shape[0], A.shape[0]), kron(A, B))


def commutation_inverse(a: Expr, b: Expr):
    """K_nm K_mn = I"""
    if isinstance(a, Commutation) and isinstance(b, Commutation) and (a.m, a.n) == (b.n, b.m):
        return (Identity(a.shape[0]),)


def _as_power(e: Expr) -> tuple[Expr, int, bool]:
    """e = (base^k)ᵀ or base^k, as (base, k, transposed)."""
    transposed = isinstance(e, Transpose)
    inner = e.arg if transposed else e
    if isinstance(inner, Power):
        return inner.arg, inner.k, transposed
    if isinstance(inner, Inverse):
        return inner.arg, -1, transposed
    return inner, 1, transposed


def powers(a: Expr, b: Expr):
    """AᵏAʲ = Aᵏ⁺ʲ, so A⁻¹A = I and X⁻ᵀX⁻ᵀ = (X⁻²)ᵀ"""
    base, j, transposed = _as_power(a)
    other, k, other_transposed = _as_power(b)
    if base is other and transposed == other_transposed and base.shape[0] == base.shape[1]:
        combined = power(base, j + k)
        return (transpose(combined) if transposed else combined,)


def vec_hadamard(a: Expr, b: Expr):
    """vecᵀ(G) diag(vec H) = vecᵀ(G ∘ H)"""
    G = row_gradient(a)
    if G is not None and isinstance(b, DiagMatrix):
        H = column_matrix(b.arg)
        if G.shape != H.shape:
            G, H = vec(G), b.arg
        if G.shape == H.shape:
            return (vecT(hadamard(G, H)),)


def diag_vec(a: Expr, b: Expr):
    """diag(vec H) vec(M) = vec(H ∘ M)"""
    M = column_matrix(b)
    if isinstance(a, DiagMatrix) and M is not None:
        H = column_matrix(a.arg)
        if H.shape != M.shape:
            H, M = a.arg, vec(M)
        if H.shape == M.shape:
            return (vec(hadamard(H, M)),)


def diag_diag(a: Expr, b: Expr):
    """diag(u) diag(v) = diag(u ∘ v)"""
    if isinstance(a, DiagMatrix) and isinstance(b, DiagMatrix):
        return (diag_matrix(hadamard(a.arg, b.arg)),)


def diagonal_ones(a: Expr, b: Expr):
    """(M ∘ I)𝟏 = diag(M), and diag(v)𝟏 = v"""
    if isinstance(b, Ones) and b.shape[1] == ONE:
        if isinstance(a, Hadamard) and isinstance(a.right, Identity):
            return (diag_part(a.left),)
        if isinstance(a, DiagMatrix):
            return (a.arg,)


def commutation_duplication(a: Expr, b: Expr):
    """K Dₙ = Dₙ and Dₙᵀ K = Dₙᵀ: transposing a symmetric matrix changes nothing"""
    if isinstance(a, Commutation) and isinstance(b, Duplication) and a.m == a.n == b.n:
        return (b,)
    if isinstance(b, Commutation) and isinstance(a, Transpose) and \
            isinstance(a.arg, Duplication) and b.m == b.n == a.arg.n:
        return (a,)


def ones_ones(a: Expr, b: Expr):
    """𝟏𝟏ᵀ = 𝟏, the outer product of two columns of ones; 𝟏ₙᵀ𝟏ₙ = n, their inner product"""
    if isinstance(a, Ones) and isinstance(b, Ones) and a.cols == ONE:
        return (Ones(a.rows, b.cols),)
    if isinstance(a, Ones) and isinstance(b, Ones) and a.rows == ONE and b.cols == ONE:
        n = a.cols
        return (number(n.value) if n.value is not None else Size(n),)


def ones_sum(a: Expr, b: Expr):
    """yᵀ𝟏 = 𝟏ᵀy = sum(y) for a column y"""
    if isinstance(b, Ones) and b.shape[1] == ONE and isinstance(a, Transpose) and \
            a.arg.shape[1] == ONE and not isinstance(a.arg, Ones):
        return (sum_all(a.arg),)
    if isinstance(a, Ones) and a.shape[0] == ONE and b.shape[1] == ONE and \
            not isinstance(b, (Ones, Vec)) and b.shape[0] != ONE:
        return (sum_all(b),)


PAIR_RULES: tuple[Callable, ...] = (mixed_product, vec_trace, vec_commutation, inner_product,
                                    kron_vec, commutation_vec, commutation_left,
                                    commutation_inverse, diag_diag, powers, vec_hadamard,
                                    diag_vec, diagonal_ones, ones_ones, commutation_duplication,
                                    ones_sum)

IDENTITY_NAMES: dict[Callable, str] = {
    mixed_product: "mixed-product identity",
    vec_trace: "vec–trace identity",
    vec_commutation: "commutation identity",
    inner_product: "vec–trace identity",
    kron_vec: "vec–Kronecker identity",
    commutation_vec: "commutation identity",
    commutation_left: "commutation identity",
    commutation_inverse: "commutation identity",
    powers: "power identity",
    vec_hadamard: "vec–Hadamard identity",
    diag_vec: "vec–Hadamard identity",
    diag_diag: "Hadamard product of diagonals",
    diagonal_ones: "diagonal identity",
    ones_ones: "outer product of ones",
    commutation_duplication: "symmetry",
    ones_sum: "sum of elements",
}


# ── matrix functions and decompositions ──

def frechet_row(a: Expr, b: Expr):
    """vecᵀ(G) ∂f(X) = vecᵀ(V⁻ᵀ((VᵀGV⁻ᵀ) ∘ F)Vᵀ), or vecᵀ(Gf′(X)ᵀ) when Gᵀ commutes with X"""
    if isinstance(b, Frechet):
        G = row_gradient(a)
        if G is not None and G.shape == b.arg.shape:
            from .matfunc import in_eigenbasis_transposed
            return (vecT(in_eigenbasis_transposed(b.name, b.arg, G)),)


def frechet_column(a: Expr, b: Expr):
    """∂f(X) vec(M) = vec(V((V⁻¹MV) ∘ F)V⁻¹), or vec(f′(X)M) when M commutes with X"""
    if isinstance(a, Frechet) and isinstance(b, Vec) and b.arg.shape == a.arg.shape:
        from .matfunc import in_eigenbasis
        return (vec(in_eigenbasis(a.name, a.arg, b.arg)),)


def cholesky_product(a: Expr, b: Expr):
    """LLᵀ = S and L⁻ᵀL⁻¹ = S⁻¹ for the Cholesky factor L of S"""
    if isinstance(a, Chol) and isinstance(b, Transpose) and b.arg is a:
        return (a.arg,)
    if isinstance(a, Transpose) and isinstance(a.arg, Inverse) and isinstance(a.arg.arg, Chol) \
            and isinstance(b, Inverse) and b.arg is a.arg.arg:
        return (inverse(b.arg.arg),)


def symmetrizer_duplication(a: Expr, b: Expr):
    """(I + K)Dₙ = 2Dₙ, for KDₙ = Dₙ"""
    if isinstance(a, Add) and isinstance(b, Duplication) and len(a.terms) == 2 and \
            Identity(b.n * b.n) in a.terms and Commutation(b.n, b.n) in a.terms:
        return (number(2), b)


def orthonormal_columns(a: Expr, b: Expr):
    """VᵀV = VVᵀ = I for the orthogonal eigenvectors of a symmetric matrix; UᵀU = I for
    singular vectors"""
    if isinstance(a, Transpose) and isinstance(a.arg, Factor) and b is a.arg and \
            b.kind in ("Q", "U", "W"):
        return (Identity(b.shape[1]),)
    if isinstance(a, Factor) and a.kind == "Q" and isinstance(b, Transpose) and b.arg is a:
        return (Identity(a.shape[0]),)


PAIR_RULES += (frechet_row, frechet_column, cholesky_product, symmetrizer_duplication,
               orthonormal_columns)
IDENTITY_NAMES.update({frechet_row: "Fréchet derivative in a direction",
                       frechet_column: "Fréchet derivative in a direction",
                       cholesky_product: "Cholesky factorisation",
                       symmetrizer_duplication: "symmetry",
                       orthonormal_columns: "orthogonality"})


def _reduce_chain(chain: list[Expr]) -> list[Expr]:
    """Apply the pair rules to neighbours until none applies; identities drop out.

    The leftmost pair that a rule rewrites goes first. The pairs left of a rewrite are
    unchanged and no rule rewrote them, so the search resumes beside the rewrite rather
    than at the start.
    """
    i = 0
    has_identity = any(isinstance(f, Identity) for f in chain)
    while i < len(chain) - 1:
        found = _rewrite(chain[i], chain[i + 1])
        if found is None:
            i += 1
            continue
        pair_rule, replacement = found
        _fired(IDENTITY_NAMES[pair_rule], tuple(chain[i:i + 2]), replacement)
        new = [f for r in replacement for f in _factors(r)]
        chain[i:i + 2] = new
        if has_identity or any(isinstance(f, Identity) for f in new):  # else nothing to drop
            chain[:] = _drop_identities(chain)
            has_identity = any(isinstance(f, Identity) for f in chain)
        i = max(i - 1, 0)
    return chain


def _drop_identities(chain: list[Expr]) -> list[Expr]:
    """Identities drop out of a chain, unless a rule left only scalars beside them:
    (bᵀb) I keeps its I, or it would shrink to the scalar bᵀb."""
    kept = [f for f in chain if not isinstance(f, Identity)]
    if any(not f.is_scalar for f in kept):
        return kept
    identity = next((f for f in chain if isinstance(f, Identity)), None)
    return kept + [identity] if identity is not None else kept


_IRREDUCIBLE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rewrite(a: Expr, b: Expr) -> tuple[Callable, tuple[Expr, ...]] | None:
    """The first pair rule that rewrites the neighbours a b, and what it gives; None when none
    does. That none does is remembered (a pair rule depends on its two factors alone), so a
    long product extended one factor at a time is not searched again pair by pair."""
    irreducible = _IRREDUCIBLE.get(a)
    if irreducible is not None and b in irreducible:
        return None
    for pair_rule in PAIR_RULES:
        replacement = pair_rule(a, b)
        if replacement is not None:
            return pair_rule, replacement
    if irreducible is None:
        irreducible = _IRREDUCIBLE[a] = weakref.WeakSet()
    irreducible.add(b)
    return None


def _product_inverse(chain: list[Expr]) -> list[Expr]:
    """(F₁⋯F_k)⁻¹ F₁⋯F_k = I and F₁⋯F_k (F₁⋯F_k)⁻¹ = I inside a longer chain."""
    for i, f in enumerate(chain):
        if isinstance(f, Inverse) and isinstance(f.arg, Mul) and not f.arg.scalars:
            inner = list(f.arg.factors)
            k = len(inner)
            if chain[i + 1:i + 1 + k] == inner:
                return _fired("inverse identity", tuple(chain),
                              chain[:i] + [Identity(f.shape[0])] + chain[i + 1 + k:])
            if i >= k and chain[i - k:i] == inner:
                return _fired("inverse identity", tuple(chain),
                              chain[:i - k] + [Identity(f.shape[0])] + chain[i + 1:])
    return chain


def _combine_scalars(scalars: list[Expr]) -> tuple[Fraction, list[Expr]]:
    """Multiply the numbers and add the exponents of equal bases: |A|·|A|⁻¹ = 1."""
    coeff = Fraction(1)
    powers: dict[Expr, Fraction] = {}
    symbolic: dict[Expr, Expr] = {}  # a^b: base → its symbolic exponent
    for s in scalars:
        k = s.exponent if isinstance(s, ScalarPow) else Fraction(1)
        if (power := symbolic_power(s.arg if isinstance(s, ScalarPow) else s)) is not None:
            base, u = power  # a^b a^c = a^(b + c), (a^b)^k = a^(kb): a > 0
            u = u if k == 1 else mul(Num(k), u)
            if base in symbolic:
                _fired("power identity", base, u)
            symbolic[base] = add(symbolic[base], u) if base in symbolic else u
            continue
        if isinstance(s, (Identity, Commutation)):
            continue
        if isinstance(s, Zero):
            return Fraction(0), []
        if isinstance(s, Num):
            coeff *= s.value
            continue
        base, exponent = (s.arg, s.exponent) if isinstance(s, ScalarPow) else (s, Fraction(1))
        if isinstance(base, Func) and base.name == "sqrt":  # √u² √u = u^{3/2}
            base, exponent = base.arg, exponent / 2
        if base in powers:
            _fired("power identity", base, exponent)
        powers[base] = powers.get(base, Fraction(0)) + exponent
    for sign in [b for b in powers if isinstance(b, Func) and b.name == "sign"]:
        u, q = sign.arg, powers.get(Func("abs", sign.arg), Fraction(0))
        if powers[sign] != 1:
            continue
        if q.denominator == 1 and q % 2 == 1:  # sign(u)|u|^q = u^q for odd q: d|u|² = 2u du
            _fired("power identity", (sign, Func("abs", u)), u)
            del powers[sign], powers[Func("abs", u)]
            powers[u] = powers.get(u, Fraction(0)) + q
        elif powers.get(u, 0) >= 1:  # sign(u)·u = |u|
            _fired("power identity", (sign, u), Func("abs", u))
            del powers[sign]
            powers[u] -= 1
            powers[Func("abs", u)] = q + 1
    for base, u in symbolic.items():  # a^b/a = a^(b − 1): the power a paper writes
        if powers.get(base):
            u = _fired("power identity", (base, u), add(u, Num(powers.pop(base))))
        power = base_power(base, u)
        powers[power] = powers.get(power, Fraction(0)) + 1
    rebuilt = [spow(b, e) for b, e in powers.items() if e != 0]
    out = []
    for r in rebuilt:
        c, rest = split_coefficient(r)
        coeff *= c
        if rest is not None:
            out.extend(_factors(rest))
    return coeff, out


def base_power(base: Expr, u: Expr) -> Expr:
    """a^u = exp(u ln a) (element by element for a matrix a), for a > 0; a number u makes it
    a plain power again (a^b a^(2 − b) = a², a^0 = 1)."""
    if isinstance(u, Num):
        if u.value == 0:
            return ONE_NUM if base.is_scalar else Ones(*base.shape)
        return spow(base, u.value) if base.is_scalar else element_power(base, u.value)
    if base.is_scalar:
        return func("exp", mul(u, func("log", base)))
    return element_function("exp", mul(u, element_function("log", base)))


def _softmax_of(scalars: list[Expr], m: Expr) -> tuple[list[Expr], list[Expr]]:
    """exp(x)/sum(exp(x)) = softmax(x), and exp(x)ᵀ/sum(exp(x)) = softmax(x)ᵀ."""
    column = m.arg if isinstance(m, Transpose) else m
    x = _exp_of(column)
    total = ScalarPow(SumAll(column), Fraction(-1))
    if x is None or x.shape[1] != ONE or total not in scalars:
        return scalars, [m]
    s = _fired("softmax identity", (column, total), Softmax(x))
    return [f for f in scalars if f is not total], [Transpose(s) if column is not m else s]


def mul(*factors: Expr) -> Expr:
    flat = [f for factor in factors for f in _factors(factor)]
    shape = Mul(tuple(flat)).shape if len(flat) > 1 else flat[0].shape
    if any(isinstance(f, Zero) for f in flat):
        return Zero(*shape)
    coeff, scalars = _combine_scalars([f for f in flat if f.is_scalar])
    if coeff == 0:
        return Zero(*shape)
    chain = [f for f in flat if not f.is_scalar]
    if len(chain) == 1 and scalars:
        scalars, chain = _softmax_of(scalars, chain[0])
    if chain:
        chain = [f for f in chain if not isinstance(f, Identity)] or chain[:1]
        chain = _reduce_chain(_product_inverse(chain))
        if any(f.is_scalar or isinstance(f, Zero) for f in chain):  # a rule made a scalar
            return mul(Num(coeff), *scalars, *chain)
        inner = _inner_scalar(chain)
        if inner is not None:
            i, k = inner
            return mul(Num(coeff), *scalars, mul(*chain[i:k + 1]), *chain[:i], *chain[k + 1:])
        moved = _row_through_kron(chain)
        if moved is not None:
            return mul(Num(coeff), *scalars, *moved)
        distributed = _distribute(coeff, scalars, chain)
        if distributed is not None:
            return distributed
    factors = ([Num(coeff)] if coeff != 1 or not (scalars or chain) else []) + scalars + chain
    return factors[0] if len(factors) == 1 else Mul(tuple(factors))


def _inner_scalar(chain: list[Expr]) -> tuple[int, int] | None:
    """The first run row⋯column inside a longer chain: a scalar, which moves to the front
    (bᵀDb vecᵀ(I) ⋯, not a chain that only reads as a product of matrices)."""
    for i, first in enumerate(chain):
        if first.shape[0] == ONE:
            for k in range(i + 1, len(chain)):
                if chain[k].shape[1] == ONE:
                    return (i, k) if (i, k) != (0, len(chain) - 1) else None
            return None
    return None


def _row_through_kron(chain: list[Expr]) -> list[Expr] | None:
    """r M₁⋯M_k (C ⊗ A) for a row r, e.g. (cᵀ + bᵀXᵀ)D(bᵀ ⊗ I): the row r M₁⋯M_k is vecᵀ(g)
    for the column g = (r M₁⋯M_k)ᵀ, so vecᵀ(G)(C ⊗ A) = vecᵀ(AᵀGC) or vecᵀ(G)K = vecᵀ(Gᵀ)
    can take it in, and a scalar function's Jacobian still ends as one vecᵀ(G)."""
    if len(chain) < 2 or chain[0].shape[0] != ONE:
        return None
    j = next((k for k, f in enumerate(chain) if isinstance(f, (Kron, Commutation))), 0)
    if j == 0 or (j == 1 and row_gradient(chain[0]) is not None):
        return None  # no Kronecker factor to take it in, or the pair rules already see it
    row = Transpose(transpose(mul(*chain[:j])))
    for pair_rule in (vec_trace, vec_commutation):
        replacement = pair_rule(row, chain[j])
        if replacement is not None:
            return [f for r in replacement for f in _factors(r)] + chain[j + 1:]
    return None


def _distribute(coeff: Fraction, scalars: list[Expr], chain: list[Expr]) -> Expr | None:
    """vecᵀ(G)(S₁ + S₂)R = vecᵀ(G)S₁R + vecᵀ(G)S₂R, when that lets vecᵀ(G) absorb the Sᵢ."""
    if len(chain) < 2 or row_gradient(chain[0]) is None or not isinstance(chain[1], Add):
        return None
    head, terms, tail = chain[0], chain[1].terms, chain[2:]
    if not any(_absorbs(head, t) for t in terms):
        return None
    return _fired("distributive law", chain,
                  add(*(mul(Num(coeff), *scalars, head, t, *tail) for t in terms)))


def _absorbs(row: Expr, term: Expr) -> bool:
    first = _factors(split_coefficient(term)[1] or term)
    first = [f for f in first if not f.is_scalar]
    return bool(first) and (isinstance(first[0], Identity) or
                            any(r(row, first[0]) for r in PAIR_RULES))


# ── sums ────────────────────────────────────────────────────────────────────────────────

def add(*terms: Expr) -> Expr:
    flat = [t for term in terms for t in (term.terms if isinstance(term, Add) else (term,))]
    shape = flat[0].shape
    if len(flat) > 1:
        Add(tuple(flat))  # checks the shapes
    coefficients: dict[Expr | None, Fraction] = {}
    for t in flat:
        if isinstance(t, Zero):
            continue
        c, rest = split_coefficient(t)
        if rest in coefficients:
            _fired("like terms", rest, c)
        coefficients[rest] = coefficients.get(rest, Fraction(0)) + c
    _logistic_pairs(coefficients)
    collected = [with_coefficient(c, rest) for rest, c in coefficients.items() if c != 0]
    if not collected:
        return Zero(*shape) if shape != (ONE, ONE) else ZERO
    if len(collected) == 1:
        return collected[0]
    common = _common_coefficient([split_coefficient(t)[0] for t in collected])
    if common != 1 and not any(isinstance(split_coefficient(t)[1], Add) for t in collected):
        # −5I − 5K = −5(I + K), −1 − 3t = −(1 + 3t); but −I − (I + K)/2 stays flat
        return mul(Num(common), add(*(with_coefficient(c / common, rest) for c, rest in
                                      map(split_coefficient, collected))))
    collected.sort(key=_reading_order)
    return _merge_vecs(collected) or _common_factor(collected) or _row_sum(collected) or \
        _diag_sum(collected) or _hadamard_common(collected) or _hadamard_expanded(collected) or \
        Add(tuple(collected))


def _diag_sum(terms: list[Expr]) -> Expr | None:
    """diag(u) − diag(v) = diag(u − v)"""
    parts = [split_coefficient(t) for t in terms]
    if not all(isinstance(rest, DiagMatrix) and not isinstance(rest.arg, Vec) for _, rest in parts):
        return None
    return _fired("linearity of diag", tuple(terms),
                  diag_matrix(add(*(with_coefficient(c, rest.arg) for c, rest in parts))))


def _exponents(e: Expr) -> dict[Expr, Fraction]:
    """A Hadamard product as {base: exponent}: s ∘ u.^2 ∘ s is {s: 2, u: 2}."""
    powers: dict[Expr, Fraction] = {}
    for f in _hadamard_factors(e):
        base, k = _element_base(f)
        powers[base] = powers.get(base, Fraction(0)) + k
    return powers


def _hadamard_common(terms: list[Expr]) -> Expr | None:
    """s ∘ u.^2 − s.^2 ∘ u = s ∘ u ∘ (u − s): the factors every term shares taken out of a
    sum of Hadamard products, when that makes it smaller."""
    parts = [split_coefficient(t) for t in terms]
    if not all(isinstance(rest, Hadamard) for _, rest in parts):
        return None
    powers = [_exponents(rest) for _, rest in parts]
    if any(isinstance(base, Identity) for p in powers for base in p):
        return None  # F ∘ I picks a diagonal: 2G − G ∘ I stays as the books write it
    if all(len(p) == 1 and next(iter(p.values())) == 1 for p in powers):
        return None
    common = {base: min(p.get(base, Fraction(0)) for p in powers) for base in powers[0]}
    common = {base: k for base, k in common.items() if k > 0}
    if not common:
        return None
    with _unrecorded():
        shared = functools.reduce(hadamard, [element_power(b, k) for b, k in common.items()])
        rests = []
        for (c, _), p in zip(parts, powers):
            left = [element_power(b, k - common.get(b, 0)) for b, k in p.items()
                    if k != common.get(b, 0)]
            rests.append(with_coefficient(c, functools.reduce(hadamard, left) if left
                                          else Ones(*terms[0].shape)))
        result = hadamard(shared, add(*rests))
    if tree_size(result) >= tree_size(Add(tuple(terms))):
        return None
    return _fired("common factor", tuple(terms), result)


def _hadamard_expanded(terms: list[Expr]) -> Expr | None:
    """y ∘ (𝟏 − s) − s ∘ (𝟏 − y) = y − s: Hadamard products multiplied out over their sums,
    when like terms then cancel and the sum is smaller."""
    if not any(isinstance(split_coefficient(t)[1], Hadamard) for t in terms):
        return None
    expanded, changed = [], False
    for t in terms:
        c, rest = split_coefficient(t)
        factors = _hadamard_factors(rest) if isinstance(rest, Hadamard) else None
        if factors is None or not any(isinstance(f, Add) for f in factors):
            expanded.append(t)
            continue
        changed = True
        choices = [f.terms if isinstance(f, Add) else (f,) for f in factors]
        for combination in itertools.product(*choices):
            coeff, parts = c, []
            for part in combination:
                k, r = split_coefficient(part)
                coeff *= k
                if r is not None and not isinstance(r, Ones):
                    parts.append(r)
            parts.sort(key=_plain_text)
            body = functools.reduce(hadamard, parts) if parts else Ones(*t.shape)
            expanded.append(with_coefficient(coeff, body))
    if not changed:
        return None
    with _unrecorded():
        result = add(*expanded)
    if tree_size(result) >= tree_size(Add(tuple(terms))):
        return None
    return _fired("distributive law", tuple(terms), result)


@_per_node
def _plain_text(e: Expr) -> str:
    """A fixed order for the factors of a Hadamard product, so that like terms meet."""
    from ..render import render
    return render(e, "ascii")


def _row_sum(terms: list[Expr]) -> Expr | None:
    """bᵀ + xᵀAᵀ = (Ax + b)ᵀ: a sum of rows written as one transposed column, when that has
    fewer transposes."""
    first = terms[0]
    if first.shape[0] != ONE or first.shape[1] == ONE:
        return None
    with _unrecorded():
        flipped = [transpose(t) for t in terms]
    if sum(map(_count_transposes, flipped)) + 1 >= sum(map(_count_transposes, terms)):
        return None
    return _fired("transpose of a sum", tuple(terms), Transpose(add(*flipped)))


def _logistic_pairs(coefficients: dict) -> None:
    """a σ(z) + b σ(−z) = (a − b) σ(z) + b𝟏, since σ(−z) = 𝟏 − σ(z); in place."""
    for rest in list(coefficients):
        if isinstance(rest, (Func, ElementFunc)) and rest.name == "sigmoid":
            z = _negated(rest.arg)
            twin = None if z is None else (Func if rest.is_scalar else ElementFunc)("sigmoid", z)
            if twin is not None and twin in coefficients and coefficients[rest] != 0:
                b = coefficients.pop(rest)
                _fired("logistic identity", rest, twin)
                coefficients[twin] -= b
                one = None if rest.is_scalar else Ones(*rest.shape)
                coefficients[one] = coefficients.get(one, Fraction(0)) + b


def _common_coefficient(coefficients: list[Fraction]) -> Fraction:
    """The number to take out of a sum: one every term shares, or −1 when all are negative."""
    if all(c == coefficients[0] for c in coefficients):
        return coefficients[0]
    return Fraction(-1) if all(c < 0 for c in coefficients) else Fraction(1)


def _reading_order(term: Expr) -> tuple[bool, bool, int, int]:
    """Positive terms first, I first, then fewer transposes: I + K, A + Aᵀ, I ⊗ X + Xᵀ ⊗ I;
    then products before single factors: Ax + b."""
    coeff, rest = split_coefficient(term)
    return (coeff < 0, not isinstance(rest, Identity), _count_transposes(term),
            -sum(not f.is_scalar for f in _factors(rest)) if rest is not None else 0)


@_per_node
def _count_transposes(e: Expr) -> int:
    """The transposes in e written out as a tree."""
    return isinstance(e, Transpose) + sum(map(_count_transposes, e.children))


def _merge_vecs(terms: list[Expr]) -> Expr | None:
    """c₁vecᵀ(G₁) + c₂vecᵀ(G₂) = vecᵀ(c₁G₁ + c₂G₂)"""
    parts = []
    for t in terms:
        factors = _factors(t)
        scalars, rows = [f for f in factors if f.is_scalar], [f for f in factors if not f.is_scalar]
        if len(rows) != 1 or not (isinstance(rows[0], Transpose) and isinstance(rows[0].arg, Vec)):
            return None
        parts.append(mul(*scalars, rows[0].arg.arg))
    if any(p.shape != parts[0].shape for p in parts):
        return None
    return _fired("linearity of vec", tuple(terms), vecT(add(*parts)))


def _common_factor(terms: list[Expr]) -> Expr | None:
    """AB + AC = A(B + C) and BA + CA = (B + C)A, for a factor common to every term."""
    chains = [_factors(t) for t in terms]
    for side in (-1, 0):
        ends = [next((f for f in (c[::-1] if side == -1 else c) if not f.is_scalar), None)
                for c in chains]
        end = ends[0]
        if end is None or any(e is not end for e in ends):
            continue
        rests, scalar_rests = [], []
        for c in chains:
            rest = list(c)
            position = len(rest) - 1 - rest[::-1].index(end) if side == -1 else rest.index(end)
            del rest[position]
            matrices = [f for f in rest if not f.is_scalar]
            size = end.shape[0] if side == -1 else end.shape[1]
            rests.append(mul(*rest, Identity(size)) if not matrices else mul(*rest))
            scalar_rests.append(None if matrices else mul(*rest) if rest else ONE_NUM)
        if side == 0 and row_gradient(end) is not None and any(_absorbs(end, r) for r in rests):
            continue  # vecᵀ(G) is distributed over such sums, not factored out of them
        if None not in scalar_rests:  # tD + D = (1 + t)D, not (I + tI)D
            return _fired("common factor", tuple(terms), mul(add(*scalar_rests), end))
        inner = add(*rests)
        return _fired("common factor", tuple(terms),
                      mul(inner, end) if side == -1 else mul(end, inner))
    scalar_sets = [[f for f in c if f.is_scalar and not isinstance(f, Num)] for c in chains]
    common = [s for s in scalar_sets[0] if all(s in other for other in scalar_sets[1:])]
    if common:
        rests = [[f for f in c if f not in common] for c in chains]
        rests = [mul(*rest) if rest else ONE_NUM for rest in rests]  # t·e + t = t(e + 1)
        return _fired("common factor", tuple(terms), mul(*common, add(*rests)))
    return None


# ── transpose, inverse, Kronecker ───────────────────────────────────────────────────────

def transpose(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    if isinstance(e, Transpose):
        return _fired("double transpose", e, e.arg)
    if isinstance(e, Identity):
        return e
    if isinstance(e, Zero):
        return Zero(e.cols, e.rows)
    if isinstance(e, Commutation):
        return _fired("commutation identity", e, commutation(e.n, e.m))
    if isinstance(e, Mul):
        return _fired("transpose of a product", e,
                      mul(*e.scalars, *(transpose(f) for f in reversed(e.matrices))))
    if isinstance(e, Add):
        with _unrecorded():
            flipped = [transpose(t) for t in e.terms]
        return e if set(flipped) == set(e.terms) else \
            _fired("transpose of a sum", e, add(*flipped))
    if isinstance(e, Kron):
        return _fired("transpose of a Kronecker product", e,
                      kron(transpose(e.left), transpose(e.right)))
    if isinstance(e, (Inverse, Power)) and _is_symmetric(e.arg):
        return _fired("symmetry", Transpose(e), e)  # ((XᵀX)⁻²)ᵀ = (XᵀX)⁻²
    if isinstance(e, Ones):
        return Ones(e.cols, e.rows)
    if isinstance(e, DiagMatrix):
        return _fired("symmetry", Transpose(e), e)
    if isinstance(e, (MatFunc, Adj)) and _is_symmetric(e.arg):
        return _fired("symmetry", Transpose(e), e)
    return Transpose(e)


@_per_node
def _is_symmetric(e: Expr) -> bool:
    with _unrecorded():
        return transpose(e) is e


def inverse(e: Expr) -> Expr:
    if e.is_scalar:
        return spow(e, Fraction(-1))
    if isinstance(e, Inverse):
        return _fired("double inverse", e, e.arg)
    if isinstance(e, Identity):
        return e
    if isinstance(e, Commutation):
        return _fired("commutation identity", e, commutation(e.n, e.m))
    if isinstance(e, Transpose):
        return _fired("inverse of a transpose", e, transpose(inverse(e.arg)))
    if isinstance(e, Kron):
        return _fired("inverse of a Kronecker product", e,
                      kron(inverse(e.left), inverse(e.right)))
    if isinstance(e, Power):
        return power(e.arg, -e.k)
    if isinstance(e, Mul) and e.scalars:
        return mul(spow(mul(*e.scalars), Fraction(-1)), inverse(mul(*e.matrices)))
    if isinstance(e, Mul) and len(e.matrices) == 1:
        return inverse(e.matrices[0])
    return Inverse(e)


def power(e: Expr, k: int) -> Expr:
    if e.is_scalar:
        return spow(e, Fraction(k))
    if k == 0:
        return Identity(e.shape[0])
    if k == 1:
        return e
    if k == -1:
        return inverse(e)
    if isinstance(e, Identity) or isinstance(e, Zero) and k > 0:
        return e
    if isinstance(e, Transpose):
        return transpose(power(e.arg, k))
    if isinstance(e, Inverse):
        return power(e.arg, -k)
    if isinstance(e, Power):
        return power(e.arg, e.k * k)
    if isinstance(e, MatFunc) and e.name == "sqrtm" and k % 2 == 0:
        return _fired("power identity", Power(e, k), power(e.arg, k // 2))
    return Power(e, k)


def kron(a: Expr, b: Expr) -> Expr:
    if a.is_scalar or b.is_scalar:
        return mul(a, b)
    if isinstance(a, Zero) or isinstance(b, Zero):
        return Zero(*Kron(a, b).shape)
    if isinstance(a, Identity) and isinstance(b, Identity):
        return Identity(a.n * b.n)
    ca, ra = split_coefficient(a)
    cb, rb = split_coefficient(b)
    if ca * cb != 1:
        return _fired("scalars out of a Kronecker product", (a, b), mul(Num(ca * cb), kron(ra, rb)))
    if a.shape[0] == ONE and b.shape[0] == ONE:  # rows: bᵀ ⊗ aᵀ = vecᵀ(abᵀ)
        return _fired("vec of an outer product", (a, b), vecT(mul(transpose(b), a)))
    return Kron(a, b)


def commutation(m, n) -> Expr:
    return Identity(m * n) if m == ONE or n == ONE else Commutation(m, n)


# ── vec, trace, determinants, scalar functions ──────────────────────────────────────────

def vec(e: Expr) -> Expr:
    if e.shape[1] == ONE:
        return e
    if e.shape[0] == ONE:
        return transpose(e)
    if isinstance(e, Zero):
        return Zero(e.size, ONE)
    if isinstance(e, Mul) and e.scalars:
        return _fired("linearity of vec", e, mul(*e.scalars, vec(mul(*e.matrices))))
    return Vec(e)


def vecT(e: Expr) -> Expr:
    return transpose(vec(e))


def trace(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    if isinstance(e, Zero):
        return ZERO
    if isinstance(e, Identity):
        return number(e.n.value) if e.n.value is not None else _fired("trace of the identity", e, Size(e.n))
    if isinstance(e, Add):
        return _fired("linearity of the trace", e, add(*(trace(t) for t in e.terms)))
    if isinstance(e, Mul) and e.scalars:
        return _fired("linearity of the trace", e, mul(*e.scalars, trace(mul(*e.matrices))))
    if isinstance(e, Transpose):
        return _fired("trace of a transpose", e, trace(e.arg))
    if isinstance(e, Kron):
        L, R = e.left, e.right
        if L.shape[0] == L.shape[1] and R.shape[0] == R.shape[1]:
            return _fired("trace of a Kronecker product", e, mul(trace(L), trace(R)))
        if L.shape[1] == ONE and R.shape[0] == ONE:  # tr(a ⊗ bᵀ) = tr(abᵀ) = bᵀa
            return _fired("trace of an outer product", e, mul(R, L))
        if L.shape[0] == ONE and R.shape[1] == ONE:  # tr(bᵀ ⊗ a) = tr(abᵀ) = bᵀa
            return _fired("trace of an outer product", e, mul(L, R))
    return Trace(e)


def det(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    if isinstance(e, Identity):
        return ONE_NUM
    if isinstance(e, Transpose):
        return _fired("determinant of a transpose", e, det(e.arg))
    if isinstance(e, Inverse):
        return _fired("determinant of an inverse", e, spow(det(e.arg), Fraction(-1)))
    return Det(e)


def logdet(e: Expr) -> Expr:
    if e.is_scalar:
        return func("log", e)
    if isinstance(e, Identity):
        return ZERO
    if isinstance(e, Transpose):
        return _fired("determinant of a transpose", e, logdet(e.arg))
    if isinstance(e, Inverse):
        return _fired("determinant of an inverse", e, mul(number(-1), logdet(e.arg)))
    return LogDet(e)


def func(name: str, e: Expr) -> Expr:
    if name == "log" and isinstance(e, Det):
        return logdet(e.arg)
    if name == "log" and isinstance(e, SumAll) and _exp_of(e.arg) is not None and \
            e.arg.shape[1] == ONE:
        return _fired("logsumexp identity", e, logsumexp(_exp_of(e.arg)))
    if name == "log" and isinstance(e, Add) and len(e.terms) == 2 and ONE_NUM in e.terms:
        z = next(t for t in e.terms if t is not ONE_NUM)
        if isinstance(z, Func) and z.name == "exp":
            return _fired("softplus identity", e, Func("softplus", z.arg))
    if name == "log" and e is ONE_NUM:
        return ZERO
    if name == "exp" and e is ZERO:
        return ONE_NUM
    return Func(name, e)


def spow(e: Expr, exponent: Fraction) -> Expr:
    if exponent == 0:
        return ONE_NUM
    if exponent == 1:
        return e
    if isinstance(e, Num) and exponent.denominator == 1 and (e.value != 0 or exponent > 0):
        check_power(e.value, int(exponent))  # 2^99999 is refused, not computed
        return Num(e.value ** int(exponent))
    if isinstance(e, ScalarPow) and (exponent.denominator == 1 or e.exponent % 2 != 0):
        # (u^p)^q = u^(pq): for a whole q; and for p not even, as u^p ≥ 0 then needs u ≥ 0
        return spow(e.arg, e.exponent * exponent)
    if isinstance(e, Mul) and exponent.denominator == 1 and not e.matrices:
        return mul(*(spow(f, exponent) for f in e.factors))
    c, rest = split_coefficient(e)
    root = _exact_root(c, exponent.denominator) if rest is not None and c > 0 else None
    if root is not None and c != 1:  # √(4u) = 2√u: numbers cancel in fractions
        return _fired("scalars out of a power", e,
                      mul(spow(Num(root), Fraction(exponent.numerator)), spow(rest, exponent)))
    return ScalarPow(e, exponent)


def _exact_root(c: Fraction, k: int) -> Fraction | None:
    """The rational k-th root of c > 0, when there is one."""
    roots = [round(v ** (1 / k)) for v in (c.numerator, c.denominator)]
    if all(r ** k == v for r, v in zip(roots, (c.numerator, c.denominator))):
        return Fraction(roots[0], roots[1])
    return None


# ── element-wise operations, diagonals, sums and norms ──────────────────────────────────

def _pull_scalars(e: Expr) -> tuple[list[Expr], Expr]:
    """cF as ([c], F) for a product of scalars and one matrix."""
    if isinstance(e, Mul) and e.scalars and e.matrices:
        return list(e.scalars), mul(*e.matrices)
    return [], e


def _outer_with_ones(e: Expr) -> Expr | None:
    """g when e is g𝟏ᵀ or 𝟏gᵀ for a column g, whose Hadamard product with I is diag(g)."""
    if isinstance(e, Mul) and len(e.factors) == 2:
        left, right = e.factors
        if isinstance(right, Ones) and right.shape[0] == ONE and left.shape[1] == ONE:
            return left
        if isinstance(left, Ones) and left.shape[1] == ONE and right.shape[0] == ONE:
            return transpose(right)
    return None


def _is_ones(e: Expr) -> bool:
    return isinstance(e, Ones) or (isinstance(e, Vec) and isinstance(e.arg, Ones))


def _element_base(e: Expr) -> tuple[Expr, Fraction]:
    """e = base.^p"""
    return (e.arg, e.exponent) if isinstance(e, ElementPow) else (e, Fraction(1))


def _hadamard_factors(e: Expr) -> list[Expr]:
    return _hadamard_factors(e.left) + _hadamard_factors(e.right) if isinstance(e, Hadamard) else [e]


def _exp_of(e: Expr) -> Expr | None:
    """z when e is exp(z)."""
    return e.arg if isinstance(e, ElementFunc) and e.name == "exp" else None


def _one_plus_exp(e: Expr) -> Expr | None:
    """z when e is 𝟏 + exp(z)."""
    if isinstance(e, Add) and len(e.terms) == 2:
        ones = [t for t in e.terms if isinstance(t, Ones)]
        rest = [t for t in e.terms if not isinstance(t, Ones)]
        if len(ones) == 1 and len(rest) == 1:
            return _exp_of(rest[0])
    return None


def _negated(e: Expr) -> Expr | None:
    """z when e is −z."""
    c, rest = split_coefficient(e)
    return with_coefficient(-c, rest) if c < 0 and rest is not None else None


def hadamard_pair(a: Expr, b: Expr) -> Expr | None:
    """One identity for two factors of a longer Hadamard product; None when none applies:
    Aᵖ ∘ Aᑫ = Aᵖ⁺ᑫ; exp(z).^k ∘ (𝟏 + exp(z)).^(−k) = σ(z).^k; σ(z) ∘ σ(−z) = σ(z) ∘ (𝟏 − σ(z));
    sinh(z) ∘ cosh(z).^(−1) = tanh(z)."""
    (base_a, p), (base_b, q) = _element_base(a), _element_base(b)
    if base_a is base_b:
        return _fired("power identity", (a, b), element_power(base_a, p + q))
    for x, y in ((a, b), (b, a)):  # X.^t ∘ X.^k = X.^(t + k)
        power = symbolic_power(x)
        if power is not None and not power[0].is_scalar:
            other = symbolic_power(y)
            base, k = (other[0], other[1]) if other is not None else \
                (_element_base(y)[0], Num(_element_base(y)[1]))
            if base is power[0]:
                return _fired("power identity", (a, b), base_power(base, add(power[1], k)))
    for (x, k), (y, j) in (((base_a, p), (base_b, q)), ((base_b, q), (base_a, p))):
        z = _exp_of(x)
        if z is not None and k > 0 and j == -k and _one_plus_exp(y) is z:
            return _fired("logistic identity", (a, b), element_power(element_function("sigmoid", z), k))
        if k == 1 and j == -1 and isinstance(x, ElementFunc) and x.name == "sinh" and \
                isinstance(y, ElementFunc) and y.name == "cosh" and x.arg is y.arg:
            return _fired("tanh identity", (a, b), element_function("tanh", x.arg))
        if k == j == 1 and isinstance(x, ElementFunc) and x.name == "sigmoid" and \
                isinstance(y, ElementFunc) and y.name == "sigmoid" and _negated(y.arg) is x.arg:
            return _fired("logistic identity", (a, b), Hadamard(x, one_minus(x)))
    return None


def one_minus(e: Expr) -> Expr:
    """𝟏 − e"""
    return add(Ones(*e.shape), mul(number(-1), e))


def hadamard(a: Expr, b: Expr) -> Expr:
    if a.is_scalar or b.is_scalar:
        return mul(a, b)
    if isinstance(a, Zero) or isinstance(b, Zero):
        return Zero(*a.shape)
    if _is_ones(a):
        return _fired("Hadamard identity", (a, b), b)
    if _is_ones(b):
        return _fired("Hadamard identity", (a, b), a)
    if isinstance(a, Vec) and isinstance(b, Vec) and a.arg.shape == b.arg.shape:
        return _fired("linearity of vec", (a, b), vec(hadamard(a.arg, b.arg)))
    factors = _hadamard_factors(a) + _hadamard_factors(b)
    for i, j in ((i, j) for j in range(len(factors)) for i in range(j)):
        combined = hadamard_pair(factors[i], factors[j])  # x ∘ e ∘ e.^(−2) = x ∘ e.^(−1)
        if combined is not None:
            rest = factors[:i] + [combined] + factors[i + 1:j] + factors[j + 1:]
            return functools.reduce(hadamard, rest)
    (sa, ra), (sb, rb) = _pull_scalars(a), _pull_scalars(b)
    if sa or sb:
        return _fired("scalars out of a Hadamard product", (a, b), mul(*sa, *sb, hadamard(ra, rb)))
    if isinstance(a, Identity) and not isinstance(b, Identity):
        a, b = b, a  # written X ∘ I
    if isinstance(b, Identity):
        if isinstance(a, (Identity, DiagMatrix)):
            return a
        if isinstance(a, HalfLower):
            return _fired("diagonal identity", (a, b), mul(number(Fraction(1, 2)), b))
        g = _outer_with_ones(a)
        if g is not None:
            return _fired("diagonal identity", (a, b), diag_matrix(g))
        if isinstance(a, Transpose):
            return hadamard(a.arg, b)
    if isinstance(b, Hadamard):  # u ∘ (v ∘ w) = u ∘ v ∘ w, read left to right
        return Hadamard(Hadamard(a, b.left), b.right)
    return Hadamard(a, b)


def element_function(name: str, e: Expr) -> Expr:
    if e.is_scalar:
        return func(name, e)
    if isinstance(e, Zero) and name in ("exp", "cos", "cosh"):
        return Ones(*e.shape)
    if name == "log" and isinstance(e, ElementFunc) and e.name == "exp":
        return _fired("log of exp", e, e.arg)
    if name == "log" and _one_plus_exp(e) is not None:
        return _fired("softplus identity", e, element_function("softplus", _one_plus_exp(e)))
    if name == "log" and isinstance(e, Softmax):  # ln softmax(x) = x − logsumexp(x)𝟏
        return _fired("log-softmax identity", e,
                      add(e.arg, mul(number(-1), logsumexp(e.arg), Ones(*e.shape))))
    if name == "sigmoid" and isinstance(e, Zero):
        return mul(number(Fraction(1, 2)), Ones(*e.shape))
    return ElementFunc(name, e)


def softmax(e: Expr) -> Expr:
    if e.is_scalar:
        return ONE_NUM
    if isinstance(e, Zero):  # softmax(0) = 𝟏/n
        n = e.shape[0]
        return mul(Ones(*e.shape), spow(number(n.value) if n.value is not None else Size(n), Fraction(-1)))
    return Softmax(e)


def logsumexp(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    return LogSumExp(e)


def element_power(e: Expr, p: Fraction) -> Expr:
    if e.is_scalar:
        return spow(e, p)
    if p == 1:
        return e
    if p == 0 or isinstance(e, Ones):
        return Ones(*e.shape)
    if isinstance(e, ElementPow) and e.exponent.denominator == 1 and p.denominator == 1:
        return _fired("power identity", e, element_power(e.arg, e.exponent * p))
    scalars, rest = _pull_scalars(e)
    if scalars and p.denominator == 1:  # (u/c).^(−1) = c u.^(−1), so (u/c).^(−1) ∘ u = c𝟏
        return _fired("scalars out of a power", e,
                      mul(spow(mul(*scalars), p), element_power(rest, p)))
    return ElementPow(e, p)


def diag_matrix(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    if isinstance(e, Zero):
        return Zero(e.rows, e.rows)
    if isinstance(e, Ones):
        return _fired("diagonal identity", e, Identity(e.rows))
    scalars, rest = _pull_scalars(e)
    if scalars:
        return _fired("linearity of diag", e, mul(*scalars, diag_matrix(rest)))
    if isinstance(e, DiagPart) and isinstance(e.arg, DiagMatrix):
        return e.arg
    return DiagMatrix(e)


def diag_part(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    if isinstance(e, Zero):
        return Zero(e.rows, ONE)
    if isinstance(e, Identity):
        return _fired("diagonal identity", e, Ones(e.n, ONE))
    if isinstance(e, DiagMatrix):
        return _fired("diagonal identity", e, e.arg)
    if isinstance(e, Inverse) and isinstance(e.arg, DiagMatrix):
        return _fired("inverse of a diagonal matrix", e, element_power(e.arg.arg, Fraction(-1)))
    if isinstance(e, Transpose):
        return _fired("diagonal of a transpose", e, diag_part(e.arg))
    scalars, rest = _pull_scalars(e)
    if scalars:
        return _fired("linearity of diag", e, mul(*scalars, diag_part(rest)))
    return DiagPart(e)


def sum_all(e: Expr) -> Expr:
    if e.is_scalar:
        return e
    if isinstance(e, Zero):
        return ZERO
    scalars, rest = _pull_scalars(e)
    if scalars:
        return _fired("linearity of sum", e, mul(*scalars, sum_all(rest)))
    if isinstance(e, Transpose):
        return sum_all(e.arg)
    return SumAll(e)


def norm(e: Expr) -> Expr:
    if isinstance(e, Zero):
        return ZERO
    if isinstance(e, Transpose):
        return norm(e.arg)
    c, rest = split_coefficient(e)
    if c != 1 and rest is not None:
        return _fired("scalars out of a norm", e, mul(Num(abs(c)), norm(rest)))
    return Norm(e)


def matrix_function(name: str, e: Expr) -> Expr:
    if e.is_scalar:
        return func(name[:-1], e)
    if isinstance(e, Identity) and name != "expm":
        return Zero(e.n, e.n) if name == "logm" else e
    return MatFunc(name, e)


# ── the driver ──────────────────────────────────────────────────────────────────────────

CONSTRUCTORS: dict[type, Callable[[Expr, list[Expr]], Expr]] = {
    Add: lambda e, c: add(*c),
    Mul: lambda e, c: mul(*c),
    Transpose: lambda e, c: transpose(c[0]),
    Inverse: lambda e, c: inverse(c[0]),
    Power: lambda e, c: power(c[0], e.k),
    Det: lambda e, c: det(c[0]),
    LogDet: lambda e, c: logdet(c[0]),
    Trace: lambda e, c: trace(c[0]),
    Vec: lambda e, c: vec(c[0]),
    Kron: lambda e, c: kron(*c),
    Func: lambda e, c: func(e.name, c[0]),
    ScalarPow: lambda e, c: spow(c[0], e.exponent),
    Commutation: lambda e, c: commutation(e.m, e.n),
    Identity: lambda e, c: ONE_NUM if e.n == ONE else e,
    Hadamard: lambda e, c: hadamard(*c),
    ElementFunc: lambda e, c: element_function(e.name, c[0]),
    ElementPow: lambda e, c: element_power(c[0], e.exponent),
    DiagMatrix: lambda e, c: diag_matrix(c[0]),
    DiagPart: lambda e, c: diag_part(c[0]),
    SumAll: lambda e, c: sum_all(c[0]),
    Norm: lambda e, c: norm(c[0]),
    MatFunc: lambda e, c: matrix_function(e.name, c[0]),
    Frechet: lambda e, c: Frechet(e.name, c[0]),
    DivDiff: lambda e, c: DivDiff(e.name, c[0]),
    Factor: lambda e, c: Factor(e.kind, c[0]),
    Spectrum: lambda e, c: Spectrum(e.kind, c[0]),
    Extreme: lambda e, c: Extreme(e.kind, c[0]),
    Chol: lambda e, c: Chol(c[0]),
    Adj: lambda e, c: Adj(c[0]),
    Pinv: lambda e, c: Pinv(c[0]),
    Softmax: lambda e, c: softmax(c[0]),
    LogSumExp: lambda e, c: logsumexp(c[0]),
}


def simplify(e: Expr, memo: dict | None = None) -> Expr:
    """Rebuild e bottom-up through the canonical constructors; shared nodes are done once."""
    memo = {} if memo is None else memo
    done = memo.get(e)
    if done is not None:
        return done
    build = CONSTRUCTORS.get(type(e))
    result = e if build is None else build(e, [simplify(c, memo) for c in e.children])
    memo[e] = result
    return result
