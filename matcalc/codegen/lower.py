"""Lowering: simplified trees → one straight-line program, each shared node computed once.

Nodes are hash-consed, so a node met twice (X⁻¹ in the value and the gradient, Xw in both)
is one value of the program. A node with a `_lower_<Type>` method here gets a cheaper or
steadier form; any other node is printed by the NumPy printer and run by matcalc.checking.numeric,
so a new kind of node works here as soon as those two know it. The rewrites, each cheaper or
more stable than the plain reading:

- a product is a chain ordered by cost from the shapes (the matrix-chain order, sizes taken
  as large and equal), and X⁻¹ next to a thin operand is a solve with one LU factorisation
  of X shared by every solve with X or Xᵀ;
- diag(v), I, K, Kronecker products and Dₙ inside a product are applied as broadcasts,
  reshapes and transposes, never built: K M is M.reshape(n, m, k).transpose(1, 0, 2), and
  (A ⊗ B) M multiplies the blocks of M;
- a Kronecker product that is itself the answer is built by one broadcast;
- ln|X| is slogdet; log(1 + exp z) is logaddexp(0, z), log(1 + x) is log1p(x);
  exp(z)ᵖ ∘ (𝟏 + exp(z))^(−q) is σ(z)ᵖ σ(−z)^(q−p) with a stable σ; cosh(z)^(−2) is 1 − tanh²
  when tanh(z) is computed anyway;
- sums are written with minus signs (A − B, not A + (−1 * B)); tr(AB) is Σ A∘Bᵀ, not a product.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from ..calculus.dims import ONE, Dim, Shape
from ..calculus.expr import (Add, Commutation, DiagMatrix, Duplication, ElementFunc, ElementPow, Expr,
                    Func, Hadamard, Identity, Inverse, Kron, Mul, Norm, Num, Ones, ScalarPow, Trace,
                    Transpose, Var, Vec)
from ..render.numpy import NumpyPrinter
from . import ops
from .program import SIZES, Program, Raw, Ref

LARGE = 1000  # how large a size symbol is taken to be when ordering a chain


def estimate(d: Dim) -> int:
    return d.coeff * LARGE ** len(d.symbols)


class Factor:
    """An operand of a chain: a computed value (ref), or a node (expr) not yet computed, which
    may be an inverse (A, transposed) to solve with, or diag(v) to broadcast (v)."""
    __slots__ = ("rows", "cols", "ref", "expr", "inverse", "diag")

    def __init__(self, rows: Dim, cols: Dim, ref: Ref | None = None, expr: Expr | None = None,
                 inverse: tuple[Expr, bool] | None = None, diag: Expr | Ref | None = None):
        self.rows, self.cols, self.ref, self.expr = rows, cols, ref, expr
        self.inverse, self.diag = inverse, diag


def printer(names: dict[str, Var]) -> NumpyPrinter:
    """The NumPy printer, with each size read where a 1-D vector has it too: off a matrix's
    shape when one has the size, else as np.size of a vector (a.shape[1] of a 1-D row fails)."""
    p = NumpyPrinter(names)
    ordered = sorted(names.values(), key=lambda v: v.shape[0].is_one or v.shape[1].is_one)
    sizes: dict[str, str] = {}
    for var in ordered:
        vector = var.shape[0].is_one or var.shape[1].is_one
        for axis, dim in enumerate(var.shape):
            if len(dim.symbols) == 1 and dim.coeff == 1:
                sizes.setdefault(dim.symbols[0],
                                 f"np.size({var.name})" if vector else f"{var.name}.shape[{axis}]")
    p.sizes = sizes
    return p


class _Fallback(NumpyPrinter):
    """The NumPy printer, with each child printed as the text of its value in the program."""

    def __init__(self, names, children: dict[Expr, str]):
        super().__init__(names)
        self.sizes = printer(names).sizes
        self.children = children

    def print(self, e: Expr) -> str:
        text = self.children.get(e)
        return text if text is not None else super().print(e)


def _placeholder(k: int) -> str:
    return f"\x00{k}\x00"


class Lowering:
    """Builds one program from several roots; `scipy` chooses SciPy's factorisations and
    expit (a module) or NumPy alone (one expression)."""

    def __init__(self, names: dict[str, Var], roots: list[Expr], scipy: bool = True,
                 column_inputs: bool = False):
        self.names, self.scipy = names, scipy
        self.program = Program()
        self.memo: dict = {}
        self.printer = printer(names)
        self.present = _nodes(roots)
        for name, var in names.items():
            ref = self.program.add(ops.INPUT, shape=var.shape)
            self.program.inputs[name] = ref.id
            if column_inputs and var.shape[1].is_one and not var.shape[0].is_one:
                ref = self.program.add(ops.call("np.reshape"), ref, (-1, 1), shape=var.shape)
            elif column_inputs and var.shape[0].is_one and not var.shape[1].is_one:
                ref = self.program.add(ops.call("np.reshape"), ref, (1, -1), shape=var.shape)
            self.memo[var] = ref

    def output(self, e: Expr) -> int:
        ref = self.value(e)
        if _through_complex_eigenvectors(e):  # real answers computed in a complex eigenbasis
            ref = self.add(ops.call("np.real"), ref, shape=e.shape)
        self.program.outputs.append(ref.id)
        return ref.id

    # ── values ──────────────────────────────────────────────────────────────────────────

    def value(self, e: Expr) -> Ref:
        ref = self.memo.get(e)
        if ref is None:
            lower = getattr(self, "_lower_" + type(e).__name__, None)
            ref = lower(e) if lower is not None else None
            if ref is None:
                ref = self.fallback(e)
            self.memo[e] = ref
        return ref

    def add(self, op, *args, shape: Shape | None = (ONE, ONE), **kwargs) -> Ref:
        if isinstance(args[0], Ref) if args else False:
            inner = self.program.instrs[args[0].id]
            if op is ops.T and inner.op is ops.T:  # (Mᵀ)ᵀ is M
                return inner.args[0]
            if op is inner.op is ops.method("reshape"):  # a reshape of a reshape is one
                return self.program.add(op, inner.args[0], *args[1:], shape=shape, **kwargs)
        return self.program.add(op, *args, shape=shape, **kwargs)

    def fallback(self, e: Expr) -> Ref:
        """The node as the NumPy printer writes it and matcalc.checking.numeric evaluates it."""
        refs = [self.value(c) for c in e.children]
        texts = {c: _placeholder(r.id) for c, r in zip(e.children, refs)}
        printed = getattr(_Fallback(self.names, texts), "_print_" + type(e).__name__)(e)
        run = _evaluator(e)
        return self.add(ops.NODE, Raw(printed, run), SIZES, *refs, shape=e.shape)

    def number(self, c: Fraction) -> Ref:
        return self.add(ops.CONST, Fraction(c))

    # ── sums and products ───────────────────────────────────────────────────────────────

    def _lower_Add(self, e: Add) -> Ref:
        from ..calculus.simplify import split_coefficient
        full = [t for t in e.terms if not isinstance(t, Ones)]
        if not full:
            return None
        parts = []
        for term in e.terms:
            c, rest = split_coefficient(term)
            if isinstance(rest, Ones):
                rest = None  # 𝟏 + F is 1 + F: broadcasting
            parts.append((c, None if rest is None else self.value(rest)))
        return self.combine(parts, e.shape)

    def combine(self, parts: list[tuple[Fraction, Ref | None]], shape: Shape) -> Ref:
        """Σ cᵢ·vᵢ with minus signs for negative coefficients (vᵢ None: the number cᵢ)."""
        parts = sorted(parts, key=lambda p: (p[1] is None, p[0] < 0))  # a positive term first
        total = None
        for c, ref in parts:
            size = abs(c)
            term = self.number(size) if ref is None else \
                ref if size == 1 else self.add(ops.MUL, self.number(size), ref, shape=shape)
            if total is None:
                total = term if c >= 0 else self.add(ops.NEG, term, shape=shape)
            else:
                total = self.add(ops.ADD if c >= 0 else ops.SUB, total, term, shape=shape)
        return total

    def _lower_Mul(self, e: Mul) -> Ref:
        coeff, scalars = Fraction(1), []
        for f in e.scalars:
            if isinstance(f, Num):
                coeff *= f.value
            else:
                scalars.append(self.value(f))
        matrices = [f for f in e.matrices if not isinstance(f, Identity)]
        if not matrices and e.matrices:
            matrices = [e.matrices[0]]
        if matrices and (coeff != 1 or scalars) and (len(matrices) > 1 or isinstance(matrices[0], Kron)):
            pushed = _push_scale(matrices, e)
            if pushed is not None:
                return self.chain(pushed, e.shape)
        result = self.chain(matrices, e.shape) if matrices else None
        scale = None
        for s in scalars:
            scale = s if scale is None else self.add(ops.MUL, scale, s)
        if abs(coeff) != 1 or (scale is None and result is None):
            c = self.number(abs(coeff))
            scale = c if scale is None else self.add(ops.MUL, c, scale)
        if result is None:
            result = scale
        elif scale is not None:
            result = self.add(ops.MUL, scale, result, shape=e.shape)
        return self.add(ops.NEG, result, shape=e.shape) if coeff < 0 else result

    def chain(self, factors: list[Expr], shape: Shape) -> Ref:
        """The product of `factors`: dense runs in the cheapest order, structured factors
        (I, K, ⊗, Dₙ, diag) applied to the running product from the side that is dense."""
        if len(factors) == 1:
            return self.value(factors[0])
        fused = self.commuted_kron(factors)
        if fused is not None:
            return fused
        groups: list = []
        for f in factors:
            if structured(f):
                groups.append(f)
            elif groups and isinstance(groups[-1], list):
                groups[-1].append(self.factor(f))
            else:
                groups.append([self.factor(f)])
        if len(groups) == 1 and isinstance(groups[0], list):
            return self.ref(self.order(groups[0]))
        leftward = isinstance(groups[-1], list) or not isinstance(groups[0], list) or \
            estimate(shape[0]) >= estimate(shape[1])
        if leftward:  # from the right end: acc = F acc
            last = groups[-1]
            acc = self.order(last) if isinstance(last, list) else self.factor(last, dense=True)
            for g in reversed(groups[:-1]):
                if isinstance(g, list):
                    acc = self.order([*g, acc])
                else:
                    acc = Factor(g.shape[0], acc.cols, self.apply(g, self.ref(acc), acc.cols))
        else:  # from the left end: acc = acc F, as (Fᵀ accᵀ)ᵀ
            first = groups[0]
            acc = self.order(first)
            for g in groups[1:]:
                if isinstance(g, list):
                    acc = self.order([acc, *g])
                else:
                    t = self.add(ops.T, self.ref(acc), shape=(acc.cols, acc.rows))
                    applied = self.apply(g, t, acc.rows, transposed=True)
                    acc = Factor(acc.rows, g.shape[1],
                                 self.add(ops.T, applied, shape=(acc.rows, g.shape[1])))
        return self.ref(acc)

    def factor(self, f: Expr, dense: bool = False) -> Factor:
        v = None if dense else diagonal(f)
        if v is not None:
            return Factor(*f.shape, expr=f, diag=v)
        if isinstance(f, Inverse):
            return Factor(*f.shape, expr=f, inverse=(f.arg, False))
        if isinstance(f, Transpose) and isinstance(f.arg, Inverse):
            return Factor(*f.shape, expr=f, inverse=(f.arg.arg, True))
        return Factor(*f.shape, expr=f)

    def ref(self, f: Factor) -> Ref:
        if f.ref is None:
            f.ref = self.value(f.expr) if f.expr is not None else \
                self.add(ops.call("np.diagflat"), self.vector(f), shape=(f.rows, f.cols))
        return f.ref

    def vector(self, f: Factor) -> Ref:
        """v of a factor diag(v)."""
        return f.diag if isinstance(f.diag, Ref) else self.value(f.diag)

    def order(self, factors: list[Factor]) -> Factor:
        """The product of a dense run in the order that costs least (the matrix-chain
        problem, as np.linalg.multi_dot solves it), decided here from the shapes."""
        factors = self.reuse(factors)
        n = len(factors)
        if n == 1:
            return factors[0]
        dims = [estimate(factors[0].rows)] + [estimate(f.cols) for f in factors]

        def product_cost(i: int, k: int, j: int) -> int:
            if (i == k and factors[i].diag is not None) or \
                    (k + 1 == j and factors[j].diag is not None):
                return dims[i] * dims[j + 1]  # a broadcast
            return dims[i] * dims[k + 1] * dims[j + 1]
        cost = [[0] * n for _ in range(n)]
        split = [[0] * n for _ in range(n)]
        for length in range(1, n):
            for i in range(n - length):
                j = i + length
                cost[i][j] = None
                for k in range(i, j):
                    c = cost[i][k] + cost[k + 1][j] + product_cost(i, k, j)
                    if cost[i][j] is None or c < cost[i][j]:
                        cost[i][j], split[i][j] = c, k

        def build(i: int, j: int) -> Factor:
            if i == j:
                return factors[i]
            k = split[i][j]
            return self.multiply(build(i, k), build(k + 1, j))
        return build(0, n - 1)

    def reuse(self, factors: list[Factor]) -> list[Factor]:
        """Runs of the chain that are products computed elsewhere (Xw in the value and the
        gradient) become one operand, longest first, so that they are computed once."""
        n = len(factors)
        for length in range(n - 1, 1, -1):
            for i in range(n - length + 1):
                run = factors[i:i + length]
                if any(f.expr is None for f in run):
                    continue
                node = _existing(tuple(f.expr for f in run), self.present)
                if node is not None:
                    merged = Factor(run[0].rows, run[-1].cols, expr=node)
                    return self.reuse(factors[:i]) + [merged] + self.reuse(factors[i + length:])
        return factors

    def multiply(self, left: Factor, right: Factor) -> Factor:
        """left @ right, as a solve when one is an inverse and the other is thin; each
        product made once (Ax in xᵀAx and in Ax + Aᵀx)."""
        key = ("product", _key(left), _key(right))
        done = self.memo.get(key)
        if done is None:
            done = self.memo[key] = self._multiply(left, right)
        return done

    def distribute(self, terms: Add, other: Factor, on_left: bool) -> Factor | None:
        """(A + B)x = Ax + Bx when x is thin: two matrix–vector products, not a sum of
        matrices and a product (and xᵀ(A + B) likewise)."""
        from ..calculus.simplify import split_coefficient
        parts = []
        for term in terms.terms:
            c, rest = split_coefficient(term)
            if rest is None or isinstance(rest, Ones) or structured(rest) and \
                    not isinstance(rest, Identity):
                return None
            if isinstance(rest, Identity):
                product = other
            else:
                chain = [self.factor(f) for f in rest.matrices] if isinstance(rest, Mul) \
                    and not rest.scalars else [self.factor(rest)]
                product = self.order(chain + [other] if on_left else [other] + chain)
            parts.append((c, self.ref(product)))
        shape = (terms.shape[0], other.cols) if on_left else (other.rows, terms.shape[1])
        return Factor(*shape, self.combine(parts, shape))

    def _multiply(self, left: Factor, right: Factor) -> Factor:
        shape = (left.rows, right.cols)
        if isinstance(left.expr, Add) and left.ref is None and left.diag is None \
                and thin(right.cols, left.rows):
            done = self.distribute(left.expr, right, on_left=True)
            if done is not None:
                return done
        if isinstance(right.expr, Add) and right.ref is None and right.diag is None \
                and thin(left.rows, right.cols):
            done = self.distribute(right.expr, left, on_left=False)
            if done is not None:
                return done
        if left.cols.is_one and not left.rows.is_one and not right.cols.is_one \
                and left.diag is None and right.diag is None and not left.inverse \
                and not right.inverse:  # an outer product: a broadcast, not a matmul
            return Factor(*shape, self.add(ops.MUL, self.ref(left), self.ref(right), shape=shape))
        if left.diag is not None and right.diag is not None:
            v = self.add(ops.MUL, self.vector(left), self.vector(right), shape=(left.rows, ONE))
            return Factor(*shape, diag=v)
        if left.diag is not None:
            return Factor(*shape, self.add(ops.MUL, self.vector(left), self.ref(right), shape=shape))
        if right.diag is not None:
            vt = self.add(ops.T, self.vector(right), shape=(ONE, right.cols))
            return Factor(*shape, self.add(ops.MUL, self.ref(left), vt, shape=shape))
        if left.inverse and thin(right.cols, left.rows):
            a, transposed = left.inverse
            return Factor(*shape, self.solve(a, transposed, self.ref(right), shape))
        if right.inverse and thin(left.rows, right.cols):
            a, transposed = right.inverse  # L A⁻¹ = (A⁻ᵀ Lᵀ)ᵀ
            lt = self.add(ops.T, self.ref(left), shape=shape[::-1])
            solved = self.solve(a, not transposed, lt, shape[::-1])
            return Factor(*shape, self.add(ops.T, solved, shape=shape))
        return Factor(*shape, self.add(ops.MATMUL, self.ref(left), self.ref(right), shape=shape))

    def solve(self, a: Expr, transposed: bool, rhs: Ref, shape: Shape) -> Ref:
        """A⁻¹ rhs (A⁻ᵀ rhs when transposed); with SciPy one LU factorisation of A serves all,
        and each solve is made once (X⁻¹b in the value and in the gradient)."""
        key = ("solve", a, transposed, rhs.id)
        done = self.memo.get(key)
        if done is None:
            done = self.memo[key] = self._solve(a, transposed, rhs, shape)
        return done

    def _solve(self, a: Expr, transposed: bool, rhs: Ref, shape: Shape) -> Ref:
        if not self.scipy:
            matrix = self.value(a)
            if transposed:
                matrix = self.value(Transpose(a)) if not a.is_scalar else matrix
            return self.add(ops.call("np.linalg.solve"), matrix, rhs, shape=shape)
        key = ("lu", a)
        lu = self.memo.get(key)
        if lu is None:
            lu = self.memo[key] = self.add(ops.call("scipy.linalg.lu_factor"), self.value(a),
                                           shape=a.shape, check_finite=False)
        return self.add(ops.call("scipy.linalg.lu_solve"), lu, rhs, shape=shape,
                        trans=int(transposed), check_finite=False)

    # ── structured factors, applied without being built ─────────────────────────────────

    def apply(self, op: Expr, m: Ref, cols: Dim, transposed: bool = False) -> Ref:
        """op @ m (opᵀ @ m when transposed) for an m with `cols` columns."""
        rows = op.shape[1] if transposed else op.shape[0]
        shape = (rows, cols)
        if isinstance(op, Identity):
            return m
        if isinstance(op, Transpose):
            return self.apply(op.arg, m, cols, not transposed)
        if isinstance(op, DiagMatrix):
            return self.add(ops.MUL, self.value(op.arg), m, shape=shape)
        if isinstance(op, Commutation):  # K_mn vec(M) = vec(Mᵀ); K_mnᵀ = K_nm
            p, q = (op.n, op.m) if transposed else (op.m, op.n)
            r = self.add(ops.method("reshape"), m, (q, p, -1), shape=shape)
            r = self.add(ops.method("transpose"), r, (1, 0, 2), shape=shape)
            return self.add(ops.method("reshape"), r, (p * q, -1), shape=shape)
        if isinstance(op, Kron):
            return self.apply_kron(op, m, cols, transposed)
        if isinstance(op, Duplication):
            if transposed:
                return self.add(ops.DUP_T_APPLY, m, op.n, shape=shape)
            index = self.memo.get(("vech", op.n))
            if index is None:
                index = self.memo[("vech", op.n)] = self.add(ops.VECH_POSITIONS, op.n,
                                                             shape=(op.n * op.n, ONE))
            return self.add(ops.TAKE, m, index, shape=shape)
        if isinstance(op, Add):
            from ..calculus.simplify import split_coefficient
            parts = []
            for term in op.terms:
                c, rest = split_coefficient(term)
                parts.append((c, self.apply(rest, m, cols, transposed)))
            return self.combine(parts, shape)
        if isinstance(op, Mul):
            coeff, acc = Fraction(1), m
            scalars = []
            for f in op.scalars:
                if isinstance(f, Num):
                    coeff *= f.value
                else:
                    scalars.append(self.value(f))
            chain = op.matrices if transposed else op.matrices[::-1]
            for f in chain:
                acc = self.apply(f, acc, cols, transposed)
            for s in scalars:
                acc = self.add(ops.MUL, s, acc, shape=shape)
            return self.combine([(coeff, acc)], shape) if coeff != 1 else acc
        dense = self.value(op)
        if transposed:
            dense = self.add(ops.T, dense, shape=op.shape[::-1])
        return self.add(ops.MATMUL, dense, m, shape=shape)

    def apply_kron(self, op: Kron, m: Ref, cols: Dim, transposed: bool) -> Ref:
        """(A ⊗ B) M, A a×b and B c×d: B multiplies each of M's b blocks of d rows, then A
        mixes the blocks — (A ⊗ B)[ic + k, jd + l] = A[i, j] B[k, l]."""
        A, B = op.left, op.right
        (a, b), (c, d) = A.shape, B.shape
        if transposed:
            (a, b), (c, d) = (b, a), (d, c)
        shape = (a * c, cols)
        m3 = self.add(ops.method("reshape"), m, (b, d, -1), shape=(b * d, cols))
        if isinstance(B, Identity):
            t = m3
        elif structured(B):
            s = self.add(ops.method("transpose"), m3, (1, 0, 2), shape=(b * d, cols))
            s = self.add(ops.method("reshape"), s, (d, -1), shape=(b * d, cols))
            s = self.apply(B, s, b * cols, transposed)
            s = self.add(ops.method("reshape"), s, (c, b, -1), shape=(b * c, cols))
            t = self.add(ops.method("transpose"), s, (1, 0, 2), shape=(b * c, cols))
        else:
            dense = self.value(B)
            if transposed:
                dense = self.add(ops.T, dense, shape=(c, d))
            t = self.add(ops.MATMUL, dense, m3, shape=(b * c, cols))
        if isinstance(A, Identity):
            return self.add(ops.method("reshape"), t, (a * c, -1), shape=shape)
        t = self.add(ops.method("reshape"), t, (b, -1), shape=(b * c, cols))
        t = self.apply(A, t, c * cols, transposed)
        return self.add(ops.method("reshape"), t, (a * c, -1), shape=shape)

    def _lower_Transpose(self, e: Transpose) -> Ref | None:
        if e.arg.shape[0].is_one or e.arg.shape[1].is_one or not isinstance(e.arg, Vec):
            return self.add(ops.T, self.value(e.arg), shape=e.shape)
        return None

    def commuted_kron(self, factors: list[Expr]) -> Ref | None:
        """K(A ⊗ B), the form of many Hessians, built by one broadcast in its final order:
        (K_mn (A ⊗ B))[k·a + i, j·d + l] = A[i, j] B[k, l] when A has n rows and B m."""
        if len(factors) != 2 or not isinstance(factors[0], Commutation) \
                or not isinstance(factors[1], Kron):
            return None
        (K, kron), (A, B) = factors, (factors[1].left, factors[1].right)
        if structured(A) or structured(B) or K.n != A.shape[0] or K.m != B.shape[0]:
            return None
        (a, b), (c, d) = A.shape, B.shape
        shape = (a * c, b * d)
        left = self.add(ops.BROADCAST, self.value(A), "None, :, :, None", shape=A.shape)
        right = self.add(ops.BROADCAST, self.value(B), ":, None, None, :", shape=B.shape)
        product = self.add(ops.OUTER, left, right, shape=shape)
        return self.add(ops.method("reshape"), product, (a * c, b * d), shape=shape)

    def _lower_Kron(self, e: Kron) -> Ref:
        """A ⊗ B built by one broadcast: (A[:, None, :, None] * B[None, :, None, :])."""
        (a, b), (c, d) = e.left.shape, e.right.shape
        left = self.add(ops.BROADCAST, self.value(e.left), ":, None, :, None", shape=e.left.shape)
        right = self.add(ops.BROADCAST, self.value(e.right), "None, :, None, :",
                         shape=e.right.shape)
        product = self.add(ops.MUL, left, right, shape=e.shape)
        return self.add(ops.method("reshape"), product, (a * c, b * d), shape=e.shape)

    # ── scalars of matrices ─────────────────────────────────────────────────────────────

    def _lower_Trace(self, e: Trace) -> Ref | None:
        arg = e.arg
        if isinstance(arg, Mul) and not arg.scalars and len(arg.matrices) >= 2 \
                and not any(structured(f) for f in arg.matrices):
            *rest, last = arg.matrices
            left = self.ref(self.order([self.factor(f) for f in rest]))
            return self.add(ops.TRACE_PRODUCT, left, self.value(last))
        return None

    def _lower_LogDet(self, e) -> Ref:
        return self.add(ops.LOGDET, self.value(e.arg))

    def _lower_ScalarPow(self, e: ScalarPow) -> Ref | None:
        if e.exponent == 2 and isinstance(e.arg, Norm):
            v = self.value(e.arg.arg)
            return self.add(ops.call("np.vdot"), v, v)
        return self.power(e.arg, e.exponent, e.shape)

    def power(self, base: Expr, p: Fraction, shape: Shape) -> Ref | None:
        if p == -1:
            return self.add(ops.DIV, self.number(1), self.value(base), shape=shape)
        if p == Fraction(1, 2):
            return self.add(ops.call("np.sqrt"), self.value(base), shape=shape)
        return None

    # ── element-wise functions, in their stable forms ───────────────────────────────────

    def _lower_Func(self, e: Func) -> Ref | None:
        return self.elementwise(e)

    def _lower_ElementFunc(self, e: ElementFunc) -> Ref | None:
        return self.elementwise(e)

    def elementwise(self, e) -> Ref | None:
        if e.name == "sigmoid":  # σ(z): expit, or NumPy's stable form
            return self.sigmoid(e.arg)
        if e.name == "softplus":
            return self.add(ops.LOGADDEXP0, self.value(e.arg), shape=e.shape)
        if e.name != "log":
            return None
        one_plus = _one_plus(e.arg)
        if one_plus is None:
            return None
        if isinstance(one_plus, (ElementFunc, Func)) and one_plus.name == "exp":
            return self.add(ops.LOGADDEXP0, self.value(one_plus.arg), shape=e.shape)
        return self.add(ops.call("np.log1p"), self.value(one_plus), shape=e.shape)

    def _lower_ElementPow(self, e: ElementPow) -> Ref | None:
        base, p = e.arg, e.exponent
        if p.denominator == 1 and p < 0:
            z = _exp_argument(_one_plus(base))
            if z is not None:  # (𝟏 + exp z)^(−q) = σ(−z)^q
                return self.integer_power(self.sigmoid(z, negative=True), -p, e.shape)
        if p == -2 and isinstance(base, ElementFunc) and base.name == "cosh" \
                and ElementFunc("tanh", base.arg) in self.present:
            t = self.value(ElementFunc("tanh", base.arg))
            square = self.add(ops.MUL, t, t, shape=e.shape)
            return self.add(ops.SUB, self.number(1), square, shape=e.shape)
        return self.power(base, p, e.shape)

    def integer_power(self, ref: Ref, k, shape: Shape) -> Ref:
        return ref if k == 1 else self.add(ops.POW, ref, Fraction(k), shape=shape)

    def sigmoid(self, z: Expr, negative: bool = False) -> Ref:
        key = ("sigmoid", z, negative)
        ref = self.memo.get(key)
        if ref is None:
            arg = self.value(z)
            if negative:
                arg = self.add(ops.NEG, arg, shape=z.shape)
            ref = self.memo[key] = self.add(ops.EXPIT if self.scipy else ops.SIGMOID, arg,
                                            shape=z.shape)
        return ref

    def _lower_Hadamard(self, e: Hadamard) -> Ref | None:
        """exp(z)ᵖ ∘ (𝟏 + exp z)^(−q) = σ(z)ᵖ ∘ σ(−z)^(q−p) for q ≥ p; 𝟏 factors dropped."""
        factors = _hadamard_factors(e)
        powers: dict[Expr, list] = {}
        for f in factors:
            z, kind, k = _sigmoid_part(f)
            if z is not None:
                powers.setdefault(z, [0, 0])[kind] += k
        refs, used = [], set()
        for z, (p, q) in powers.items():
            if q > 0 and q >= p:
                used.add(z)
                if p:
                    refs.append(self.integer_power(self.sigmoid(z), p, e.shape))
                if q - p:
                    refs.append(self.integer_power(self.sigmoid(z, True), q - p, e.shape))
        for f in factors:
            if isinstance(f, Ones) or _sigmoid_part(f)[0] in used:
                continue
            refs.append(self.value(f))
        if not refs:
            return None
        total = refs[0]
        for r in refs[1:]:
            total = self.add(ops.MUL, total, r, shape=e.shape)
        return total


@lru_cache(maxsize=4096)
def structured(e: Expr) -> bool:
    """A factor applied better than multiplied: I, K, ⊗, Dₙ, and sums, scalar multiples and
    transposes of those. (diag(v) takes part in the chain order, as a broadcast.)"""
    if isinstance(e, (Identity, Commutation, Kron, Duplication)):
        return True
    if isinstance(e, Transpose):
        return structured(e.arg)
    if isinstance(e, Add):
        from ..calculus.simplify import split_coefficient
        return all(split_coefficient(t)[1] is not None and structured(split_coefficient(t)[1])
                   for t in e.terms)
    if isinstance(e, Mul):
        return bool(e.matrices) and all(structured(f) for f in e.matrices)
    return False


def _key(f: Factor):
    return f.expr if f.ref is None and f.expr is not None else ("ref", f.ref.id) \
        if f.ref is not None else ("diag", id(f))


def _push_scale(matrices: list[Expr], e: Mul) -> list[Expr] | None:
    """The chain with its scalars moved onto its smallest operand, when that is smaller than
    the product: −K(A ⊗ B) scales A, not the product's n⁴ elements."""
    size = lambda d: estimate(d[0]) * estimate(d[1])
    best, where = size(e.shape), None
    for k, f in enumerate(matrices):
        cost, _ = _scalable(f)
        if cost < best:
            best, where = cost, k
    if where is None:
        return None
    scalars = e.scalars
    pushed = list(matrices)
    pushed[where] = _scaled(matrices[where], scalars)
    return pushed


