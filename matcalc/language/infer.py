"""Shapes inferred from use: every size is an unknown that the operations constrain.

Each name gets a pair of size unknowns (a column's second size is 1). Sums, Hadamard products
and ⟨A,B⟩ make shapes equal; products chain; traces, inverses, determinants and matrix powers
make a matrix square; transposes swap; a symbolic or fractional exponent makes its operand a
scalar, except after `.^` an exponent that cannot be one (X.^Y: element by element). The unknowns are solved by unification (a union–find over size classes, each class
holding at most one known size). `--shape` fixes some sizes beforehand. The letter only decides
what nothing else does: an upper-case name is then n×n, a lower-case one n×1; a lower-case
name whose length comes out 1 is a scalar, so `alpha * w'w` and `t*A` read as meant.

A product of a column c with a matrix M whose rows are not known yet has two readings: c a
scalar (t A) or M a row (x yᵀ). The letters choose: a lower-case name times a matrix-named
operand is a scalar times a matrix. Two columns multiplied (t a) need one to be a scalar, and
the letters cannot choose: their use decides later (in t a + A y, a has A's columns), or the
question could mean two things and is refused with the --shape of each reading.

Sizes are positive whole numbers, so a product of sizes that equals one of its factors has
every other factor 1: b ⊗ t + b makes t a scalar.

A lower-case name whose length nothing decides is a column by its letter alone (`open`), and
is said to be one, as `t + 3` may have meant a scalar t, unless the text writes it as a column
(x', sum(x)).

A written number broadcasts (1 + exp(x)); a named scalar does not: t + A makes t A's shape.
"""
from __future__ import annotations

from ..calculus.dims import ONE, Dim, shape_str
from ..errors import ShapeError
from ..limits import check_depth
from .syntax import Syn, walk

DEFAULT_SIZE = "n"

# The shape rule of each function, by kind; a function not listed keeps its argument's shape
# (it applies element by element).
SQUARE_SAME = {"inv", "expm", "logm", "sqrtm", "chol", "adj"}
SQUARE_SCALAR = {"det", "logdet", "tr", "trace"}
WHAT = {"inv": "the inverse", "chol": "the Cholesky factor", "adj": "the adjugate",
        "det": "the determinant", "logdet": "the log-determinant", "tr": "the trace",
        "trace": "the trace"}
TO_SCALAR = {"sum", "norm", "norm1", "norm2", "max", "min", "logsumexp"}
FUNCTION_SHAPES = {"vec": "vec", "kron": "kron", "diag": "diag", "transpose": "transpose",
                   "vector": "vector", "matrix": "matrix", "pinv": "transpose", "eig": "eig",
                   "svd": "svd"}
# Functions of a column that nobody applies to a scalar: their argument is written as a column
# (as x' is), so its length is not reported as left to the letter.
VECTOR_FUNCTIONS = TO_SCALAR | {"softmax", "diag", "vec", "transpose"}
IDENTITIES = ("I", "eye")
ONES = ("ones", "𝟏")


