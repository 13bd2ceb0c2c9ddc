"""The command line: a thin layer over the library. The only module that knows click and rich."""
from __future__ import annotations

import os
import sys

import click

from .api import derive as derive_expression
from .api import parse_shape_option
from .completion import SHELLS, completion_script
from .errors import MatcalcError, UsageError, quote, write_failed
from .render import FORMATS

INTERNAL_ERROR = 3
CLOSED_PIPE = 141  # 128 + SIGPIPE, as for a program the shell stops on a closed pipe


def _shapes(values: tuple[str, ...]) -> dict:
    shapes: dict = {}
    for value in values:
        name, sizes = parse_shape_option(value)
        if shapes.get(name, sizes) != sizes:
            raise UsageError(f"--shape {name} is given twice, as {','.join(shapes[name])} "
                             f"and as {','.join(sizes)}")
        shapes[name] = sizes
    return shapes


class Documented:
    """A command whose help ends with an Examples section (`examples`: the command line and
    what it shows) and whose summary in the command list is its whole first sentence."""

    examples: tuple[tuple[str, str], ...] = ()

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=10_000)

    def format_epilog(self, ctx, formatter) -> None:
        super().format_epilog(ctx, formatter)
        if not self.examples:
            return
        with formatter.section("Examples"):
            for line, meaning in self.examples:
                formatter.write(f"{'':{formatter.current_indent}}{line}\n")
                formatter.indent()
                formatter.write_text(meaning)
                formatter.dedent()


def examples(*pairs: tuple[str, str]):
    """Give a command its Examples: pairs of a command line and what it shows."""
    def attach(command: click.Command) -> click.Command:
        command.examples = tuple(pairs)
        return command
    return attach


class DocumentedCommand(Documented, click.Command):
    """A command with Examples in its help; the default for every command of matcalc."""


class Command(Documented, click.Group):
    """Turns library errors into one message and exit status 2, bugs into exit status 3, and
    output that cannot be written (a full disk) into one message and exit status 1.

    Every command added gets the Examples section of its help and the completion of its
    options' values by construction (see completion.complete_values)."""

    command_class = DocumentedCommand

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        from .completion import complete_values
        complete_values(cmd)
        super().add_command(cmd, name)

    def main(self, *args, **kwargs):
        try:
            try:
                return super().main(*args, **kwargs)
            finally:  # what is still buffered is written now, while a failure can be reported
                sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(CLOSED_PIPE)
        except OSError as err:
            sys.exit(write_failed(err))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MatcalcError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `matcalc … | head` stopped reading: not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(CLOSED_PIPE)
        except OSError:  # the output could not be written: main() reports it
            raise
        except Exception:  # a bug in matcalc, whatever the input (a RecursionError too)
            if ctx.params.get("debug"):
                import traceback
                traceback.print_exc()
            click.echo("internal error: matcalc failed on this input; please report it with "
                       "the command you ran (add --debug to see the traceback)", err=True)
            sys.exit(INTERNAL_ERROR)


class ExpressionCommand(DocumentedCommand):
    """Reads an expression that starts with a minus ("-A - B") as an argument, not an option.

    Options (and their values) are moved before a "--" and everything else after it, so click
    never mistakes an expression for an option; unknown "--words" are still reported, but
    "---A" or "--1" are expressions.
    """

    def parse_args(self, ctx, args):
        takes_value = {opt: not p.is_flag for p in self.params if isinstance(p, click.Option)
                       for opt in p.opts + p.secondary_opts}
        takes_value.update({opt: False for opt in ctx.help_option_names})
        options, positional, i = [], [], 0
        while i < len(args):
            token = args[i]
            if token == "--":
                positional += args[i + 1:]
                break
            name = token.split("=", 1)[0]
            if name in takes_value or (token.startswith("--") and token[2:3].isalpha()):
                options.append(token)
                if takes_value.get(name) and "=" not in token and i + 1 < len(args):
                    options.append(args[i + 1])
                    i += 1
            else:
                positional.append(token)
            i += 1
        return super().parse_args(ctx, options + ["--"] + positional)


