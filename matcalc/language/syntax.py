"""The untyped syntax tree: what the text says, before any shape is known.

A node is its operation (op), its operands (args), a value (a number, a name, a function's
name, an exponent), the position of the token that made it (for messages with a caret), and
the span of text it covers (for naming it in a message).
"""
from __future__ import annotations


class Syn:
    __slots__ = ("op", "args", "value", "pos", "start", "end", "shape")

    def __init__(self, op: str, args: tuple = (), value=None, pos: int = 0):
        self.op, self.args, self.value, self.pos = op, tuple(args), value, pos
        self.start, self.end = pos, pos
        self.shape = None  # filled in by inference: a pair of size classes

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.args))
        value = "" if self.value is None else f"{self.value!r}" + (", " if inner else "")
        return f"{self.op}({value}{inner})"

    def is_number(self) -> bool:
        """A written number, possibly negated or a product of numbers: 1, −1, 2·3."""
        if self.op == "num":
            return True
        if self.op in ("neg", "product", "sum"):
            return all(a.is_number() for a in self.args)
        return False


def walk(node: Syn):
    """Every node, children before parents, without recursion."""
    stack, out = [node], []
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.args)
    return reversed(out)
