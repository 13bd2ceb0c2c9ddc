"""Completion as a person meets it: real bash, zsh and fish in a terminal (tmux), keys typed,
Tab pressed, and the screen read back. The scripts are the committed ones, loaded the way the
README says (bash: sourced; zsh: autoloaded from fpath by compinit; fish: sourced)."""
from __future__ import annotations

import re
import shlex
import subprocess
import time

import pytest
from external import ROOT, matcalc_on_path, require

COMPLETIONS = ROOT / "completions"
FORMATS = ["unicode", "latex", "ascii", "numpy", "sympy"]
SHELLS = ["bash", "zsh", "fish"]

# What is typed, and after Tab either the command line ("line": what it must read) or the
# words listed under it ("list": each must be shown).
CASES = [
    ("matcalc deri", "line", "matcalc derive"),
    ("matcalc derive --format=l", "line", "matcalc derive --format=latex"),
    ("matcalc derive 'x^T A x' --format ", "list", FORMATS),
    ("matcalc derive 'x^T A x' --layout=", "list", ["jacobian", "gradient"]),
    ("matcalc derive 'logdet(X)' X --order ", "list", ["1", "2"]),
    ("matcalc derive 'logdet(X)' ", "line", "matcalc derive 'logdet(X)' X"),
    ("matcalc derive 'a^T inv(X) b' ", "list", ["a", "X", "b"]),
    ("matcalc derive 'tr(X)' --symmetric ", "line", "matcalc derive 'tr(X)' --symmetric X"),
    ("matcalc derive 'logdet(X^T A X)' --shape ", "list", ["X=", "A="]),
    ("matcalc derive 'logdet(X)' --shape ", "line", "matcalc derive 'logdet(X)' --shape X="),
    ("matcalc derive 'logdet(X)' --shape X=m", "line", "matcalc derive 'logdet(X)' --shape X=m,n"),
    ("matcalc derive 'inv(A)' A --document > result_o", "line",
     "matcalc derive 'inv(A)' A --document > result_one.tex"),
]


class Terminal:
    """A shell in a detached tmux session of its own."""

    def __init__(self, command: list[str], env: dict, directory, clear: list[str]):
        self.tmux = [require("tmux"), "-S", str(directory / "tmux.sock"), "-f", "/dev/null"]
        self.clear_keys = clear
        subprocess.run([*self.tmux, "new-session", "-d", "-x", "220", "-y", "50", "-s", "t",
                        shlex.join(command)], env=env, cwd=directory, check=True, timeout=30)

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", "t", *(["-l"] if literal else []), *keys],
                       check=True, timeout=30)

    def screen(self) -> list[str]:
        done = subprocess.run([*self.tmux, "capture-pane", "-p", "-J", "-t", "t"],
                              capture_output=True, text=True, check=True, timeout=30)
        return [line.rstrip() for line in done.stdout.splitlines() if line.strip()]

    def wait(self, ready, timeout: float = 20.0) -> list[str]:
        """The screen, once `ready(screen)` holds; the last screen if it never does."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if ready(screen) or time.monotonic() > deadline:
                return screen
            time.sleep(0.05)

    def clear(self) -> None:
        self.keys(*self.clear_keys)
        self.wait(lambda screen: screen == ["$"], timeout=10)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=30)


def prompt_line(screen: list[str]) -> str:
    lines = [line for line in screen if line.startswith("$ ")]
    return lines[-1][2:] if lines else ""


def start(shell: str, tmp_path) -> Terminal:
    env = matcalc_on_path(tmp_path)
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               TERM="screen", LC_ALL="C.UTF-8")
    (tmp_path / "result_one.tex").write_text("")
    if shell == "bash":
        rc = tmp_path / "bashrc"
        rc.write_text("PS1='$ '\nbind 'set show-all-if-ambiguous on'\n"
                      "bind 'set completion-query-items 0'\nbind 'set page-completions off'\n"
                      f"source {shlex.quote(str(COMPLETIONS / 'matcalc.bash'))}\n")
        command = [require("bash"), "--noprofile", "--rcfile", str(rc), "-i"]
        clear = ["C-e", "C-u", "C-l"]
    elif shell == "zsh":
        (tmp_path / ".zshrc").write_text(
            "PS1='$ '\n"
            f"fpath=({shlex.quote(str(COMPLETIONS))} $fpath)\n"
            "autoload -Uz compinit && compinit -u -D\n")
        env["ZDOTDIR"] = str(tmp_path)
        command = [require("zsh"), "-i"]
        clear = ["C-e", "C-u", "C-l"]
    else:
        rc = tmp_path / "rc.fish"
        rc.write_text("set -g fish_greeting\nfunction fish_prompt; echo -n '$ '; end\n"
                      "set -g fish_autosuggestion_enabled 0\n"
                      f"source {shlex.quote(str(COMPLETIONS / 'matcalc.fish'))}\n")
        command = [require("fish"), "--no-config", "-i", "-C", f"source {shlex.quote(str(rc))}"]
        clear = ["Escape", "C-e", "C-u", "C-l"]
    terminal = Terminal(command, env, tmp_path, clear)
    terminal.wait(lambda screen: screen == ["$"], timeout=30)
    return terminal


def words_shown(screen: list[str]) -> set[str]:
    """The words of the lines on the screen that are not command lines: the list offered."""
    return {w for line in screen if not line.startswith("$") for w in re.split(r"\s+", line) if w}


def session(shell: str, directory) -> list[str]:
    """Type every case into one shell; what went wrong."""
    directory.mkdir()
    terminal = start(shell, directory)
    failures = []
    try:
        for typed, kind, expected in CASES:
            terminal.keys(typed, literal=True)
            terminal.wait(lambda screen, typed=typed: prompt_line(screen) == typed.rstrip())
            terminal.keys("Tab")
            if kind == "line":
                def ready(screen, expected=expected):
                    return prompt_line(screen).rstrip() == expected
            else:
                def ready(screen, want=set(expected)):
                    shown = words_shown(screen)
                    return all(any(w == x or x.endswith("=" + w) for x in shown) for w in want)
            screen = terminal.wait(ready)
            if not ready(screen):
                failures.append(f"{shell}: {typed!r} + Tab: expected {expected!r}, the screen "
                                "shows\n" + "\n".join(screen[-6:]))
            terminal.clear()
    finally:
        terminal.close()
    return failures


@pytest.mark.slow
def test_tab_completes_in_real_bash_zsh_and_fish(tmp_path):
    """The three shells at once: each mostly waits for the keys and for matcalc."""
    from concurrent.futures import ThreadPoolExecutor
    for shell in SHELLS:
        require(shell)
    require("tmux")
    with ThreadPoolExecutor(len(SHELLS)) as pool:
        results = list(pool.map(lambda shell: session(shell, tmp_path / shell), SHELLS))
    failures = [failure for result in results for failure in result]
    assert not failures, "\n\n".join(failures)