def _scalable(f: Expr) -> tuple[float, Expr | None]:
    if isinstance(f, Kron):
        return min(_scalable(f.left)[0], _scalable(f.right)[0]), None
    if isinstance(f, (Identity, Commutation, Duplication)):
        return float("inf"), None
    if isinstance(f, DiagMatrix):
        return estimate(f.arg.shape[0]), None
    return estimate(f.shape[0]) * estimate(f.shape[1]), None


def _scaled(f: Expr, scalars: tuple[Expr, ...]) -> Expr:
    if isinstance(f, Kron):
        if _scalable(f.left)[0] <= _scalable(f.right)[0]:
            return Kron(_scaled(f.left, scalars), f.right)
        return Kron(f.left, _scaled(f.right, scalars))
    if isinstance(f, DiagMatrix):
        return DiagMatrix(Mul((*scalars, f.arg)))
    return Mul((*scalars, f))


def diagonal(e: Expr) -> Expr | None:
    """v when e is diag(v), or a sum of multiples of diagonals (Σ cᵢ diag(vᵢ) = diag(Σ cᵢ vᵢ))."""
    if isinstance(e, DiagMatrix):
        return e.arg
    if isinstance(e, Add):
        from ..calculus.simplify import split_coefficient
        vectors = []
        for t in e.terms:
            c, rest = split_coefficient(t)
            if not isinstance(rest, DiagMatrix):
                return None
            vectors.append(rest.arg if c == 1 else Mul((Num(c), rest.arg)))
        return Add(tuple(vectors))
    return None


