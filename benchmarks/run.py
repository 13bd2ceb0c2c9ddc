"""matcalc's benchmarks, measured side by side in one run; prints the tables the README shows.

    python benchmarks/run.py            # about a minute
    python benchmarks/run.py --quick    # fewer repetitions and sizes

1. Start-up: a cold `matcalc derive "inv(A)" A | cat` against the interpreter's own start
   (`python -c pass`) and against sympy answering the same question in a fresh process.
   The real console script is measured, installed by pip (without dependencies, which the
   question does not need) in a throwaway virtual environment; `--no-venv`, or a pip that
   cannot install it, measures `python -m matcalc` from the source tree instead.
2. Derive time and answer size as an expression grows from 10 to 1,000 nodes.
3. In-process derive time against sympy's matrix derivatives, on questions both can answer,
   each answer checked numerically against central differences of the question itself.
4. Verify time as N grows, from benchmarks/verify_scaling.py when that file is present.

Every time is the median of several runs: wall time for start-up, where the runs of the
commands are interleaved so that a busy machine slows each alike, and processor time in process.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.setrecursionlimit(20_000)

from matcalc import derive  # noqa: E402  (after the path is set)
from matcalc.checking.numeric import evaluate, finite_difference  # noqa: E402

QUESTION = ("inv(A)", "A")
SYMPY_QUESTION = ("import sympy\n"
                  "A = sympy.MatrixSymbol('A', sympy.Symbol('n'), sympy.Symbol('n'))\n"
                  "print(A.inverse().diff(A))")


# ── output and timing ─────────────────────────────────────────────────────────────────────

def table(title: str, header: list[str], rows: list[list[str]], note: str = "") -> None:
    """A Markdown table, ready for the README."""
    rows = [[str(c).replace("|", "\\|") for c in r] for r in rows]  # |X| inside a cell
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(f"\n### {title}\n")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    if note:
        print(f"\n{note}")
    sys.stdout.flush()


def ms(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def median_time(fn, runs: int) -> float:
    """Median processor time of fn(): other programs on a busy machine do not count."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


# ── 1. start-up ─────────────────────────────────────────────────────────────────────────

def installed_script(workdir: Path) -> tuple[str, str] | None:
    """(python, matcalc) of a fresh virtual environment with matcalc installed in it, without
    its dependencies (the question needs none of them); None when pip cannot install it."""
    env_dir, source = workdir / "venv", workdir / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "build", "*.egg-info", ".hypothesis", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = str(env_dir / "bin" / "python")
    done = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
                          capture_output=True)
    script = env_dir / "bin" / "matcalc"
    return (python, str(script)) if done.returncode == 0 and script.exists() else None


