"""A program the tests need is skipped without locally, and fails them in CI."""
import pytest
from external import require

MISSING = "matcalc-no-such-program"


def test_missing_program_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        require(MISSING)


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_missing_program_skips_outside_ci(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception):
        require(MISSING)


def test_a_present_program_is_found():
    assert require("sh").endswith("sh")
