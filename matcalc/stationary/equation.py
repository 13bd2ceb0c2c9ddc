"""From G(X) = 0 to X: the classes of equations matcalc solves in closed form.

- Affine in X: Σᵢ LᵢXRᵢ + C = 0. One term after collecting is solved directly,
  X = −L⁻¹CR⁻¹; two terms LX + XR = −C are a Sylvester equation; more (or Xᵀ next to X) are
  solved by vec: vec X = −(Σᵢ Rᵢᵀ ⊗ Lᵢ)⁻¹ vec C, Xᵀ entering through K vec X = vec Xᵀ.
- Affine in Y = X⁻¹ (or X⁻ᵀ): solved for Y, then inverted.
- Terms c·Y, YR, LY and YMY (the Gaussian likelihood): multiplied by Y⁻¹ on both sides they
  become affine in X, c·X + RX + XL + M = 0, and are solved as above.
Everything else is refused with the reason (Unsolvable, exit status 1): no wrong X is printed.
"""
from __future__ import annotations

from fractions import Fraction

from ..calculus.dims import ONE
from ..calculus.expr import Add, Commutation, Expr, Identity, Num, Var, Zero
from ..render import render
from ..calculus.simplify import add, inverse, kron, mul, number, transpose, vec
from .expand import Term, Traced, Unknown, Unsolvable, expand
from .probe import singular_everywhere


_GT = {"ascii": "G^T", "latex": r"$G^{\top}$"}


class Step:
    """One line of the working: the equation lhs = rhs, reached by the step named `why`."""

    def __init__(self, why: str, lhs: Expr, rhs: Expr, by: Expr | None = None, note: str = ""):
        self.why, self.lhs, self.rhs, self.by, self.note = why, lhs, rhs, by, note

    def reason(self, fmt: str = "unicode") -> str:
        """The step's name, with the factor it multiplies by printed in `fmt`."""
        why = self.why.replace("Gᵀ", _GT.get(fmt, "Gᵀ"))
        note = f"; {self.note}" if self.note else ""
        if fmt == "latex":
            if self.by is None:
                return r"\text{(" + why + note + ")}"
            return r"\text{(" + why + " }" + render(self.by, fmt) + r"\text{" + note + ")}"
        return f"({why}" + (f" {render(self.by, fmt)}" if self.by is not None else "") + f"{note})"


class Result:
    """The solution: kind "direct" (lhs is X), "vec" (lhs is vec X) or "sylvester"
    (lhs = rhs is LX + XR = C, with left, right and constant kept for the code)."""

    def __init__(self, kind: str, lhs: Expr, rhs: Expr, steps: list[Step], parts: tuple = ()):
        self.kind, self.lhs, self.rhs, self.steps, self.parts = kind, lhs, rhs, steps, parts


def solve_gradient(G: Expr, x: Var) -> Result:
    """Solve G(x) = 0 for x."""
    terms = [_normalized(t, x) for t in expand(G, x)]
    steps = [Step("set the gradient to zero", G, _zero(G))]
    degrees = {(sum(1 for u in t.unknowns() if not u.inverted),
                sum(1 for u in t.unknowns() if u.inverted)) for t in terms}
    if all(i == 0 for _, i in degrees):
        top = max(d for d, _ in degrees)
        if top == 0:
            raise Unsolvable(f"the gradient does not depend on {render(x)}: it is zero everywhere "
                             f"or nowhere, so there is no point to solve for")
        if top > 1:
            raise Unsolvable(f"the gradient is of degree {top} in {render(x)} (not affine): "
                             f"G({render(x)}) = 0 has no closed-form solution in general")
        return _affine(terms, x, steps)
    if any(d > 0 for d, _ in degrees):
        raise Unsolvable(f"the gradient holds both {render(x)} and {render(x)}⁻¹: matcalc knows no "
                         "closed form for such an equation")
    return _inverse(terms, x, steps)


def _zero(e: Expr) -> Expr:
    return Zero(*e.shape) if not e.is_scalar else number(0)


