"""The resource model: numeric commands that would exhaust memory or run for minutes are refused
from their sizes, before anything is allocated, with a message that says the limit and how to
go below it."""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from matcalc import derive
from matcalc.checking import check as check_module
from matcalc.checking import resources, verify
from matcalc.errors import LimitError

ROOT = Path(__file__).resolve().parents[1]

REFUSED = [  # (command, words the message must hold)
    (["check", "logdet(X)", "X", "--claim", "inv(X)^T", "--shape", "X=100000,100000"],
     ["GiB of memory", "at most 1.0 GiB", "--shape"]),
    (["check", "inv(X)", "X", "--claim", "-kron(inv(X)^T, inv(X))", "--shape", "X=3000,3000"],
     ["PiB of memory", "at most 1.0 GiB", "--shape"]),
    (["check", "X", "X", "--claim", "I", "--shape", "X=3000,3000"], ["of memory"]),
    (["check", "kron(kron(X, X), X)", "X", "--claim", "I", "--shape", "X=300,300"], ["of memory"]),
    (["verify", "inv(X)", "X", "--shape", "X=100000,100000"],
     ["at most 4,194,304 entries", "100,000×100,000", "--shape"]),
    (["verify", "inv(X)", "X", "--size", "100000"], ["at most 4,194,304 entries", "--size"]),
    (["verify", "tr(X)", "X", "--shape", "X=999999,999999"], ["entries"]),
    (["verify", "--size", "4000"], ["would take about", "use --size 387 or less"]),
    (["verify", "--size", "100000", "--method", "complex"], ["would take about", "--size"]),
]


def run(args):
    return subprocess.run([sys.executable, "-m", "matcalc", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("args, words", REFUSED, ids=[" ".join(a[:2] + a[-2:]) for a, _ in REFUSED])
def test_too_large_is_refused_at_once_with_exit_status_2(args, words):
    start = time.perf_counter()
    done = run(args)
    assert time.perf_counter() - start < 10
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1
    for word in words:
        assert word in done.stderr


def test_verify_refuses_before_drawing_the_random_point(monkeypatch):
    def drawn(*args, **kwargs):
        raise AssertionError("a random point was drawn")
    monkeypatch.setattr(verify, "random_point", drawn)
    with pytest.raises(LimitError, match="entries"):
        verify.verify_expression("inv(X)", "X", {"X": ("20000", "20000")})
    with pytest.raises(LimitError, match="would take about"):  # 2000² fits, 2000³·k is slow
        verify.verify_expression("inv(X) X inv(X) X inv(X) X inv(X) X inv(X) X", "X", size=2048)


def test_check_refuses_before_drawing_the_random_points(monkeypatch):
    def drawn(*args, **kwargs):
        raise AssertionError("random points were drawn")
    monkeypatch.setattr(check_module, "random_points", drawn)
    with pytest.raises(LimitError, match="of memory"):
        check_module.check("inv(X)", "X", "-kron(inv(X)^T, inv(X))", {"X": ("3000", "3000")})


def test_the_table_is_refused_before_its_first_row():
    checks, sizes = verify.plan_table(4000)  # planning is cheap at any size
    with pytest.raises(LimitError, match="--size 387 or less"):
        verify.run_checks(checks, sizes)
    assert resources.largest_table_size() == 387
    assert resources.table_seconds(387) <= resources.MAX_SECONDS < resources.table_seconds(388)


def test_what_fits_still_runs():
    assert check_module.check("inv(X)", "X", "-kron(inv(X)^T, inv(X))", {"X": ("20", "20")}).agree
    assert verify.verify_expression("inv(X) A X", "X", size=128).passed
    assert next(iter(verify.run_checks(*verify.plan_table(8)))).passed


def test_the_estimates_follow_the_sizes():
    """Memory: every node's value kept; a Kronecker product of n×n matrices has n⁴ entries.
    Time: n³ for a product or an inverse."""
    d = derive("inv(X)", "X")
    J = d.jacobian  # −(X⁻ᵀ ⊗ X⁻¹)
    for n in (2, 10, 3000):
        cost = resources.dense([J], {"n": n})
        assert n ** 4 * 8 <= cost.bytes <= 4 * n ** 4 * 8
        assert n ** 3 <= cost.flops <= 10 * n ** 4
    assert resources.point(d.names.values(), {"n": 100}, copies=3, complex_=True).bytes == \
        100 * 100 * 3 * 16
    product = resources.dense([derive("A X B", "X").expr], {"n": 1000})
    assert 2 * 1000 ** 3 <= product.flops <= 3 * 1000 ** 3
    # the example: np.kron of 3000² by 3000², about 589 TiB
    assert resources.human_bytes(3000 ** 4 * 8) == "589.4 TiB"


def test_the_estimate_bounds_what_numpy_allocates():
    """The model is an upper bound of the arrays numeric.evaluate really holds."""
    from matcalc.checking.numeric import evaluate
    d = derive("inv(X) A X", "X")
    sizes = {"n": 12}
    rng = np.random.default_rng(0)
    env = {name: np.eye(12) + 0.1 * rng.standard_normal((12, 12)) for name in d.names}
    held = []

    import matcalc.checking.numeric as numeric
    original = numeric.EVALUATORS.copy()
    try:
        for kind, fn in original.items():
            numeric.EVALUATORS[kind] = (lambda fn: lambda e, v, s: held.append(fn(e, v, s))
                                        or held[-1])(fn)
        evaluate(d.jacobian, env, sizes)
    finally:
        numeric.EVALUATORS.update(original)
    actual = sum(a.nbytes for a in held)
    assert actual <= resources.dense([d.jacobian], sizes).bytes



def test_exact_arithmetic_is_refused_by_its_own_speed(monkeypatch):
    """--exact limits --size, and concrete sizes are estimated at sympy's speed: a vector of
    100,000 rationals (which once ran for half a minute) is refused at once."""
    monkeypatch.setattr(verify, "_rational_point", lambda *a: pytest.fail("a point was drawn"))
    with pytest.raises(LimitError, match="would take about"):
        verify.verify_expression("<0.5, 0.5>", "X", {"X": ("100000", "1")}, size=3,
                                 method="exact")
    assert resources.Cost(0, 10 ** 6).exact().seconds > resources.Cost(0, 10 ** 6).seconds * 1e5
