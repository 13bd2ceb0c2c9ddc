"""How the time of `matcalc verify EXPR X --size N` grows with N.

    python benchmarks/verify_scaling.py ["inv(X) A X"] [--sizes 64,128,256,512,1024] [--repeat 3]

For each N: the check itself (derive, then J·vec(E) by structure against central differences;
the best of --repeat runs, in this process) and the whole command as a user runs it (a fresh
process: start-up, imports, check). The Jacobian, written out, would have n⁴ entries; the last
column says how much memory that would take and verify never uses.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as `matcalc verify` does
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcalc.checking.verify import verify_expression  # noqa: E402


def command_seconds(expr: str, size: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "matcalc", "verify", expr, "X", "--size", str(size)],
                   env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def dense_size(n: int) -> str:
    gigabytes = n ** 4 * 8 / 1e9
    return f"{gigabytes * 1000:.0f} MB" if gigabytes < 1 else f"{gigabytes:,.0f} GB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expr", nargs="?", default="inv(X) A X")
    parser.add_argument("--sizes", default="64,128,256,512,1024")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"matcalc verify \"{args.expr}\" X --size N   "
          f"(OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, {os.cpu_count()} cores)\n")
    print("|    N | points × directions | check (s) | command (s) | rel. error | dense Jacobian would be |")
    print("|-----:|--------------------:|----------:|------------:|-----------:|------------------------:|")
    for n in sizes:
        best, report = float("inf"), None
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = verify_expression(args.expr, "X", size=n)
            best = min(best, time.perf_counter() - start)
        wall = command_seconds(args.expr, n)
        tries = f"{report.points} × {report.directions}"
        print(f"| {n:>4} | {tries:>19} | {best:>9.3f} | {wall:>11.2f} | {report.error:>10.1e} | "
              f"{dense_size(n):>23} |", flush=True)


if __name__ == "__main__":
    main()