def _normalized(t: Term, x: Var) -> Term:
    """Scalar factors that hold a vector x, such as (aᵀx)b, become products b aᵀx."""
    if x.is_scalar:  # a scalar unknown commutes: it goes to the front of the chain
        from ..calculus.simplify import trace
        scalars, unknowns = list(t.scalars), [f for f in t.chain if isinstance(f, Unknown)]
        for s in t.x_scalars:  # tr(L t R) = t·tr(LR)
            inside = s.chain if isinstance(s, Traced) else s
            unknowns += [f for f in inside if isinstance(f, Unknown)]
            rest = [f for f in inside if not isinstance(f, Unknown)]
            if rest:
                product = mul(*rest)
                scalars.append(trace(product) if not product.is_scalar else product)
        rest = tuple(f for f in t.chain if not isinstance(f, Unknown))
        return Term(t.coeff, tuple(scalars), (), tuple(unknowns) + rest)
    if t.x_scalars and not x.shape[1].is_one:
        return _linear_form(t, x)
    chain = t.chain
    for s in t.x_scalars:
        if isinstance(s, Traced):  # tr(LxR) = rᵀx, with vec xᵀ = vec x = x
            row, _, _ = _row(s.chain, True, x)
            s = (transpose(row), Unknown(False, False))
        kinds = [f for f in s if isinstance(f, Unknown)]
        if len(kinds) != 1 or kinds[0].inverted or not x.shape[1].is_one:
            raise Unsolvable(f"{render(x)} is inside a scalar factor of the gradient (a trace or an "
                             "inner product): matcalc solves such equations only for a vector "
                             "appearing once in it")
        if kinds[0].transposed:  # xᵀr = rᵀx
            s = tuple(f.flipped() if isinstance(f, Unknown) else transpose(f) for f in reversed(s))
        if not isinstance(s[-1], Unknown):
            raise Unsolvable(f"{render(x)} is inside a scalar factor of the gradient that matcalc "
                             "cannot bring to the form rᵀx")
        chain = chain + s
    if any(isinstance(f, Unknown) for f in chain):
        chain = tuple(f for f in chain if not isinstance(f, Identity))
    return Term(t.coeff, t.scalars, (), chain)


def _linear_form(t: Term, x: Var) -> Term:
    """C·s with s = PUQ or tr(PUQ), linear in a matrix U, as C·vecᵀ(PᵀQᵀ)vec U."""
    if len(t.x_scalars) != 1 or any(isinstance(f, Unknown) for f in t.chain):
        raise Unsolvable(f"the gradient has a term with {render(x)} in more than one factor: "
                         "it is not affine, and matcalc knows no closed form")
    s = t.x_scalars[0]
    traced = isinstance(s, Traced)
    return Term(t.coeff, t.scalars, (), t.chain, _row(s.chain if traced else s, traced, x))


def _row(chain: tuple, traced: bool, x: Var) -> tuple:
    """(r, U, shown) for the scalar PUQ or tr(PUQ) = vecᵀ(PᵀQᵀ) vec U, with r = vec(PᵀQᵀ)."""
    from ..calculus.simplify import trace
    places = [i for i, f in enumerate(chain) if isinstance(f, Unknown)]
    if len(places) != 1 or chain[places[0]].inverted:
        raise Unsolvable(f"{render(x)} occurs in a scalar factor of the gradient other than "
                         f"linearly: matcalc knows no closed form")
    (i,) = places
    u = chain[i]
    left, right = list(chain[:i]), list(chain[i + 1:])
    U = u.expr(x)
    outer = [transpose(mul(*left))] if left else []
    outer += [transpose(mul(*right))] if right else []
    row = vec(mul(*outer)) if outer else vec(Identity(U.shape[0]))
    shown = mul(*left, U, *right)
    return row, u, trace(shown) if traced else shown


def _term_expr(t: Term, x: Var) -> Expr:
    parts = [f.expr(x) if isinstance(f, Unknown) else f for f in t.chain]
    if t.form is not None:
        parts.append(t.form[2])
    return mul(Num(t.coeff), *t.scalars, *parts)


def _sum_shown(exprs: list[Expr]) -> Expr:
    """A sum as written, not refactored: what "expand" shows."""
    exprs = [e for e in exprs if not isinstance(e, Zero)]
    return exprs[0] if len(exprs) == 1 else Add(tuple(exprs))


def _split(t: Term) -> tuple[Expr | None, Unknown, list]:
    """(L with the scalars, the unknown, the factors right of it) for a term of degree 1."""
    chain = [f for f in t.chain if not isinstance(f, Identity)]
    at = next(i for i, f in enumerate(chain) if isinstance(f, Unknown))
    left = mul(Num(t.coeff), *t.scalars, *chain[:at]) if (t.scalars or chain[:at]) \
        else Num(t.coeff)
    return left, chain[at], chain[at + 1:]