class Sizes:
    """Size classes: a union–find whose classes hold a known Dim or None, and a kind —
    'vector' (only lower-case names' lengths: may turn out 1), 'matrix', 'free', or 'ones'
    (the columns of 𝟏: 1 when nothing else decides, so that 𝟏 is a column)."""

    def __init__(self):
        self.parent: list[int] = []
        self.value: list[Dim | None] = []
        self.kind: list[str] = []
        self.constants: dict[Dim, int] = {}

    def new(self, kind: str = "free", value: Dim | None = None) -> int:
        self.parent.append(len(self.parent))
        self.value.append(value)
        self.kind.append(kind)
        return len(self.parent) - 1

    def const(self, d: Dim) -> int:
        if d not in self.constants:
            self.constants[d] = self.new("matrix", d)
        return self.constants[d]

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def get(self, i: int) -> Dim | None:
        return self.value[self.find(i)]

    def same(self, i: int, j: int) -> bool:
        return self.find(i) == self.find(j)

    def unify(self, i: int, j: int) -> bool:
        """Make two sizes one; False (and nothing changed) when both are known and differ."""
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        va, vb = self.value[a], self.value[b]
        if va is not None and vb is not None and va != vb:
            return False
        if (va is ONE and vb is None and self.kind[b] == "matrix") or \
                (vb is ONE and va is None and self.kind[a] == "matrix"):
            return False  # an upper-case name's size is never taken to be 1 unless given
        self.parent[b] = a
        self.value[a] = va if va is not None else vb
        kinds = (self.kind[a], self.kind[b])
        if kinds[0] != kinds[1]:  # a lower-case name's length may still be 1; a matrix's not
            self.kind[a] = "matrix" if "matrix" in kinds else \
                "vector" if "vector" in kinds and "ones" not in kinds else "free"
        return True

    def is_one(self, i: int) -> bool:
        v = self.get(i)
        return v is not None and v.is_one

    def cannot_be_one(self, i: int) -> bool:
        """Known and not 1, or an upper-case name's size (1 only when given)."""
        r = self.find(i)
        v = self.value[r]
        return not v.is_one if v is not None else self.kind[r] == "matrix"

    def may_be_one(self, i: int) -> bool:
        """Unknown, and the length of lower-case names only: it may turn out a scalar."""
        r = self.find(i)
        return self.value[r] is None and self.kind[r] == "vector"

    def never_one(self, i: int) -> bool:
        """Known not to be 1, or a size of an upper-case name."""
        r = self.find(i)
        return self.kind[r] == "matrix" if self.value[r] is None else not self.value[r].is_one

    def show(self, i: int) -> str:
        v = self.get(i)
        return str(v) if v is not None else DEFAULT_SIZE