def interleaved(commands: dict[str, tuple[list[str], dict | None]], runs: int) -> dict[str, float]:
    """Median wall time of each command, running them in turn so load hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs + 1):  # the first round warms the caches and is dropped
        for name, (command, env) in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env)
            times[name].append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return {name: statistics.median(t[1:]) for name, t in times.items()}


def startup(runs: int, use_venv: bool) -> None:
    """matcalc and `python -c pass` run by one interpreter, sympy and its floor by this one."""
    here = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        installed = installed_script(workdir) if use_venv else None
        if installed:
            python, script = installed
            matcalc, env = [script], None
            how = "the console script, installed in a fresh virtual environment"
        else:  # the source tree, its bytecode cached outside it
            python, matcalc = here, [here, "-m", "matcalc"]
            env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": tmp}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            how = "`python -m matcalc` from the source tree"
        commands = {
            "python -c pass": ([python, "-c", "pass"], None),
            'matcalc derive "inv(A)" A': ([*matcalc, "derive", *QUESTION], env),
            "python -c pass (sympy's python)": ([here, "-c", "pass"], None),
            "sympy: A.inverse().diff(A)": ([here, "-c", SYMPY_QUESTION], None),
        }
        if python == here:
            del commands["python -c pass (sympy's python)"]
        took = interleaved(commands, runs)
    floor, ours = took["python -c pass"], took['matcalc derive "inv(A)" A']
    sympy_floor = took.get("python -c pass (sympy's python)", floor)
    rows = []
    for name, t in took.items():
        own_floor = sympy_floor if "sympy" in name else floor
        rows.append([name, ms(t), f"{t / own_floor:.1f}×", f"{t / ours:.1f}×"])
    table("Start-up: one question in a fresh process, output to a pipe",
          ["command", "median", "÷ python -c pass", "÷ matcalc"], rows,
          f"Medians of {runs} interleaved runs. matcalc is {how}; sympy runs in {here}, "
          "and each command is divided by the start of its own interpreter.")


# ── 2. growth ───────────────────────────────────────────────────────────────────────────

def names(prefix: str, k: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, k + 1)]


def product(k):
    """A₁A₂⋯A_k X: one term, k + 1 factors."""
    return " ".join(names("A", k)) + " X"


def product_thrice(k):
    """A₁⋯X⋯X⋯A_k X: X in three places, so three terms of about k factors."""
    factors = names("A", k)
    factors.insert(2 * k // 3, "X")
    factors.insert(k // 3, "X")
    return " ".join(factors) + " X"


def nested_inverses(k):
    """inv(inv(⋯inv(X + A₁)⋯ + A_{k−1}) + A_k): nothing cancels."""
    text = "X + A1"
    for i in range(2, k + 1):
        text = f"inv({text}) + A{i}"
    return f"inv({text})"


def trace_of_sum(k):
    """tr(A₁X + A₂X + ⋯ + A_kX)"""
    return "tr(" + " + ".join(f"{a} X" for a in names("A", k)) + ")"


def x_everywhere(k):
    """A₁X A₂X ⋯ A_kX: k terms of 2k factors each, so k² in any flat notation."""
    return " ".join(f"{a} X" for a in names("A", k))


NESTING_LIMIT = 198  # the parser refuses deeper nesting

# (family, builder, k for a question of about N nodes, largest k measured)
FAMILIES = [
    ("A₁⋯A_k X", product, lambda n: n - 2, None),
    ("X three times in A₁⋯A_k", product_thrice, lambda n: n - 2, None),
    ("k nested inverses", nested_inverses, lambda n: (n - 1) // 3, NESTING_LIMIT),
    ("tr(A₁X + ⋯ + A_kX)", trace_of_sum, lambda n: (n - 3) // 2, None),
    ("A₁X⋯A_kX (k² by nature)", x_everywhere, lambda n: n - 2, 240),  # the work budget
]


def dag_size(e) -> int:
    """Distinct nodes plus the edges between them: what the answer costs to hold."""
    seen, stack, edges = set(), [e], 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        edges += len(node.children)
        stack.extend(node.children)
    return len(seen) + edges


def distinct_nodes(e) -> int:
    seen, stack = set(), [e]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.children)
    return len(seen)


def growth(sizes: list[int], runs: int) -> None:
    rows = []
    for family, builder, k_for, k_max in FAMILIES:
        previous = None
        for n in sizes:
            k = min(k_for(n), k_max or n)
            if previous and previous[0] == k:
                continue  # capped
            text = builder(k)
            d = derive(text, "X")
            took = median_time(lambda: derive(text, "X").unicode, runs)
            nodes, size, chars = distinct_nodes(d.expr), dag_size(d.jacobian), len(d.unicode)
            grew = ""
            if previous:
                _, pn, pt, psize = previous
                grew = f"×{nodes / pn:.1f} → ×{took / pt:.1f}, ×{size / psize:.1f}"
            rows.append([family, k, nodes, ms(took), size, f"{chars:,}", grew])
            previous = (k, nodes, took, size)
    table("Growth: derive time and answer size as the question grows",
          ["family", "k", "nodes in", "derive + print", "answer size", "answer chars",
           "nodes × → time ×, size ×"], rows,
          "Nodes in: distinct nodes of the parsed question. Answer size: distinct nodes plus "
          "edges of the answer, shared subexpressions counted once. Answer chars: the length "
          "of the Unicode answer, which writes a shared subexpression out wherever it occurs: "
          "for k nested inverses (each contains the one before) it grows as k² while the "
          "answer itself grows as k. A₁X⋯A_kX has k terms of about 2k factors each, k² by "
          f"nature, and stops at k = 240, below the work budget; nesting stops at the parser's limit of "
          f"{NESTING_LIMIT} levels.")


# ── 3. against sympy ────────────────────────────────────────────────────────────────────

def sympy_questions():
    """(question, wrt, the same question to sympy) for questions both can answer."""
    import sympy as sp
    n = sp.Symbol("n")
    X, A, B = (sp.MatrixSymbol(s, n, n) for s in "XAB")
    x, a, b = (sp.MatrixSymbol(s, n, 1) for s in "xab")
    return sp, [
        ("inv(X)", "X", lambda: X.inverse().diff(X)),
        ("A X B", "X", lambda: (A * X * B).diff(X)),
        ("X^T X", "X", lambda: (X.T * X).diff(X)),
        ("tr(A X)", "X", lambda: sp.Trace(A * X).diff(X)),
        ("tr(X^T A X)", "X", lambda: sp.Trace(X.T * A * X).diff(X)),
        ("tr(inv(X) A)", "X", lambda: sp.Trace(X.inverse() * A).diff(X)),
        ("x^T A x", "x", lambda: (x.T * A * x).diff(x)),
        ("a^T X b", "X", lambda: (a.T * X * b).diff(X)),
        ("a^T inv(X) b", "X", lambda: (a.T * X.inverse() * b).diff(X)),
        ("det(X)", "X", lambda: sp.Determinant(X).diff(X)),
        ("logdet(X)", "X", lambda: sp.log(sp.Determinant(X)).diff(X)),
    ], {"n": n, **{str(s): s for s in (X, A, B, x, a, b)}}


def point(d, size: int = 4, seed: int = 0):
    """Random well-conditioned arrays for the names of a derivation."""
    import numpy as np
    rng = np.random.default_rng(seed)
    env = {}
    for name, var in d.names.items():
        rows, cols = (size if dim.symbols else dim.coeff for dim in var.shape)
        env[name] = 1.5 * np.eye(rows, cols) + 0.3 * rng.standard_normal((rows, cols))
    return env, {"n": size}


def sympy_verdict(sp, answer, d, symbols) -> str:
    """sympy's answer and whether it is right: a gradient (for a scalar question) is checked
    against central differences; an array expression (for a matrix question) is not."""
    import numpy as np
    if answer.has(sp.Derivative):
        return f"unevaluated: {sp.sstr(answer)}"
    if not d.expr.is_scalar:
        return f"not checked: {sp.sstr(answer)}"
    env, sizes = point(d)
    expected = finite_difference(d.expr, d.wrt, env, sizes).reshape(-1)
    concrete = answer.subs(symbols["n"], sizes["n"])
    names = [symbols[name].subs(symbols["n"], sizes["n"]) for name in env]
    value = np.asarray(sp.lambdify(names, concrete, "numpy")(*env.values()), dtype=float)
    got = np.broadcast_to(value, env[d.wrt.name].shape)  # a plain 0 stands for a zero matrix
    good = np.allclose(got.reshape(-1, order="F"), expected, rtol=1e-4, atol=1e-6)
    return f"{'right' if good else 'WRONG'}: {sp.sstr(answer)}"


def matcalc_verdict(d) -> str:
    """matcalc's answer and whether it is right, against central differences."""
    import numpy as np
    env, sizes = point(d)
    expected = finite_difference(d.expr, d.wrt, env, sizes)
    good = np.allclose(evaluate(d.jacobian, env, sizes), expected, rtol=1e-4, atol=1e-6)
    return f"{'right' if good else 'WRONG'}: {d.unicode}"


