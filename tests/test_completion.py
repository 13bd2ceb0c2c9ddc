"""Completions that complete: the committed scripts, run in real bash, zsh and fish."""
from __future__ import annotations

import shlex
import subprocess

import click
import pytest
from click.testing import CliRunner
from external import ROOT, matcalc_on_path, require

from matcalc.cli import main
from matcalc.render import FORMATS

SCRIPTS = {"bash": "matcalc.bash", "zsh": "_matcalc", "fish": "matcalc.fish"}
# What the command line has, read from click, so that a new command or option is expected too.
COMMANDS = set(main.commands)
FORMATS = set(FORMATS)
LAYOUTS = {"jacobian", "gradient"}
DERIVE_OPTIONS = {opt for param in main.commands["derive"].get_params(click.Context(main))
                  for opt in param.opts + param.secondary_opts
                  if opt.startswith("--") and not getattr(param, "hidden", False)}


@pytest.mark.parametrize("shell, filename", SCRIPTS.items())
def test_the_committed_scripts_are_what_matcalc_prints(shell, filename):
    result = CliRunner().invoke(main, ["completion", shell])
    assert result.exit_code == 0
    committed = (ROOT / "completions" / filename).read_text()
    assert result.output == committed, (
        f"completions/{filename} is stale: matcalc completion {shell} > completions/{filename}")


def test_the_expectations_are_not_empty():
    assert {"completion", "derive", "rules"} <= COMMANDS
    assert {"--format", "--layout", "--shape", "--document", "--help"} <= DERIVE_OPTIONS
    assert {"unicode", "latex", "ascii", "numpy"} <= FORMATS


def test_an_unknown_shell_is_a_usage_error():
    result = CliRunner().invoke(main, ["completion", "tcsh"])
    assert result.exit_code == 2
    assert "bash" in result.output and "fish" in result.output


def run(shell: list[str], script: str, tmp_path) -> list[str]:
    """Run a script in a shell that finds this checkout as `matcalc`; its lines of output."""
    env = matcalc_on_path(tmp_path)
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run([*shell, script], capture_output=True, text=True, env=env,
                          cwd=ROOT / "completions", timeout=120)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout.splitlines()


def answers(lines: list[str]) -> list[set[str]]:
    """Output blocks separated by '---', each the set of words offered (descriptions dropped)."""
    blocks, current = [], set()
    for line in lines:
        if line == "---":
            blocks.append(current)
            current = set()
        elif line:
            current.add(line.split("\t")[0].split(":")[0])
    return blocks


# Each shell is asked: matcalc <TAB>, matcalc derive --format <TAB>, matcalc derive --layout <TAB>,
# matcalc derive --<TAB>, matcalc derive --format la<TAB>.
EXPECTED = [COMMANDS, FORMATS, LAYOUTS, DERIVE_OPTIONS, {"latex"}]


BASH_LINES = ["matcalc ", "matcalc derive --format ", "matcalc derive --layout ",
              "matcalc derive --", "matcalc derive --format la"]


def test_bash(tmp_path):
    require("bash")
    asks = [("matcalc ''", 1), ("matcalc derive --format ''", 3), ("matcalc derive --layout ''", 3),
            ("matcalc derive --", 2), ("matcalc derive --format la", 3)]
    script = "source matcalc.bash\ncomplete -p matcalc\n" + "".join(
        f"COMP_WORDS=({words}); COMP_CWORD={cword}; COMPREPLY=()\n"
        f"COMP_LINE={shlex.quote(line)}; COMP_POINT=${{#COMP_LINE}}\n"
        "_matcalc_completion matcalc\nprintf '%s\\n' \"${COMPREPLY[@]}\" ---\n"
        for (words, cword), line in zip(asks, BASH_LINES))
    lines = run([require("bash"), "--norc", "--noprofile", "-c"], script, tmp_path)
    assert lines[0] == "complete -o nosort -F _matcalc_completion matcalc"
    assert answers(lines[1:]) == EXPECTED


# zsh's completion system is interactive; these stand-ins for its builtins print what the
# script offers, and `registered` plays compdef's table, as compinit keeps it.
ZSH_STAND_INS = r"""
typeset -A registered
compdef() { registered[$2]=$1 }
_describe() { print -rl -- "${(@P)3}" }
compadd() { print -rl -- "${(@P)${@[-1]}}" }
ask() { words=("${(@s: :)1}"); [[ $1 == *' ' ]] && words+=(""); CURRENT=${#words}
        $registered[matcalc]; print -- --- }
"""
ZSH_ASKS = """
ask 'matcalc '
ask 'matcalc derive --format '
ask 'matcalc derive --layout '
ask 'matcalc derive --'
ask 'matcalc derive --format la'
"""


def test_zsh_sourced(tmp_path):
    """source completions/_matcalc (as in .zshrc) registers the completion with compdef."""
    script = ZSH_STAND_INS + "source ./_matcalc\n" + ZSH_ASKS
    assert answers(run([require("zsh"), "-f", "-c"], script, tmp_path)) == EXPECTED


def test_zsh_autoloaded_from_fpath(tmp_path):
    """_matcalc in fpath, as compinit loads it: the first request and every later one."""
    script = (ZSH_STAND_INS + "fpath=($PWD $fpath); autoload -U _matcalc\n"
              "registered[matcalc]=_matcalc\n" + ZSH_ASKS + ZSH_ASKS)
    assert answers(run([require("zsh"), "-f", "-c"], script, tmp_path)) == EXPECTED + EXPECTED


def test_fish(tmp_path):
    asks = ["matcalc ", "matcalc derive --format ", "matcalc derive --layout ",
            "matcalc derive --", "matcalc derive --format la"]
    script = "source matcalc.fish\n" + "".join(f"complete -C '{a}'\necho ---\n" for a in asks)
    lines = run([require("fish"), "--no-config", "-c"], script, tmp_path)
    assert answers(lines) == EXPECTED
    assert any(line.startswith("derive\tDifferentiate") for line in lines)  # with its help