def _affine(terms: list[Term], x: Var, steps: list[Step], expanded: bool = False) -> Result:
    """Σ LᵢUᵢRᵢ + C = 0 with each Uᵢ one of X, Xᵀ (or X⁻¹, X⁻ᵀ: one kind throughout)."""
    constant = [t for t in terms if not t.unknowns()]
    linear = [t for t in terms if t.unknowns()]
    if not expanded and _sum_shown([_term_expr(t, x) for t in linear + constant]) is not steps[-1].lhs:
        steps.append(Step("expand the products",
                          _sum_shown([_term_expr(t, x) for t in linear + constant]), steps[-1].rhs))
    formed = [t for t in linear if t.form is not None]
    linear = [t for t in linear if t.form is None]
    C = add(*[_term_expr(t, x) for t in constant]) if constant else None
    items = []  # (L, unknown, R) with R None for the identity
    for t in linear:
        L, u, right = _split(t)
        if L.is_scalar and not x.is_scalar:
            L = mul(L, Identity(u.expr(x).shape[0]))
        R = mul(*right) if right else None
        if R is not None and R.is_scalar:
            L, R = mul(L, R), None
        items.append([L, u, R])
    items = [i for i in _collect(items, x)
             if not isinstance(i[0], Zero) and not isinstance(i[2], Zero)]
    if not items and not formed:
        raise Unsolvable(f"the terms in {render(x)} cancel: the gradient does not depend on "
                         f"{render(x)}, so it is zero everywhere or nowhere")
    kinds = {u for _, u, _ in items} | {t.form[1] for t in formed}
    negC = mul(number(-1), C) if C is not None else _zero(x)
    lhs = add(*[_lur(L, u, R, x) for L, u, R in items], *[_term_expr(t, x) for t in formed])
    steps.append(Step("collect the terms in", lhs, negC, x))
    if len(kinds) == 1 and len(items) == 1 and not formed:
        L, u, R = items[0]
        U = u.expr(x)
        current = mul(U, R) if R is not None else U
        value = negC
        scale = _scaled_identity(L) if not L.is_scalar else L
        if scale is not None and not (isinstance(scale, Num) and scale.value == 1):
            value = mul(inverse(scale), value)
            steps.append(Step("divide by", current, value, scale))
        elif scale is None:
            _check_invertible(L, x)
            value = mul(inverse(L), value)
            steps.append(Step("multiply on the left by", current, value, inverse(L)))
        if R is not None:
            _check_invertible(R, x)
            value = mul(value, inverse(R))
            steps.append(Step("multiply on the right by", U, value, inverse(R)))
        return _unwrap(Result("direct", U, value, steps), u, x)
    if len(kinds) == 1 and len(items) == 2 and not formed and not x.shape[1].is_one:
        (L1, u, R1), (L2, _, R2) = items
        if R1 is not None and R2 is None:
            (L1, u, R1), (L2, _, R2) = items[1], items[0]
        scale = _scaled_identity(L2)
        if R1 is None and R2 is not None and scale is not None and u == Unknown(False, False):
            right = mul(scale, R2)
            if L1.shape == right.shape and isinstance(_total([L1, right]), Zero):
                raise Unsolvable(f"the equation is AX − XA = C, a Sylvester equation that is "
                                 f"singular by its form (every power of A solves AX − XA = 0): "
                                 "its solutions, if any, are not unique")
            n_rows, n_cols = x.shape
            _check_invertible(add(kron(Identity(n_cols), L1),
                                  kron(transpose(right), Identity(n_rows))), x)
            U = u.expr(x)
            eq = add(mul(L1, U), mul(U, right))
            steps[-1] = Step(steps[-1].why, eq, negC, x, "a Sylvester equation")
            return Result("sylvester", eq, negC, steps, (L1, right, negC))
    # vec: Σ (Rᵢᵀ ⊗ Lᵢ) vec Uᵢ = −vec C, and vec Xᵀ = K vec X
    m, n = x.shape
    blocks = []
    for L, u, R in items:
        right = transpose(R) if R is not None else Identity(u.expr(x).shape[1])
        block = kron(right, L)
        if u.transposed:
            block = mul(block, Commutation(m, n))
        blocks.append(block)
    for t in formed:  # C·rᵀvec U: vec(C) rᵀ
        row, u, _ = t.form
        block = mul(Num(t.coeff), *t.scalars, vec(mul(*t.chain)), transpose(row))
        blocks.append(mul(block, Commutation(m, n)) if u.transposed else block)
    base = Unknown(False, next(iter(kinds)).inverted)
    if base.inverted:
        raise Unsolvable(f"the equation is linear in {render(x)}⁻¹ with several terms: matcalc "
                         "would have to invert a vec-solution, which it does not print")
    M = add(*blocks)
    U = base.expr(x)
    steps.append(Step("take vec of both sides", mul(M, vec(U)), vec(negC)))
    _check_invertible(M, x)
    value = mul(inverse(M), vec(negC))
    steps.append(Step("multiply on the left by", vec(U), value, inverse(M)))
    return Result("vec", vec(U), value, steps)


