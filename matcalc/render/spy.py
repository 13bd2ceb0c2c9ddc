"""The pattern of an answer as a picture: where a Jacobian is not zero, drawn in the terminal.

A picture shows at a glance what the formula says in symbols: K is a permutation, diag(vec I)
picks the diagonal, Dₙ duplicates. The answer is evaluated with NumPy at small sizes (n = 3
unless --shape fixes a size) at two random points; an entry is drawn filled when it is not zero
at either, so a zero that is there by structure shows as empty and one by chance cannot. Each
entry is two cells wide, "██" or "· ", so that it looks square; a large answer is drawn with
half blocks (▀ ▄ █), two rows a line, several entries a cell.
"""
from __future__ import annotations

import numpy as np

from ..errors import MatcalcError
from ..calculus.expr import Expr, Var

SIZE = 3              # n, for the pictures; other size names get 4, 5, …
SMALL = (24, 36)      # rows, columns up to which each entry gets a cell of its own
LARGE = (48, 80)      # the most rows and columns of cells a picture has
MAX_ENTRIES = 1_000_000  # entries of an answer evaluated to draw it (8 MB of floats)


def pattern(e: Expr, names: dict[str, Var], size: int = SIZE, seed: int = 0
            ) -> tuple[np.ndarray, dict[str, int]]:
    """Where e is not zero (a boolean array), and the sizes it was evaluated at."""
    from ..checking.numeric import dim_value, evaluate
    from ..checking.verify import ATTEMPTS, random_point, size_values
    sizes = size_values(names.values(), size)
    rows, cols = (dim_value(d, sizes) for d in e.shape)
    if rows * cols > MAX_ENTRIES:
        raise MatcalcError(f"the answer is {rows}×{cols} at these sizes, too large to draw "
                           f"(at most {MAX_ENTRIES:,} entries); give smaller sizes with --shape")
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    for attempt in range(2 * ATTEMPTS):
        env = random_point(names.values(), sizes, rng, attempt)
        with np.errstate(all="ignore"):
            try:
                value = evaluate(e, env, sizes)
            except np.linalg.LinAlgError:
                continue
        if np.all(np.isfinite(value)):
            found.append(np.abs(value) > 1e-9 * max(1.0, float(np.max(np.abs(value)))))
            if len(found) == 2:
                return found[0] | found[1], sizes
    raise MatcalcError("matcalc found no point where the answer has a value, so it cannot "
                       "draw its pattern")


def cell(shape: tuple[int, int]) -> tuple[int, int]:
    """The rows and columns of entries one cell of the picture covers."""
    return (-(-shape[0] // LARGE[0]) if shape[0] > LARGE[0] else 1,
            -(-shape[1] // LARGE[1]) if shape[1] > LARGE[1] else 1)


def _shrink(mask: np.ndarray) -> np.ndarray:
    """At most LARGE cells, each filled when an entry it covers is."""
    r, c = cell(mask.shape)
    padded = np.zeros((-(-mask.shape[0] // r) * r, -(-mask.shape[1] // c) * c), dtype=bool)
    padded[:mask.shape[0], :mask.shape[1]] = mask
    return padded.reshape(padded.shape[0] // r, r, padded.shape[1] // c, c).any(axis=(1, 3))


def draw(mask: np.ndarray, ascii: bool = False) -> list[str]:
    """The picture, framed, one string a line."""
    small = mask.shape[0] <= SMALL[0] and mask.shape[1] <= SMALL[1]
    if ascii:
        cells = _shrink(mask)
        body = ["".join("#" if x else "." for x in row) for row in cells]
        corner, side, top = "+", "|", "-"
    elif small:
        body = ["".join("██" if x else "· " for x in row) for row in mask]
        corner, side, top = None, "│", "─"
    else:
        cells = _shrink(mask)
        if cells.shape[0] % 2:
            cells = np.vstack([cells, np.zeros((1, cells.shape[1]), dtype=bool)])
        glyphs = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
        body = ["".join(glyphs[bool(a), bool(b)] for a, b in zip(upper, lower))
                for upper, lower in zip(cells[0::2], cells[1::2])]
        corner, side, top = None, "│", "─"
    width = len(body[0])
    if corner:
        return [corner + top * width + corner, *(side + line + side for line in body),
                corner + top * width + corner]
    return ["┌" + top * width + "┐", *(side + line + side for line in body),
            "└" + top * width + "┘"]


def spy(e: Expr, names: dict[str, Var], ascii: bool = False, size: int = SIZE) -> str:
    """The caption (the sizes, the count of entries not zero) and the picture of e."""
    mask, sizes = pattern(e, names, size)
    used = {s for v in (*names.values(),) for d in (*v.shape, *e.shape) for s in d.symbols}
    at = ", ".join(f"{s} = {k}" for s, k in sorted(sizes.items()) if s in used)
    times = "x" if ascii else "×"
    caption = (f"{'at ' + at + ': ' if at else ''}{mask.shape[0]}{times}{mask.shape[1]}, "
               f"{int(mask.sum())} of {mask.size} entries not zero")
    r, c = cell(mask.shape)
    if (r, c) != (1, 1):
        caption += f"; a cell is {r}{times}{c} entries, filled when one is"
    return "\n".join([caption, *draw(mask, ascii)])