class Inference:
    """Walk the syntax tree once, children first, giving each node a shape of size classes."""

    def __init__(self, text: str, shapes: dict, literal_names=frozenset(), guess: bool = True):
        self.text = text
        self.guess = guess  # may the variable differentiated by decide two columns (a*x)?
        self.guessed = False
        self.guessed_columns: set[str] = set()  # kept columns by that guess alone: noted
        self.given = shapes
        self.sizes = Sizes()
        self.one = self.sizes.const(ONE)
        self.names: dict[str, tuple[int, int]] = {}
        self.deferred: list[tuple[int, list[int], Syn]] = []  # size = product of sizes
        self.literal_names = literal_names  # names that are variables even if I, eye, …
        self.written_as_column: list[int] = []  # lengths the text writes as columns: x', sum(x)
        self.written: set[str] = set()  # the names the text holds (WRT may not be one of them)
        self.open: tuple[str, ...] = ()  # lower-case names that are columns by their letter only
        self.choices: list = []  # products of two columns, t a: (a, c, product, nodes)
        self.products_by_result: dict[int, list[int]] = {}  # an unknown product's factors

    # ── entry ──
    def run(self, tree: Syn, extra: tuple[str, ...] = (),
            expect: tuple[Dim, Dim] | None = None) -> dict[str, tuple[Dim, Dim]]:
        """The names' shapes; `expect` is the shape the whole should have where that decides
        (a claim is the answer's shape: 𝟏 alone is then 𝟏 of that shape)."""
        self.kept = extra  # the variable differentiated by, which keeps its letter's shape
        self.visit(tree)
        self.written = set(self.names)  # the names the text holds, not WRT alone
        for name in extra:
            self.name_shape(name)
        if expect is not None:
            for size, wanted in zip(tree.shape, expect):
                self.sizes.unify(size, self.sizes.const(wanted))
        self.settle()
        return {name: (self.dim(r), self.dim(c)) for name, (r, c) in self.names.items()}

    def dim(self, i: int) -> Dim:
        return self.sizes.get(i) or Dim.of(DEFAULT_SIZE)

    def settle(self) -> None:
        """Products of sizes (vec, ⊗) once their factors are known, then the defaults."""
        s = self.sizes
        self.products()
        self.resolve(final=True)
        self.deferred = [d for d in self.deferred if not self.settled(*d)]
        derived = {s.find(r) for r, _, _ in self.deferred}
        defaulted = set()
        for i in range(len(s.parent)):
            if s.find(i) == i and s.value[i] is None and i not in derived:
                s.value[i] = ONE if s.kind[i] == "ones" else Dim.of(DEFAULT_SIZE)
                defaulted.add(i)
        self.products()
        for i in range(len(s.parent)):
            if s.find(i) == i and s.value[i] is None:
                s.value[i] = ONE if s.kind[i] == "ones" else Dim.of(DEFAULT_SIZE)
                defaulted.add(i)
        self.products()  # a product the defaults made inconsistent is a conflict
        written = {s.find(i) for i in self.written_as_column}
        self.open = tuple(name for name, (r, _) in self.names.items()
                          if name in self.written and name not in self.given
                          and not name[0].isupper() and s.find(r) in defaulted
                          and s.kind[s.find(r)] != "matrix" and s.find(r) not in written
                          or name in self.guessed_columns)

    def settled(self, result: int, parts: list[int], node: Syn) -> bool:
        """A product that is one of its factors times ones: it says nothing more."""
        s = self.sizes
        rest = [p for p in parts if not s.is_one(p)]
        return len(rest) == 1 and s.same(result, rest[0])

    def products(self) -> None:
        """Settle the products of sizes whose factors are known, and a factor that is the one
        unknown of a known product, until nothing more is learnt."""
        while self.deferred and self.products_once():
            pass

    def products_once(self) -> bool:
        s = self.sizes
        progress = False
        self.products_by_result = {s.find(r): q for r, q, _ in self.deferred
                                   if s.get(r) is None and not any(s.same(r, f) for f in q)}
        for result, parts, node in self.deferred:
            progress = self.cancel(result, parts, node) or progress
            values = [s.get(p) for p in parts]
            unknown = [p for p, v in zip(parts, values) if v is None]
            total = s.get(result)
            if unknown and total is not None and len({s.find(p) for p in unknown}) == 1:
                known = _times([v for v in values if v is not None])  # (I ⊗ a)b: I's size
                root = _root(_divide(total, known), len(unknown))  # from b's; a ⊗ a = 1: a = 1
                if root is not None and s.unify(unknown[0], s.const(root)):
                    values = [s.get(p) for p in parts]
                    progress = True
            if any(v is None for v in values):
                continue
            progress = progress or s.get(result) is None
            size = _times(values)
            if not s.unify(result, s.const(size)):
                self.conflict(f"{self.describe(node)} has {size} elements, but its use needs "
                              f"{s.show(result)}", node)
        return progress

    def cancel(self, result: int, parts: list[int], node: Syn) -> bool:
        """Sizes are positive whole numbers, so a product that equals one of its factors (or
        1) has every other factor 1 (t ⊗ t = t makes t a scalar), and a product whose other
        factors are 1 is its one remaining factor (vec(aᵀ) has a's length). A factor that is
        itself a product not yet known counts as its factors: b = vec(b ⊗ t) ⊗ t."""
        s = self.sizes
        rest = [p for p in self.factors(parts) if not s.is_one(p)]
        if s.is_one(result) or any(s.same(result, p) for p in rest):
            if not s.is_one(result):
                rest.remove(next(p for p in rest if s.same(result, p)))
            if all(s.is_one(p) for p in rest):
                return False
            for p in rest:
                if not s.unify(p, self.one):
                    self.conflict(f"{self.describe(node)} has {s.show(p)} times as many "
                                  f"elements as its use needs", node, self.scalar_fixes(node))
            return True
        if len(rest) == 1 and not s.same(result, rest[0]):
            if not s.unify(result, rest[0]):
                self.conflict(f"{self.describe(node)} has {s.show(rest[0])} elements, but its "
                              f"use needs {s.show(result)}", node)
            return True
        return False

    def factors(self, parts: list[int], depth: int = 0) -> list[int]:
        """parts, with each that is an unknown product replaced by its own factors (a few
        levels deep: enough for what people write, and bounded for what they do not)."""
        s = self.sizes
        out = []
        for p in parts:
            inner = None if s.get(p) is not None or depth > 4 or len(out) > 16 else \
                self.products_by_result.get(s.find(p))
            out += self.factors(inner, depth + 1) if inner is not None else [p]
        return out

    # ── messages ──
    def describe(self, node: Syn) -> str:
        text = " ".join(self.text[node.start:node.end].split())
        if len(text) > 40:
            text = text[:30] + " … " + text[-8:]
        r, c = node.shape if node.shape else (self.one, self.one)
        return f"{text} ({self.sizes.show(r)}×{self.sizes.show(c)})"

    def conflict(self, message: str, node: Syn, fix: str = "") -> None:
        err = ShapeError(message + (f"; {fix}" if fix else ""))
        err.text, err.position = self.text, node.pos
        raise err

    def suggest(self, node: Syn, rows: int, cols: int) -> str:
        """The --shape that would make the name `node` fit, if node is a name."""
        if node.op != "name" or node.value not in self.names:
            return ""
        r, c = self.sizes.show(rows), self.sizes.show(cols)
        size = r if c == "1" and r != "1" else f"{r},{c}"
        return f"--shape {node.value}={size} would fit"

    def equal(self, a: Syn, b: Syn, what: str, at: Syn, a_text: str | None = None) -> None:
        (ar, ac), (br, bc) = a.shape, b.shape
        s = self.sizes
        if not (s.unify(ar, br) and s.unify(ac, bc)):
            fix = self.suggest(b, ar, ac) or self.suggest(a, br, bc)
            self.conflict(f"{what} {a_text or self.describe(a)} and {self.describe(b)}", at, fix)

    def square(self, node: Syn, arg: Syn, what: str) -> None:
        r, c = arg.shape
        if not self.sizes.unify(r, c):
            self.conflict(f"{what} needs a square matrix, but {self.describe(arg)}", node)

    def scalar(self, node: Syn, arg: Syn, what: str) -> None:
        """arg must be 1×1; `what` is the message, with {} for the operand."""
        r, c = arg.shape
        s = self.sizes
        if not (s.unify(r, self.one) and s.unify(c, self.one)):
            fix = self.suggest(arg, self.one, self.one)
            self.conflict(what.format(self.describe(arg)), node, fix)

    def is_scalar(self, shape) -> bool:
        return self.sizes.is_one(shape[0]) and self.sizes.is_one(shape[1])

    # ── names ──
    def name_shape(self, name: str) -> tuple[int, int]:
        if name not in self.names:
            s = self.sizes
            if name in self.given:
                r, c = self.given[name]
                self.names[name] = (s.const(r), s.const(c))
            elif name[0].isupper():
                self.names[name] = (s.new("matrix"), s.new("matrix"))
            else:
                self.names[name] = (s.new("vector"), self.one)
        return self.names[name]

    def special(self, name: str) -> str | None:
        """What a name that is not a variable stands for: the identity or 𝟏."""
        if name in self.given or name in self.literal_names:
            return None
        if name in IDENTITIES:
            return "identity"
        if name.startswith("I_") and len(name) > 2:
            return "sized identity"
        if name in ONES:
            return "ones"
        return None

    # ── the walk ──
    def visit(self, tree: Syn) -> tuple[int, int]:
        for node in walk(tree):  # children first, left to right, without recursion
            node.shape = getattr(self, "_" + node.op)(node, *node.args)
            if 0 < len(self.choices) <= 64:  # more are decided at the end, in one pass
                self.resolve()
        return tree.shape

    def _num(self, node):
        return (self.one, self.one)

    def _name(self, node):
        kind = self.special(node.value)
        s = self.sizes
        if kind == "identity":
            n = s.new("free")
            return (n, n)
        if kind == "sized identity":
            n = s.const(sized(node.value[2:]))
            return (n, n)
        if kind == "ones":  # a column, as its lower-case name says, unless its use decides
            return (s.new("free"), s.new("ones"))
        return self.name_shape(node.value)

    def _neg(self, node, x):
        return x.shape

    def _sum(self, node, *terms):
        shaped = [t for t in terms if not t.is_number()]
        if not shaped:
            return (self.one, self.one)
        first = shaped[0]
        for k, term in enumerate(terms):
            if k == 0 or term.is_number() or term is first:
                continue
            (ar, ac), (br, bc) = first.shape, term.shape
            if self.sizes.same(ar, br) and self.sizes.same(ac, bc):
                continue
            text = self.span(terms[0], terms[k - 1])
            at = Syn("sum", (), pos=node.value[k])
            self.equal(first, term, "cannot add", at, f"{text} ({self.sizes.show(first.shape[0])}×"
                       f"{self.sizes.show(first.shape[1])})")
        return first.shape

    def span(self, first: Syn, last: Syn) -> str:
        text = " ".join(self.text[first.start:last.end].split())
        return text if len(text) <= 40 else text[:30] + " … " + text[-8:]

    def _product(self, node, *factors):
        shape = factors[0].shape
        for k, factor in enumerate(factors[1:], start=1):
            shape = self.times(shape, factors[0], factors[k - 1], factor)
        return shape

    def times(self, shape, first: Syn, last: Syn, right: Syn):
        """The shape of (a×b)·(c×d), choosing between the scalar and the matrix reading."""
        s = self.sizes
        (a, b), (c, d) = shape, right.shape
        if self.is_scalar(shape):
            return right.shape
        if self.is_scalar(right.shape):
            return shape
        if s.same(b, c):
            return (a, d)
        vb, vc = s.get(b), s.get(c)
        if vb is not None and vb.is_one and (vc is None and s.kind[s.find(c)] == "matrix"
                                             or vc is not None and not vc.is_one):
            if s.may_be_one(a):  # a column times a matrix: the column is a scalar
                s.unify(a, self.one)
                return right.shape
        if vc is not None and vc.is_one and (vb is None and s.kind[s.find(b)] == "matrix"
                                             or vb is not None and not vb.is_one):
            if s.may_be_one(d):  # a matrix times a row: the row is a scalar
                s.unify(d, self.one)
                return shape
        if s.is_one(b) and s.may_be_one(a) and s.may_be_one(c):
            return self.either(a, c, first, last, right), d  # t a: which is the scalar?
        if s.is_one(c) and s.may_be_one(b) and s.may_be_one(d):
            return a, self.either(b, d, first, last, right)  # a' t'
        if not s.unify(b, c):
            left = first if first is last else None
            fix = self.suggest(right, b, d) or (self.suggest(left, a, c) if left else "")
            left_text = self.span(first, last)
            self.conflict(f"cannot multiply {left_text} ({s.show(a)}×{s.show(b)}) by "
                          f"{self.describe(right)}: {_count(s.show(b), 'column')} against "
                          f"{_count(s.show(c), 'row')}", right if right.op != "product" else right, fix)
        return (a, d)

    def either(self, a: int, c: int, first: Syn, last: Syn, right: Syn) -> int:
        """(a×1)·(c×d), both lengths possibly 1: a scalar times a matrix when a is 1, an outer
        product when c is 1 (t a, t aᵀ; and so for rows, a' t'). The size of the product that
        is a or c is returned now, and which one it is decided once their use says (resolve)."""
        if self.sizes.same(a, c):  # t t: both scalars
            self.sizes.unify(a, self.one)
            return self.one
        product = self.sizes.new("vector")
        self.choices.append((a, c, product, (first, last, right)))
        return product

    def resolve(self, final: bool = False) -> None:
        """Decide the pending products of two columns whose one length is now known."""
        s = self.sizes
        while self.choices:
            pending = []
            for a, c, product, nodes in self.choices:
                if s.is_one(a) or s.never_one(c) or s.same(product, c):
                    ok = s.unify(a, self.one) and s.unify(product, c)
                elif s.is_one(c) or s.never_one(a) or s.same(product, a):
                    ok = s.unify(c, self.one) and s.unify(product, a)
                elif s.is_one(product):
                    ok = s.unify(a, self.one) and s.unify(c, self.one)
                else:
                    pending.append((a, c, product, nodes))
                    continue
                if not ok:
                    self.ambiguous(a, c, nodes, "fits neither way")
            if len(pending) == len(self.choices):
                break
            self.choices = pending
        if final and self.choices:
            if self.guess and self.by_variable():
                self.guessed = True
                return self.resolve(final=True)
            a, c, _, nodes = self.choices[0]
            self.ambiguous(a, c, nodes, "could mean two things")

    def by_variable(self) -> bool:
        """Of two columns that nothing else decides, the variable differentiated by keeps its
        letter's shape: a*x by x is a scalar a times the column x, as MatrixCalculus.org reads
        it. Decides one pending product, if any is decided so."""
        s = self.sizes
        kept = [self.names[k][0] for k in self.kept if k in self.names]
        plain = [r for name, (r, _) in self.names.items()  # a name's own length, no product
                 if not any(s.same(r, result) for result, _, _ in self.deferred)]
        for i, (a, c, product, _) in enumerate(self.choices):
            for mine, other in ((a, c), (c, a)):
                if any(s.same(mine, k) for k in kept) and s.may_be_one(other) and \
                        any(s.same(other, r) for r in plain) and not s.same(mine, other):
                    del self.choices[i]
                    self.guessed_columns.update(k for k in self.kept if k in self.names
                                                and s.same(self.names[k][0], mine))
                    return s.unify(other, self.one) and s.unify(product, mine)
        return False

    def guess_undone(self) -> bool:
        """Did the rest of the question make the variable a guess kept a column a scalar after
        all? Then the guess was wrong, and the question is read again without it."""
        return self.guessed and any(self.sizes.is_one(self.names[k][0])
                                    for k in self.kept if k in self.names)

    def ambiguous(self, a: int, c: int, nodes, what: str) -> None:
        first, last, right = nodes
        left = self.span(first, last)
        names = [self.length_of(a), self.length_of(c)]
        fixes = [f"--shape {n}=1,1" for n in names if n]
        fix = f"{fixes[0]} would fit" + "".join(f", as would {f}" for f in fixes[1:]) \
            if fixes else ""
        self.conflict(f"{left} {self.text[last.end:right.start].strip() or '·'} "
                      f"{self.span(right, right)} {what}: one of the two must be a scalar, and "
                      f"nothing in the question says which", right, fix)

    def scalar_fixes(self, node: Syn) -> str:
        """--shape t=1,1 for each lower-case name in node whose length is not fixed: one of
        them read as a scalar may be what was meant."""
        names = dict.fromkeys(n.value for n in walk(node) if n.op == "name" and n.value in self.names
                              and not n.value[0].isupper() and n.value not in self.given)
        fixes = [f"--shape {name}=1,1" for name in names]
        return f"{fixes[0]} may fit" + "".join(f", as may {f}" for f in fixes[1:]) if fixes else ""

    def length_of(self, size: int) -> str | None:
        """A lower-case name whose length is `size`, or a factor of it (t of t ⊗ t), for a
        --shape to suggest."""
        s = self.sizes
        for part in [size] + self.factors([size]):
            name = next((name for name, (r, _) in self.names.items() if not name[0].isupper()
                         and name not in self.given and s.same(r, part)), None)
            if name:
                return name
        return None

    def _div(self, node, a, b):
        self.scalar(node, b, "can only divide by a scalar, but {}")
        return a.shape

    def _kron(self, node, a, b):
        (p, q), (r, t) = a.shape, b.shape
        return (self.product_of(node, p, r), self.product_of(node, q, t))

    def product_of(self, node, *parts) -> int:
        s = self.sizes
        parts = [p for p in parts if not s.is_one(p)] or [self.one]
        if len(parts) == 1:  # a ⊗ bᵀ has a's rows
            return parts[0]
        values = [s.get(p) for p in parts]
        if all(v is not None for v in values):
            return s.const(_times(values))
        # a product of lengths that may each be 1 may be 1: t ⊗ a may be a scalar
        result = s.new("vector" if all(s.may_be_one(p) for p in parts) else "free")
        self.deferred.append((result, list(parts), node))
        return result

    def _hadamard(self, node, a, b):
        if self.is_scalar(a.shape):
            return b.shape
        if self.is_scalar(b.shape):
            return a.shape
        self.equal(a, b, "the Hadamard product needs two matrices of one shape, but", node)
        return a.shape

    _hdiv = _hadamard

    def _transpose(self, node, x):
        self.written_as_column.append(x.shape[0])
        return x.shape[::-1]

    def _invT(self, node, x):
        self.square(node, x, "the inverse")
        return x.shape

    def _power(self, node, x):
        if self.is_scalar(x.shape):
            return x.shape
        if node.value.denominator != 1:
            self.scalar(node, x, "a matrix can only be raised to an integer power, but {} is raised to " + str(node.value))
        else:
            self.square(node, x, "a matrix power")
        return x.shape

    def _epower(self, node, x):
        return x.shape

    def _spower(self, node, base, exponent):
        self.scalar(node, exponent, "an exponent must be a scalar, but {}")
        self.scalar(node, base, "a power with a symbolic exponent needs a scalar base, but {}")
        return (self.one, self.one)

    def _sepower(self, node, base, exponent):
        """X.^t with a scalar t; with an exponent that cannot be a scalar (a matrix), X.^Y
        element by element with Y of X's shape, and c.^Y for a scalar base c."""
        if not any(self.sizes.cannot_be_one(d) for d in exponent.shape):
            self.scalar(node, exponent, "an exponent must be a scalar, but {}")
            return base.shape
        if self.is_scalar(base.shape):
            return exponent.shape
        self.equal(base, exponent, "an element-wise power needs a scalar exponent or one of "
                   "the base's shape, but", node)
        return base.shape

    def _det(self, node, x):
        if not self.is_scalar(x.shape):
            self.square(node, x, "the determinant")
        return (self.one, self.one)

    def _logdet(self, node, x):
        if not self.is_scalar(x.shape):
            self.square(node, x, "the log-determinant")
        return (self.one, self.one)

    def _vnorm(self, node, x):
        """‖x‖₂, ‖x‖₁: norms of a vector (of a matrix, ‖X‖₂ would be the spectral norm)."""
        if all(self.sizes.cannot_be_one(d) for d in x.shape):
            self.conflict(f"‖…‖{'₂' if node.value == 2 else '₁'} needs a vector, but "
                          f"{self.describe(x)}; for a matrix write ‖X‖_F or norm(X) (Frobenius)"
                          + (", max(svd(X)) (spectral)" if node.value == 2 else
                             ", norm1(X) (entry-wise)"), node)
        return (self.one, self.one)

    def _inner(self, node, a, b):
        self.written_as_column += [a.shape[0], b.shape[0]]
        self.equal(a, b, "⟨A,B⟩ needs two matrices of one shape, but", node)
        return (self.one, self.one)

    def _call(self, node, *args):
        name = node.value
        if name in VECTOR_FUNCTIONS:
            self.written_as_column.append(args[0].shape[0])
        if name in SQUARE_SAME:
            self.square(node, args[0], WHAT.get(name, name))
            return args[0].shape
        if name in SQUARE_SCALAR:
            if not self.is_scalar(args[0].shape):
                self.square(node, args[0], WHAT[name])
            return (self.one, self.one)
        if name in TO_SCALAR:
            return (self.one, self.one)
        kind = FUNCTION_SHAPES.get(name)
        if kind is None:
            return args[0].shape
        return getattr(self, "_fn_" + kind)(node, *args)

    def _fn_vec(self, node, x):
        return (self.product_of(node, *x.shape), self.one)

    def _fn_kron(self, node, a, b):
        return self._kron(node, a, b)

    def _fn_transpose(self, node, x):
        return x.shape[::-1]

    def _fn_diag(self, node, x):
        r, c = x.shape
        if self.sizes.is_one(c):
            return (r, r)
        if not self.sizes.unify(r, c):
            self.conflict(f"diag needs a column vector or a square matrix, but {self.describe(x)}", node)
        return (r, self.one)

    def _fn_eig(self, node, x):
        """eig(S): the column of a square S's eigenvalues."""
        self.square(node, x, "eig")
        return (x.shape[0], self.one)

    def _fn_svd(self, node, x):
        """svd(X): the column of X's min(m, n) singular values."""
        from ..calculus.expr import rank_dim
        r, c = (self.sizes.get(i) for i in x.shape)
        if r is not None and c is not None:
            return (self.sizes.const(rank_dim(r, c)), self.one)
        if r is not None or c is not None:  # the one known size, if the other is the same
            return (self.sizes.new("free"), self.one)
        self.sizes.unify(*x.shape)  # nothing known: a square X, as its letter says
        return (x.shape[0], self.one)

    def _fn_vector(self, node, c):
        self.scalar(node, c, "vector(c) needs a scalar c, but {}")
        return (self.sizes.new("free"), self.one)

    def _fn_matrix(self, node, c):
        self.scalar(node, c, "matrix(c) needs a scalar c, but {}")
        return (self.sizes.new("free"), self.sizes.new("free"))