def rank_bound(e: Expr) -> int | None:
    """An upper bound on rank(e) when its structure gives one with known sizes (an outer
    product abᵀ has rank 1), else None."""
    from ..calculus.expr import Mul, Ones, Transpose as T
    if e.is_scalar or isinstance(e, Ones):
        return 1
    if isinstance(e, Zero):
        return 0
    if isinstance(e, Identity):
        return e.n.value
    if isinstance(e, T):
        return rank_bound(e.arg)
    if isinstance(e, Add):
        bounds = [rank_bound(t) for t in e.terms]
        return None if None in bounds else sum(bounds)
    if isinstance(e, Mul):
        chain = e.matrices
        known = [f.shape[1].value for f in chain[:-1]] + [rank_bound(f) for f in chain]
        known = [k for k in known if k is not None]
        return min(known) if known else None
    values = [d.value for d in e.shape if d.value is not None]
    return min(values) if values else None


def _check_invertible(e: Expr, x: Var, solution: Expr | None = None) -> None:
    """Refuse a matrix to invert that is singular by its structure: the stationary points
    then form a family (or there are none), and no single closed form is right. With
    `solution` (X, or X⁻¹ …), e is its value, which must be invertible as X⁻¹ is in the
    gradient."""
    bound = rank_bound(e)
    singular = bound is not None and (e.shape[0].value is None or bound < e.shape[0].value)
    if not singular and not e.is_scalar and singular_everywhere(e):
        raise Unsolvable(f"the equation for {render(x)} is singular: {render(e)} is singular for "
                         "every value of its names (at random values of several sizes), so "
                         f"{render(x)}, if it exists, is not unique, and no closed form gives it"
                         if solution is None else
                         f"no stationary point: {render(solution)} = {render(e)} would solve "
                         f"it, but that matrix is singular for every value of its names, and "
                         f"{render(x)}⁻¹ is in the gradient")
    if singular and solution is not None:
        raise Unsolvable(f"no stationary point: {render(solution)} = {render(e)} would solve it, but "
                         f"that matrix has rank at most {bound}, and {render(x)}⁻¹ is in the "
                         "gradient (a likelihood from fewer samples than dimensions has no "
                         "maximum)")
    if singular:
        raise Unsolvable(f"the equation for {render(x)} is singular: {render(e)} "
                         f"({e.shape[0]}×{e.shape[1]}) has rank at most {bound}, so its "
                         "stationary points are not unique (or there are none), and no "
                         "closed form gives them")


def _lur(L: Expr, u: Unknown, R: Expr | None, x: Var) -> Expr:
    return mul(L, u.expr(x), R) if R is not None else mul(L, u.expr(x))


def _scaled_identity(e: Expr) -> Expr | None:
    """s when e = s·I."""
    if isinstance(e, Identity):
        return number(1)
    from ..calculus.expr import Mul
    if isinstance(e, Mul) and len(e.matrices) == 1 and isinstance(e.matrices[0], Identity):
        return mul(*e.scalars)
    return None


def _collect(items: list, x: Var) -> list:
    """Terms with one right factor have their left factors added, and then the other way.
    Coefficients of equal products are added first, so that terms which cancel are gone."""
    by_right: dict = {}
    for L, u, R in items:
        by_right.setdefault((u, R), []).append(L)
    merged = [[_total(Ls), u, R] for (u, R), Ls in by_right.items()]
    by_left: dict = {}
    for L, u, R in merged:
        by_left.setdefault((u, L), []).append(R)
    out = []
    for (u, L), Rs in by_left.items():
        if len(Rs) == 1:
            out.append([L, u, Rs[0]])
        else:
            cols = u.expr(x).shape[1]
            out.append([L, u, _total([R if R is not None else Identity(cols) for R in Rs])])
    return out


_NOTHING = Var("·", ONE, ONE)  # a variable no expression holds: expand constants by it