def against_sympy(runs: int) -> None:
    try:
        sp, questions, symbols = sympy_questions()
    except ImportError:
        print("\n(sympy is not installed: no comparison)")
        return
    from sympy.core.cache import clear_cache

    def sympy_once(build):
        clear_cache()  # sympy remembers answers; each run starts afresh, as ours does
        return str(build())

    rows = []
    for text, wrt, build in questions:
        d = derive(text, wrt)
        ours = median_time(lambda: derive(text, wrt).unicode, runs)
        theirs = median_time(lambda: sympy_once(build), runs)
        clear_cache()
        rows.append([f"∂ {text} / ∂{wrt}", ms(ours), ms(theirs), f"{theirs / ours:.0f}×",
                     matcalc_verdict(d), sympy_verdict(sp, build(), d, symbols)])
    table(f"In-process: matcalc against sympy {sp.__version__}",
          ["question", "matcalc", "sympy", "sympy ÷ matcalc", "matcalc's answer",
           "sympy's answer"], rows,
          "matcalc's time parses the text, derives, simplifies and prints; sympy's builds the "
          "expression in Python, differentiates and prints, its cache cleared before each run. "
          "Answers are checked against central differences of the question at random "
          "well-conditioned 4×4 matrices (sympy's only where it gives a gradient matrix).")


# ── 4. verify ───────────────────────────────────────────────────────────────────────────

def verify_scaling() -> None:
    """benchmarks/verify_scaling.py, with its own defaults, when it is there."""
    script = ROOT / "benchmarks" / "verify_scaling.py"
    if not script.exists():
        return
    print("\n### Verify: time as N grows\n", flush=True)
    subprocess.run([sys.executable, str(script)], check=False,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and sizes")
    parser.add_argument("--no-venv", action="store_true",
                        help="time `python -m matcalc` from the source tree")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    startup(runs, use_venv=not args.no_venv)
    growth([10, 100, 1000] if args.quick else [10, 30, 100, 300, 1000], 3 if args.quick else 5)
    against_sympy(3 if args.quick else 7)  # after growth: sympy's objects would slow its GC
    verify_scaling()


if __name__ == "__main__":
    main()