def _existing(factors: tuple[Expr, ...], present: set[Expr]) -> Expr | None:
    """The product node of `factors` if one is among the program's nodes (without making one)."""
    from ..calculus.expr import _NODES
    node = _NODES.get((Mul, factors))
    return node if node is not None and node in present else None


def thin(cols: Dim, rows: Dim) -> bool:
    """An operand with far fewer columns than the inverse it meets has rows: solve, not invert."""
    return 4 * estimate(cols) <= estimate(rows)


def _through_complex_eigenvectors(e: Expr) -> bool:
    """Whether e is computed with the eigenvectors of a general (not symmetric) matrix, which
    NumPy returns complex even where the answer is real."""
    from ..calculus.expr import DivDiff, Factor
    return any(isinstance(n, DivDiff) or (isinstance(n, Factor) and n.kind == "V")
               for n in _nodes([e]))


def _nodes(roots: list[Expr]) -> set[Expr]:
    seen: set[Expr] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.children)
    return seen


def _one_plus(e: Expr) -> Expr | None:
    """x when e is 1 + x (or 𝟏 + x), else None."""
    if isinstance(e, Add) and len(e.terms) == 2:
        for one, other in (e.terms, e.terms[::-1]):
            if isinstance(one, Ones) or (isinstance(one, Num) and one.value == 1):
                return other
    return None