def _total(parts: list[Expr]) -> Expr:
    """The sum of products c·P, with the coefficients of each P added (zero when all cancel)."""
    from ..calculus.simplify import split_coefficient, with_coefficient
    coefficients: dict = {}
    for part in parts:
        for t in expand(part, _NOTHING, constants=True):
            c, rest = split_coefficient(mul(Num(t.coeff), *t.scalars, *t.chain))
            coefficients[rest] = coefficients.get(rest, 0) + c
    kept = [with_coefficient(c, rest) for rest, c in coefficients.items() if c != 0]
    return add(*kept) if kept else Zero(*parts[0].shape)


def _unwrap(result: Result, u: Unknown, x: Var) -> Result:
    """From Xᵀ = V, X⁻¹ = V or X⁻ᵀ = V to X = … (transposing first: (Vᵀ)⁻¹ reads better)."""
    value = result.rhs
    if u.inverted and isinstance(value, Zero):
        raise Unsolvable(f"no stationary point: the gradient vanishes only where "
                         f"{render(result.lhs)} = 0, and no matrix {render(x)} has that inverse")
    if u.inverted:
        _check_invertible(value, x, solution=result.lhs)
    if u.transposed:
        value = transpose(value)
        result.steps.append(Step("transpose both sides", Unknown(False, u.inverted).expr(x), value))
    if u.inverted:
        value = inverse(value)
        result.steps.append(Step("invert both sides", x, value))
    result.lhs, result.rhs = x, value
    return result


def _inverse(terms: list[Term], x: Var, steps: list[Step]) -> Result:
    """Equations in Y = X⁻¹ (or X⁻ᵀ) alone."""
    kinds = {u for t in terms for u in t.unknowns()}
    if len(kinds) > 1:
        raise Unsolvable(f"the gradient holds both {render(x)}⁻¹ and {render(x)}⁻ᵀ: declare "
                         f"{render(x)} symmetric (--symmetric {x.name}) if it is, or matcalc "
                         "knows no closed form")
    y = next(iter(kinds))
    top = max(len(t.unknowns()) for t in terms)
    if top == 1:
        return _affine(terms, x, steps)
    if top > 2:
        raise Unsolvable(f"the gradient is of degree {top} in {render(y.expr(x))}: "
                         "matcalc knows no closed form")
    # Y⁻¹ (…) Y⁻¹: cY → cY⁻¹·… ; Y·R → R Y⁻¹ ; L·Y → Y⁻¹ L ; Y M Y → M
    z = Unknown(y.transposed, False)
    Y = y.expr(x)
    Z = z.expr(x)
    steps.append(Step("expand the products", _sum_shown([_term_expr(t, x) for t in terms]),
                      steps[-1].rhs))
    multiplied = []
    for t in terms:
        places = [i for i, f in enumerate(t.chain) if isinstance(f, Unknown)]
        chain = t.chain
        if not places:
            raise Unsolvable(f"the gradient has a term free of {render(x)} beside terms in "
                             f"{render(Y)} and its square: a Riccati equation, which matcalc "
                             "does not solve")
        if len(places) == 2:
            i, k = places
            if _matrices(chain[:i]) or _matrices(chain[k + 1:]):
                raise Unsolvable(_no_form(Y))
            multiplied.append(Term(t.coeff, t.scalars, (), tuple(chain[i + 1:k])))
        else:
            (i,) = places
            left, right = chain[:i], chain[i + 1:]
            if _matrices(left) and _matrices(right):
                raise Unsolvable(_no_form(Y))
            new = (z,) + tuple(left) if not _matrices(right) else tuple(right) + (z,)
            multiplied.append(Term(t.coeff, t.scalars, (), new))
    shown = _sum_shown([_term_expr(t, x) for t in multiplied])
    steps.append(Step("multiply on the left and on the right by", shown, _zero(Z), Z))
    if not any(t.unknowns() for t in multiplied):
        raise Unsolvable(f"no stationary point: the gradient is zero only where "
                         f"{render(shown)} = 0, which does not depend on {render(x)}")
    result = _affine(multiplied, x, steps, expanded=True)
    if result.kind == "direct":  # X⁻¹ is in the gradient: X* must be invertible
        _check_invertible(result.rhs, x, solution=result.lhs)
    return result


def _matrices(chain) -> bool:
    return any(isinstance(f, Unknown) or not (f.is_scalar or isinstance(f, Identity)) for f in chain)


def _no_form(Y: Expr) -> str:
    return (f"the gradient has terms L{render(Y)}R or L{render(Y)}M{render(Y)}R with matrices on "
            "both sides: matcalc knows no closed form")
