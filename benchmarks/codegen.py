"""Generated code against hand-written NumPy and jax, side by side in one process.

    python benchmarks/codegen.py            # the README's table (about a minute)
    python benchmarks/codegen.py --quick    # fewer repetitions

For each problem and size, three functions return the same tuple — (value, gradient), or
(value, gradient, Hessian) — from the same arrays:
- matcalc: the function of `matcalc derive … --format python` (the module as printed);
- hand: NumPy written by hand to do the least work (shared factorisations, broadcasting);
- jax: jax.jit of value, jax.grad (and jax.hessian), compiled before timing (compile time
  reported apart); skipped when jax is not installed.
Calls are interleaved (matcalc, hand, jax; then hand, jax, matcalc; …) so that a busy machine,
and what one call leaves behind for the next, slow each alike;
the table shows medians. BLAS runs on one thread for all. Values are compared (relative
difference to the hand-written result) and peak memory is measured with tracemalloc.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "XLA_FLAGS"):  # one thread for all, before NumPy (or jax) starts
    os.environ[_var] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \
        if _var == "XLA_FLAGS" else "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.special  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcalc import derive  # noqa: E402

try:
    from threadpoolctl import threadpool_limits  # noqa: E402
    threadpool_limits(1)
except ImportError:
    pass

try:
    import jax  # noqa: E402
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp  # noqa: E402
except ImportError:
    jax = jnp = None


def module_function(text, wrt, shapes=None, order=1):
    """The function `--format python` prints, loaded from its text."""
    code = derive(text, wrt, shapes, order=order).render("python")
    namespace: dict = {}
    exec(compile(code, "<matcalc>", "exec"), namespace)  # noqa: S102 - matcalc's output
    return next(v for k, v in namespace.items() if k.startswith("value"))


def spd(rng, n):
    A = rng.standard_normal((n, n))
    return A @ A.T / n + np.eye(n)


def well(rng, n):
    return np.eye(n) * 2 + rng.standard_normal((n, n)) / np.sqrt(n)


# ── the problems: question, sizes, data, hand-written, jax ────────────────────────────────

def logdet(rng, n):
    X = well(rng, n)

    def hand(X):
        return np.linalg.slogdet(X)[1], np.linalg.inv(X).T
    return dict(X=X), hand, lambda X: jnp.linalg.slogdet(X)[1], "X"


def trace_inverse(rng, n):
    X, A = well(rng, n), rng.standard_normal((n, n))

    def hand(X, A):
        Xi = np.linalg.inv(X)
        return np.einsum("ij,ji->", Xi, A), -(Xi @ A @ Xi).T
    return dict(X=X, A=A), hand, lambda X, A: jnp.trace(jnp.linalg.inv(X) @ A), "X"


def bilinear_inverse(rng, n):
    X, a, b = well(rng, n), rng.standard_normal(n), rng.standard_normal(n)

    def hand(X, a, b):
        lu = scipy.linalg.lu_factor(X, check_finite=False)
        v = scipy.linalg.lu_solve(lu, b, check_finite=False)
        u = scipy.linalg.lu_solve(lu, a, trans=1, check_finite=False)
        return a @ v, -np.outer(u, v)
    return dict(X=X, a=a, b=b), hand, lambda X, a, b: a @ jnp.linalg.solve(X, b), "X"


def least_squares(rng, n, order=1):
    A, x, b = rng.standard_normal((2 * n, n)), rng.standard_normal(n), rng.standard_normal(2 * n)

    def hand(A, x, b):
        r = A @ x - b
        out = (r @ r, 2 * (A.T @ r))
        return out + (2 * (A.T @ A),) if order == 2 else out
    return dict(A=A, x=x, b=b), hand, lambda A, x, b: jnp.sum((A @ x - b) ** 2), "x"


def logistic(rng, m, order=1):
    n = max(10, m // 1000)
    X, w = rng.standard_normal((m, n)), rng.standard_normal(n) / np.sqrt(n)
    y = (rng.random(m) < 0.5).astype(float)

    def hand(X, w, y):
        z = X @ w
        s = scipy.special.expit(z)
        out = (np.sum(np.logaddexp(0, z)) - y @ z, X.T @ (s - y))
        return out + (X.T @ ((s * (1 - s))[:, None] * X),) if order == 2 else out
    return dict(X=X, w=w, y=y), hand, \
        lambda X, w, y: jnp.sum(jnp.logaddexp(0, X @ w)) - y @ (X @ w), "w"


def gaussian(rng, n):
    S, C = spd(rng, n), spd(rng, n)

    def hand(S, C):
        Si = np.linalg.inv(S)
        return np.linalg.slogdet(S)[1] + np.einsum("ij,ji->", Si, C), (Si - Si @ C @ Si).T
    return dict(S=S, C=C), hand, \
        lambda S, C: jnp.linalg.slogdet(S)[1] + jnp.trace(jnp.linalg.inv(S) @ C), "S"


def low_rank(rng, n):
    k = max(5, n // 20)
    X, U, V = rng.standard_normal((n, n)), rng.standard_normal((n, k)), rng.standard_normal((n, k))

    def hand(X, U, V):
        R = X - U @ V.T
        return np.vdot(R, R), -2 * (R @ V)
    return dict(X=X, U=U, V=V), hand, lambda X, U, V: jnp.sum((X - U @ V.T) ** 2), "U"


def quadratic(rng, n, order=1):
    A, x = rng.standard_normal((n, n)), rng.standard_normal(n)

    def hand(A, x):
        Ax = A @ x
        out = (x @ Ax, Ax + A.T @ x)
        return out + (A + A.T,) if order == 2 else out
    return dict(A=A, x=x), hand, lambda A, x: x @ A @ x, "x"


def two_layer(rng, n):
    h, m = n, 10
    W1, W2 = rng.standard_normal((h, n)) / np.sqrt(n), rng.standard_normal((m, h)) / np.sqrt(h)
    x, y = rng.standard_normal(n), rng.standard_normal(m)

    def hand(W1, W2, x, y):
        t = np.tanh(W1 @ x)
        r = W2 @ t - y
        return r @ r, np.outer(2 * (1 - t * t) * (W2.T @ r), x)
    return dict(W1=W1, W2=W2, x=x, y=y), hand, \
        lambda W1, W2, x, y: jnp.sum((W2 @ jnp.tanh(W1 @ x) - y) ** 2), "W1"


def logdet_hessian(rng, n):
    X = well(rng, n)

    def hand(X):
        Xi = np.linalg.inv(X)
        H = -(Xi[:, None, None, :] * Xi.T[None, :, :, None]).reshape(n * n, n * n)
        return np.linalg.slogdet(X)[1], Xi.T, H
    return dict(X=X), hand, lambda X: jnp.linalg.slogdet(X)[1], "X"


PROBLEMS = [  # name, question, wrt, shapes, order, data, sizes
    ("ln|X|", "logdet(X)", "X", None, 1, logdet, (50, 200, 800)),
    ("tr(X⁻¹A)", "tr(inv(X) A)", "X", None, 1, trace_inverse, (50, 200, 800)),
    ("aᵀX⁻¹b", "a^T inv(X) b", "X", None, 1, bilinear_inverse, (50, 200, 800)),
    ("‖Ax − b‖²", "norm(A x - b)^2", "x", {"A": ("m", "n"), "b": "m"}, 1, least_squares,
     (100, 400, 1600)),
    ("‖Ax − b‖² Hessian", "norm(A x - b)^2", "x", {"A": ("m", "n"), "b": "m"}, 2,
     lambda r, n: least_squares(r, n, 2), (100, 400, 1600)),
    ("logistic", "sum(log(1 + exp(X w))) - y^T X w", "w", {"X": ("m", "n"), "y": "m"}, 1,
     logistic, (1000, 10_000, 100_000)),
    ("logistic Hessian", "sum(log(1 + exp(X w))) - y^T X w", "w", {"X": ("m", "n"), "y": "m"}, 2,
     lambda r, m: logistic(r, m, 2), (1000, 10_000, 100_000)),
    ("Gaussian NLL in Σ", "logdet(S) + tr(inv(S) C)", "S", None, 1, gaussian, (50, 200, 800)),
    ("‖X − UVᵀ‖²", "norm(X - U V^T)^2", "U", {"U": ("n", "k"), "V": ("n", "k")}, 1, low_rank,
     (100, 400, 1600)),
    ("xᵀAx", "x^T A x", "x", None, 1, quadratic, (100, 400, 1600)),
    ("xᵀAx Hessian", "x^T A x", "x", None, 2, lambda r, n: quadratic(r, n, 2), (100, 400, 1600)),
    ("two-layer net", "norm(W2 tanh(W1 x) - y)^2", "W1",
     {"W1": ("h", "n"), "W2": ("m", "h"), "y": "m"}, 1, two_layer, (100, 400, 1600)),
    ("ln|X| Hessian", "logdet(X)", "X", None, 2, logdet_hessian, (10, 30, 60)),
]


def jax_function(f, wrt: str, names: list[str], order: int):
    position = names.index(wrt)

    def g(*args):
        return f(**dict(zip(names, args)))
    outputs = [g, jax.grad(g, argnums=position)]
    if order == 2:
        outputs.append(jax.hessian(g, argnums=position))
    if order == 2:
        return jax.jit(lambda *a: (g(*a), outputs[1](*a), outputs[2](*a)))
    return jax.jit(jax.value_and_grad(g, argnums=position))


def flat(results, wrt_shape, order) -> list[np.ndarray]:
    out = [np.asarray(r, dtype=float) for r in results]
    out[1] = out[1].reshape(wrt_shape)
    if order == 2:
        out[2] = out[2].reshape(out[2].shape[0] if out[2].ndim == 2 else int(np.prod(wrt_shape)), -1)
        if out[2].shape[0] != out[2].shape[1]:  # jax: a 4-index Hessian of a matrix
            k = int(np.prod(wrt_shape))
            out[2] = out[2].reshape(k, k)
    return out


def relative(a: list, b: list) -> float:
    return max(float(np.max(np.abs(x - y)) / max(1e-300, float(np.max(np.abs(y))))) for x, y in zip(a, b))


def peak_bytes(f, kwargs) -> int:
    tracemalloc.start()
    f(**kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(repeats: int, budget: float, save: str | None = None):
    rows = []
    for name, text, wrt, shapes, order, make, sizes in PROBLEMS:
        matcalc_f = module_function(text, wrt, shapes, order)
        for size in sizes:
            rng = np.random.default_rng(size)
            data, hand, jax_f, wrt_name = make(rng, size)
            names = list(data)
            variants = {"matcalc": lambda d=data: matcalc_f(**d), "hand": lambda d=data: hand(**d)}
            compile_time = None
            if jax is not None:
                jf = jax_function(jax_f, wrt_name, names, order)
                args = [jnp.asarray(data[k]) for k in names]
                start = time.perf_counter()
                jax.block_until_ready(jf(*args))
                compile_time = time.perf_counter() - start
                variants["jax"] = lambda jf=jf, args=args: jax.block_until_ready(jf(*args))
            results = {k: flat(v(), np.shape(data[wrt_name]), order) for k, v in variants.items()}
            calls = {}
            for k, v in variants.items():  # calls per sample: a sample lasts ≥ 2 ms
                t = time.perf_counter()
                v()
                calls[k] = max(1, int(0.002 / max(1e-7, time.perf_counter() - t)))
            times = {k: [] for k in variants}
            start = time.perf_counter()
            for r in range(repeats):
                turn = list(variants.items())
                turn = turn[r % len(turn):] + turn[:r % len(turn)]  # each goes first in turn
                for k, v in turn:
                    t = time.perf_counter()
                    for _ in range(calls[k]):
                        v()
                    times[k].append((time.perf_counter() - t) / calls[k])
                if time.perf_counter() - start > budget and r >= 2:
                    break
            med = {k: statistics.median(v) for k, v in times.items()}
            memory = {k: peak_bytes(matcalc_f if k == "matcalc" else hand, data)
                      for k in ("matcalc", "hand")}
            rows.append(dict(problem=name, size=size, order=order, times=med,
                             error=relative(results["matcalc"], results["hand"]),
                             jax_error=relative(results["jax"], results["hand"]) if "jax" in results else None,
                             memory=memory, compile=compile_time))
            if save:
                import json
                with open(save, "a") as out:
                    out.write(json.dumps(rows[-1]) + "\n")
            print(f"  {name} at {size}: " + ", ".join(f"{k} {v * 1e3:.3f} ms" for k, v in med.items()),
                  file=sys.stderr)
    return rows


def report(rows) -> None:
    print("| problem | size | matcalc | hand-written | ratio | jax (compile) | vs jax | peak memory ratio | rel. difference |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        t = r["times"]
        ratio = t["matcalc"] / t["hand"]
        jax_cell = f"{t['jax'] * 1e3:.3f} ms ({r['compile']:.2f} s)" if "jax" in t else "—"
        vs_jax = f"{t['matcalc'] / t['jax']:.2f}×" if "jax" in t else "—"
        mem = r["memory"]["matcalc"] / max(1, r["memory"]["hand"])
        print(f"| {r['problem']} | {r['size']:,} | {t['matcalc'] * 1e3:.3f} ms | {t['hand'] * 1e3:.3f} ms "
              f"| {ratio:.2f}× | {jax_cell} | {vs_jax} | {mem:.2f}× | {r['error']:.1e} |")
    for order, label in ((1, "gradients"), (2, "Hessians")):
        ratios = [r["times"]["matcalc"] / r["times"]["hand"] for r in rows if r["order"] == order]
        if ratios:
            print(f"\n{label}: median ratio {statistics.median(ratios):.2f}×, worst {max(ratios):.2f}×, "
                  f"{sum(x <= 1.2 for x in ratios)} of {len(ratios)} cells within 1.2×")
    jax_rows = [r for r in rows if "jax" in r["times"]]
    if jax_rows:
        faster = sum(r["times"]["matcalc"] < r["times"]["jax"] for r in jax_rows)
        hess = [r for r in jax_rows if r["order"] == 2]
        print(f"faster than jax in {faster} of {len(jax_rows)} cells; "
              f"on Hessians in {sum(r['times']['matcalc'] < r['times']['jax'] for r in hess)} of {len(hess)}")
    worst_mem = max(r["memory"]["matcalc"] / max(1, r["memory"]["hand"]) for r in rows)
    worst_err = max(r["error"] for r in rows)
    print(f"peak memory at most {worst_mem:.2f}× the hand-written; values differ by at most {worst_err:.1e} (relative)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", help="problems whose name contains this (or is it, with =NAME)")
    parser.add_argument("--save", help="append the rows to this file (JSON lines), to run the "
                        "problems in parts of under a minute each and report them together")
    parser.add_argument("--report", help="print the table of the rows saved in this file")
    args = parser.parse_args()
    if args.report:
        import json
        report([json.loads(line) for line in Path(args.report).read_text().splitlines()])
        return
    if args.only:
        exact = args.only.startswith("=")
        PROBLEMS[:] = [p for p in PROBLEMS
                       if (p[0] == args.only[1:] if exact else args.only in p[0])]
    rows = measure(repeats=5 if args.quick else 21, budget=0.3 if args.quick else 1.0,
                   save=args.save)
    report(rows)


if __name__ == "__main__":
    main()