@examples(
    ('matcalc derive "inv(A)" A', "The Jacobian of the inverse: −(A⁻ᵀ ⊗ A⁻¹)."),
    ('matcalc derive "tr(X^T A X)" X --steps', "The derivation, one rule or identity a line."),
    ('matcalc check "logdet(X)" X --claim "inv(X)^T"', "Check your own answer."),
    ("matcalc verify --size 4", "Check every rule and identity numerically."),
)
@click.group(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(package_name="matcalc")
def main(debug: bool) -> None:
    """Matrix derivatives in vec/Kronecker notation."""


shape_option = click.option(
    "--shape", "shapes", multiple=True, metavar="NAME=R,C",
    help="Shape of a name: --shape X=m,n, --shape t=1,1 (a scalar), --shape a=n (a vector).")


@examples(
    ('matcalc derive "inv(A)" A', "The Jacobian ∂vec A⁻¹/∂vecᵀA: −(A⁻ᵀ ⊗ A⁻¹)."),
    ('matcalc derive "d logdet(X^T X) / dX" --shape X=m,n --layout gradient',
     "The gradient of a scalar, for an m×n X: 2X(XᵀX)⁻¹."),
    ('matcalc derive "det(A X B)" X --steps', "The derivation, one rule or identity a line."),
    ('matcalc derive "logdet(X)" X --order 2', "The Hessian: −K(X⁻ᵀ ⊗ X⁻¹)."),
    ('matcalc derive "logdet(X)" X --symmetric X --layout gradient',
     "For a symmetric X: 2X⁻¹ − X⁻¹ ∘ I."),
    ('matcalc derive "inv(A)" A --format numpy', "NumPy code that computes the Jacobian."),
    ('matcalc derive "inv(A)" A --document > d.tex', "A LaTeX document, for pdflatex."),
    ('echo "inv(A)" | matcalc derive - A', "EXPR from standard input."),
    ('matcalc derive "X^T" X --spy', "K, and a picture of where it is not zero (at n = 3)."),
)
@main.command(cls=ExpressionCommand, short_help="Differentiate EXPR with respect to WRT.")
@click.argument("expr")
@click.argument("wrt", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="unicode",
              show_default=True, help="How to print the derivative. latex is one formula for "
              "\\[…\\]; broken by hand at a + or −, it also goes in amsmath's multline, split or "
              "aligned. --document breaks long ones itself.")
@click.option("--layout", type=click.Choice(["jacobian", "gradient"]), default="jacobian",
              show_default=True, help="The Jacobian ∂vec F/∂vecᵀX, or for a scalar F the "
              "gradient matrix G (∂F/∂X = vecᵀ(G)).")
@click.option("--steps", is_flag=True, help="Show the derivation, one rule or identity a step.")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="2: the Hessian ∂²f/∂vec X ∂(vec X)ᵀ of a scalar EXPR.")
@shape_option
@click.option("--document", is_flag=True,
              help="Print a whole LaTeX document (article, amsmath) with the question and answer, "
              "or with --steps the derivation; long formulas are broken to fit the page.")
@click.option("--symmetric", multiple=True, metavar="NAME",
              help="NAME is a symmetric matrix; by WRT: G + Gᵀ − G ∘ I, or J·Dₙ (Jacobian).")
@click.option("--spy", is_flag=True, help="Also draw where the answer is not zero, at n = 3 "
              "(sizes given by --shape are kept): K, Dₙ and selections at a glance.")
@click.option("--no-names", is_flag=True,
              help="Write the answer out in full, without names for what recurs (where s = …).")