def _exp_argument(e: Expr | None) -> Expr | None:
    if isinstance(e, (ElementFunc, Func)) and e.name == "exp":
        return e.arg
    return None


def _hadamard_factors(e: Expr) -> list[Expr]:
    if isinstance(e, Hadamard):
        return _hadamard_factors(e.left) + _hadamard_factors(e.right)
    return [e]


def _sigmoid_part(f: Expr) -> tuple[Expr | None, int, int]:
    """(z, 0, p) for exp(z)ᵖ; (z, 1, q) for (𝟏 + exp z)^(−q); (None, …) otherwise."""
    base, k = (f.arg, f.exponent) if isinstance(f, ElementPow) else (f, Fraction(1))
    if k.denominator != 1:
        return None, 0, 0
    z = _exp_argument(base)
    if z is not None and k > 0:
        return z, 0, int(k)
    z = _exp_argument(_one_plus(base))
    if z is not None and k < 0:
        return z, 1, int(-k)
    return None, 0, 0


def _evaluator(e: Expr):
    """How matcalc.checking.numeric evaluates the node (imported when the program runs: NumPy is)."""
    def run(values, sizes):
        from ..checking.numeric import EVALUATORS
        evaluate = EVALUATORS.get(type(e))
        if evaluate is None:
            from ..errors import MatcalcError
            raise MatcalcError(f"matcalc cannot evaluate {type(e).__name__} nodes numerically")
        return evaluate(e, values, sizes)
    return run