def _times(values) -> Dim:
    """The product of sizes; one of hundreds of factors (A ⊗ A ⊗ ⋯) is beyond the limits."""
    size = ONE
    for v in values:
        size = size * v
        check_depth(len(size.symbols))  # its tree of ⊗ is at least as deep
    return size


def _divide(total: Dim, part: Dim) -> Dim | None:
    """total / part when it is a size (mn / n = m), else None."""
    symbols = list(total.symbols)
    for sym in part.symbols:
        if sym not in symbols:
            return None
        symbols.remove(sym)
    if part.coeff == 0 or total.coeff % part.coeff:
        return None
    return Dim(total.coeff // part.coeff, tuple(symbols))


def _root(size: Dim | None, k: int) -> Dim | None:
    """The size whose k-th power is `size` (n² → n), or None."""
    if size is None or k == 1:
        return size
    coeff = round(size.coeff ** (1 / k))
    counts = {sym: size.symbols.count(sym) for sym in size.symbols}
    if coeff ** k != size.coeff or any(c % k for c in counts.values()):
        return None
    return Dim(coeff, tuple(sym for sym, c in sorted(counts.items()) for _ in range(c // k)))


def sized(suffix: str) -> Dim:
    """The size written after I_: 3, n, or a product of one-letter sizes (mn)."""
    if suffix.isdigit():
        return Dim(int(suffix))
    if len(suffix) > 1 and suffix.isalpha():
        dim = ONE
        for letter in suffix:
            dim = dim * Dim.of(letter)
        return dim
    return Dim.of(suffix)


def _count(size: str, noun: str) -> str:
    return f"{size} {noun}" + ("" if size == "1" else "s")