def derive(expr: str, wrt: str | None, fmt: str, layout: str, steps: bool, order: int,
           shapes: tuple[str, ...], document: bool, symmetric: tuple[str, ...] = (),
           spy: bool = False, no_names: bool = False) -> None:
    """Differentiate EXPR with respect to WRT.

    WRT may be left out when EXPR has one name or is written "d EXPR / dX".
    EXPR "-" reads one question a line from standard input (blank lines and # comments
    skipped) and answers each on a line; a bad line's message names its line number.
    """
    _check_combination(fmt, layout, steps, document)
    if spy and (steps or document or fmt not in ("unicode", "ascii")):
        raise UsageError("--spy draws the answer's pattern under its formula in unicode or ascii;"
                         " leave out --steps, --document and other formats")
    shapes_given = _shapes(shapes)
    if expr != "-":
        _derive_one(expr, wrt, fmt, layout, steps, order, shapes_given, document, symmetric, spy,
                    no_names)
        return
    failed = asked = 0
    for number, line in enumerate(sys.stdin.read().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        asked += 1
        try:
            _derive_one(line.strip(), wrt, fmt, layout, steps, order, shapes_given, document,
                        symmetric, spy, no_names)
        except MatcalcError as err:
            failed += 1
            click.echo(f"error: line {number}: {err}", err=True)
    if not asked:
        raise MatcalcError("standard input holds no question (one a line; # begins a comment)")
    if failed:
        sys.exit(2)


def _derive_one(expr: str, wrt, fmt, layout, steps, order, shapes_given, document, symmetric,
                spy=False, no_names=False):
    result = derive_expression(expr, wrt, shapes_given, order=order, symmetric=symmetric)
    _warn_unused(shapes_given, result.names)
    _warn_unused(dict.fromkeys(symmetric), result.names, "--symmetric")
    for note in result.notes:
        click.echo("note: " + note, err=True)
    if result.wrt.name in symmetric:
        from .calculus.symmetric import NOTE
        click.echo("note: " + NOTE.format(x=result.wrt.name), err=True)
    if result.conditions:
        click.echo("note: the answer holds where " + "; ".join(result.conditions), err=True)
    if steps and document:
        if layout == "gradient":
            raise MatcalcError("--steps shows the derivation of the Jacobian; leave out "
                               "--layout gradient")
        click.echo(result.document(steps=True, names=not no_names), nl=False)
        return
    if steps:
        _print_steps(result, fmt, layout, names=not no_names)
        return
    if document:
        click.echo(result.document(layout, names=not no_names), nl=False)
        return
    text = result.render(fmt, layout, names=not no_names)
    if spy:
        from .render.spy import spy as picture
        drawn = picture(result.answer(layout), result.names, ascii=fmt == "ascii")
        click.echo(f"{text}\n{drawn}")
        return
    if fmt == "unicode" and sys.stdout.isatty():
        _show(result, text, layout)
    else:
        click.echo(text)


STEP_FORMATS = ("unicode", "ascii", "latex")


def _check_combination(fmt: str, layout: str, steps: bool, document: bool) -> None:
    """Options that do not go together are a usage error, found before any work is done."""
    if document and fmt != "latex" and _given("fmt"):
        raise click.UsageError("--document writes LaTeX; leave out --format or use --format latex")
    if steps and fmt not in STEP_FORMATS:
        raise UsageError(f"--steps shows the derivation in {', '.join(STEP_FORMATS)}; "
                               f"leave out --format {fmt}")
    if steps and layout == "gradient":
        raise UsageError("--steps shows the derivation of the Jacobian; leave out "
                               "--layout gradient")


def _warn_unused(shapes: dict, names: dict, option: str = "--shape") -> None:
    """A --shape or --symmetric for a name the question does not use is most likely a typo:
    say so."""
    for name in shapes:
        if name not in names:
            click.echo(f"warning: {option} {quote(name)} is not used: the question has no "
                       f"name {quote(name)}", err=True)


def _given(param: str) -> bool:
    from click.core import ParameterSource
    return click.get_current_context().get_parameter_source(param) is ParameterSource.COMMANDLINE


def _show(result, text: str, layout: str, console=None) -> None:
    """On a terminal: the question dimmed, the answer bold, each broken at its operators to
    fit the window with a hanging indent; plain when NO_COLOR is set."""
    import os

    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    from .render import render
    from .render.lines import hanging

    f, x = render(result.expr), result.wrt.name
    label = f"{result.label} =" if layout == "jacobian" else f"gradient of {f} by {x} ="
    assumed = result.assumed()  # shapes inferred from use, other than the letters' own
    where = [f"where {assumed} (inferred from their use)"] if assumed else []
    plain = bool(os.environ.get("NO_COLOR"))  # https://no-color.org: set and not empty
    console = console or Console(highlight=False, soft_wrap=True, no_color=plain)
    for lines, style in ((hanging(label, console.width, 4, cell_len), "dim"),
                         (hanging(text, console.width, 4, cell_len), "bold"), (where, "dim")):
        for line in lines:
            if plain:
                console.out(line, highlight=False)
            else:
                console.print(Text(line, style=style), soft_wrap=True)


def _print_steps(result, fmt: str, layout: str, console=None, names: bool = True) -> None:
    """A derivation: plain text or LaTeX; on a terminal, rule names dim and the answer bold,
    each line broken at its operators to fit the window, under the `=` column."""
    derivation = result.derivation
    if names:
        derivation = derivation.named(result.names.keys())
    if console is None and (fmt != "unicode" or not sys.stdout.isatty()):
        click.echo(derivation.render(fmt))
        return
    import os

    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    from .render import render
    from .render.lines import hanging, wrap_words

    console = console or Console(no_color="NO_COLOR" in os.environ, highlight=False)
    width = console.width

    def put(text: str, style: str = "") -> None:
        console.print(Text(text, style=style), soft_wrap=True)

    for line in hanging(render(derivation.start), width, 2, cell_len):
        put(line)
    for k, step in enumerate(derivation.steps):
        for line in wrap_words(step.rule, width - 4, cell_len):
            put("    " + line, "dim")
        last = k == len(derivation.steps) - 1
        text = render(step.expr) + (derivation.where("unicode") if last else "")
        lines = hanging(text, width - 4, 2, cell_len)
        for j, line in enumerate(lines):
            put(("  = " if j == 0 else "    ") + line, "bold" if last else "")


SOLVE_FORMATS = ("unicode", "ascii", "latex", "numpy", "python", "sympy")


@examples(
    ('matcalc solve "norm(A x - b)^2" x --shape A=m,n --shape b=m',
     "Least squares, a minimum: x = (AᵀA)⁻¹Aᵀb."),
    ('matcalc solve "N logdet(S) + tr(inv(S) M)" S --symmetric S --symmetric M --shape N=1,1 '
     '--steps', "A Gaussian covariance, step by step: S = M/N."),
    ('matcalc solve "tr(X\' A X) + tr(X B X\') - 2 tr(C\' X)" X --format numpy',
     "A Sylvester equation, solved by scipy.linalg.solve_sylvester."),
)
@main.command(cls=ExpressionCommand, short_help="Set the gradient of EXPR by X to zero; solve for X.")
@click.argument("expr")
@click.argument("wrt", required=False)
@click.option("--format", "fmt", type=click.Choice(SOLVE_FORMATS), default="unicode",
              show_default=True, help="How to print X: an equation, NumPy code (one "
              "expression), Python (a function of the other names) or sympy.")
@click.option("--steps", is_flag=True, help="Show the gradient, = 0, and each step isolating X.")
@shape_option
@click.option("--document", is_flag=True, help="Print a whole LaTeX document with the working.")
@click.option("--symmetric", multiple=True, metavar="NAME",
              help="NAME is a symmetric matrix (X among them: a symmetric unknown).")
def solve(expr: str, wrt: str | None, fmt: str, steps: bool, shapes: tuple[str, ...],
          document: bool, symmetric: tuple[str, ...] = ()) -> None:
    """Solve ∂EXPR/∂X = 0 for X in closed form, e.g.  matcalc solve "norm(A x - b)^2" x

    \b
    Says whether the point is a minimum or a maximum (a constant semi-definite Hessian) or
    only a stationary point. Exit status 1 when there is no closed form or no stationary point,
    2 for bad input. EXPR "-" reads the expression from standard input.
    """
    from .stationary import solve as solve_expression
    if expr == "-":
        expr = sys.stdin.read().strip()
    if document and (steps or (fmt != "latex" and _given("fmt"))):
        raise click.UsageError("--document writes LaTeX with the steps; leave out --format "
                               "and --steps")
    if steps and fmt in ("numpy", "python", "sympy"):
        raise click.UsageError("--steps shows the working in unicode, ascii or latex")
    shapes_given = _shapes(shapes)
    solution = solve_expression(expr, wrt, shapes_given, symmetric=symmetric)
    _warn_unused(shapes_given, solution.names)
    if document:
        click.echo(solution.document(), nl=False)
    elif steps:
        click.echo(solution.steps(fmt))
    else:
        click.echo(solution.render(fmt))


@examples(
    ('matcalc check "logdet(X)" X --claim "inv(X)^T"', "A gradient that agrees (exit status 0)."),
    ('matcalc check "tr(X^T A X)" X --claim "vec((A + A^T) X)^T"',
     "A Jacobian, written with vec (exit status 0)."),
    ('matcalc check "inv(X)" X --claim "-kron(inv(X), inv(X))"',
     "A claim that disagrees: matcalc says by how much (exit status 1)."),
)
@main.command(cls=ExpressionCommand)
@click.argument("expr")
@click.argument("wrt", required=False)
@click.option("--claim", required=True, metavar="ANSWER",
              help="Your derivative: a gradient G of WRT's shape, or the Jacobian written with "
              "vec, ⊗, I and K (I_n, K_mn for explicit sizes).")
@shape_option
def check(expr: str, wrt: str | None, claim: str, shapes: tuple[str, ...]) -> None:
    """Check a claimed derivative of EXPR against matcalc's, at random points.

    Exit status 0 when they agree, 1 when they do not, 2 for bad input.
    """
    from .checking.check import check as check_claim
    verdict = check_claim(expr, wrt, claim, _shapes(shapes))
    click.echo(verdict.report())
    sys.exit(0 if verdict.agree else 1)


@examples(
    ("matcalc rules", "Every rule: its name and formula."),
    ("matcalc rules | grep inverse", "One rule."),
)
@main.command()
def rules() -> None:
    """Print the rule table."""
    from .calculus.rules import table
    for name, formula in table():
        click.echo(f"{name:<24} {formula}")


@examples(
    ("matcalc completion bash > ~/.local/share/bash-completion/completions/matcalc",
     "bash, with bash-completion: loaded when matcalc is first completed."),
    ("mkdir -p ~/.zfunc && matcalc completion zsh > ~/.zfunc/_matcalc",
     "zsh: with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc."),
    ("matcalc completion fish > ~/.config/fish/completions/matcalc.fish", "fish."),
)
@main.command()
@click.argument("shell", type=click.Choice(list(SHELLS)))
def completion(shell: str) -> None:
    """Print the completion script for bash, zsh or fish.

    \b
    Where each shell's file goes, for you alone:
      bash  ~/.local/share/bash-completion/completions/matcalc
            (without bash-completion: eval "$(matcalc completion bash)" in ~/.bashrc)
      zsh   _matcalc in a directory of $fpath, e.g. ~/.zfunc/_matcalc, with
            fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc
      fish  ~/.config/fish/completions/matcalc.fish
    For everyone on the machine:
      bash  /usr/share/bash-completion/completions/matcalc
      zsh   /usr/share/zsh/site-functions/_matcalc
      fish  /usr/share/fish/vendor_completions.d/matcalc.fish
    """
    click.echo(completion_script(main, shell), nl=False)


@examples(
    ("matcalc verify --size 4", "Check every rule and identity numerically."),
    ('matcalc verify "inv(X) A X" X --size 512', "One answer against finite differences."),
    ('matcalc verify "det(A)" A --exact', "The same in exact arithmetic: equality."),
)
@main.command()
@click.argument("expr", required=False)
@click.argument("wrt", required=False)
@click.option("--size", type=click.IntRange(1, 100_000), default=4, show_default=True,
              help="n, the size of the random matrices (other size names get n+1, n+2, …).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random points.")
@click.option("--method", type=click.Choice(["central", "complex"]), default="central",
              show_default=True, help="Central differences or the complex step.")
@click.option("--exact", is_flag=True, help="Exact arithmetic with sympy at rational points "
              "(n ≤ 6): equality, not a tolerance.")
@shape_option
def verify(expr: str | None, wrt: str | None, size: int, seed: int, method: str, exact: bool,
           shapes: tuple[str, ...]) -> None:
    """Check every rule and identity, or with EXPR one derivative, on random matrices.

    Exit status 1 when a check fails.
    """
    import os
    # Many mid-sized products: on a busy machine BLAS threads spin and cost ten times what they
    # give (a 512×512 inverse: 0.04 s on one thread, 0.4 s on two). Set the variable to override.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from .checking import verify as checks
    method = "exact" if exact else method
    if expr is None:
        plan, sizes = checks.plan_table(size, method)
        outcomes = checks.run_checks(plan, sizes, seed, method)
        if sys.stdout.isatty():
            failed = _verify_table_rich(plan, outcomes, size)
        else:
            import time
            start, done = time.perf_counter(), []
            for outcome in outcomes:
                done.append(outcome)
                click.echo(checks.format_outcome(outcome))
            click.echo(checks.summary(done, size, time.perf_counter() - start))
            failed = not all(o.passed for o in done)
    else:
        report = checks.verify_expression(expr, wrt, _shapes(shapes), size, seed, method)
        lines = report.lines()
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.text import Text
            console = Console(highlight=False)
            console.print(Text(lines[0], style="bold"))
            console.print(Text(lines[1], style="dim"))
            console.print(Text(lines[2], style="bold green" if report.passed else "bold red"))
        else:
            click.echo("\n".join(lines))
        failed = not report.passed
    sys.exit(1 if failed else 0)


def _verify_table_rich(plan, outcomes, size: int) -> bool:
    """The table, with a progress bar while it runs; True when a row failed."""
    import time

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress
    from rich.table import Table

    from .checking.verify import summary
    console = Console(highlight=False)
    table = Table("", "rule or identity", "formula", "cases", "rel. error",
                  title=f"matcalc verify, n = {size}", title_justify="left")
    done, start = [], time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("checking", total=len(plan))
        for outcome in outcomes:
            done.append(outcome)
            progress.update(task, advance=1, description=f"checking {outcome.name}")
    for previous, o in zip([None] + done, done):
        if previous is not None and previous.kind != o.kind:
            table.add_section()
        error = "—" if o.error is None else f"{o.error:.1e}"
        formula = escape(o.formula) + (f"\n[dim]{escape(o.note)}[/]" if o.note else "")
        table.add_row("[green]✓[/]" if o.passed else "[bold red]✗[/]", o.name, formula,
                      str(o.cases), error, style=None if o.passed else "red")
    console.print(table)
    failed = not all(o.passed for o in done)
    console.print(summary(done, size, time.perf_counter() - start),
                  style="bold red" if failed else "bold green")
    return failed
