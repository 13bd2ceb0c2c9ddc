"""The `matcalc` program: the usual question answered at the speed of the interpreter.

`matcalc derive EXPR [WRT]`, with --format, --layout and --shape, printed as plain text (to a
pipe, or in any format but the styled Unicode of a terminal), needs only the library; it is
answered here without importing click, which would take longer than the answer itself.
Everything else — help, other commands and options, a styled terminal, and every error — goes
to the command line in cli.py, which answers the same question in the same words.
"""
from __future__ import annotations

import os
import sys

LAYOUTS = ("jacobian", "gradient")
OPTIONS = ("--format", "--layout", "--shape")


def main() -> None:
    question = plain_derive(sys.argv[1:])
    if question is None or not answer(*question):
        from .cli import main as command_line
        command_line(prog_name="matcalc")


def plain_derive(args: list[str]) -> tuple[str, str | None, str, str, list[str]] | None:
    """(expr, wrt, format, layout, shapes) when args ask `derive` for plain text and use only
    the options above; None for anything else, which the command line then reads."""
    if args[:1] != ["derive"] or "_MATCALC_COMPLETE" in os.environ:
        return None
    from .render import FORMATS
    positional, shapes = [], []
    chosen = {"--format": "unicode", "--layout": "jacobian"}
    rest = iter(args[1:])
    for arg in rest:
        option, given, value = arg.partition("=")
        if arg == "--":  # all that follows is EXPR and WRT
            positional += rest
        elif option in OPTIONS:
            if not given:
                value = next(rest, None)
                if value is None:
                    return None
            if option == "--shape":
                shapes.append(value)
            else:
                chosen[option] = value
        elif arg.startswith("--") or option in ("-h", "--help"):
            return None
        else:  # an expression may start with a minus: "-A - B"
            positional.append(arg)
    fmt, layout = chosen["--format"], chosen["--layout"]
    if not 1 <= len(positional) <= 2 or positional[0] == "-" or fmt not in FORMATS \
            or layout not in LAYOUTS:
        return None
    if fmt == "unicode" and sys.stdout.isatty():
        return None
    expr, wrt = positional[0], positional[1] if len(positional) == 2 else None
    return expr, wrt, fmt, layout, shapes


def answer(expr: str, wrt: str | None, fmt: str, layout: str, shapes: list[str]) -> bool:
    """Print the derivative; False when that fails, and the command line then says why."""
    from .api import derive, parse_shape_option
    from .errors import LimitError, write_failed
    try:
        given = dict(map(parse_shape_option, shapes))
        result = derive(expr, wrt, given)
        if len(given) != len(shapes) or not given.keys() <= result.names.keys():
            return False  # the command line warns about these --shape options
        text = result.render(fmt, layout)
        if result.conditions:
            sys.stderr.write("note: the answer holds where " + "; ".join(result.conditions) + "\n")
        for note in result.notes:
            sys.stderr.write(f"note: {note}\n")
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except LimitError as err:  # found after seconds of work, so said here, not found again
        sys.stderr.write(f"error: {err}\n")
        sys.exit(err.exit_code)
    except BrokenPipeError:  # the command line exits as a closed pipe asks
        return False
    except OSError as err:  # the output cannot be written (a full disk): exit status 1
        sys.exit(write_failed(err))
    except Exception:  # the command line reports it, as it reports every error
        return False
    return True
