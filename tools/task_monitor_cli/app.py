"""task-monitor: ask the Braket audit log questions, and recover from failures.

Every command works on the deployed stack (found by its outputs: --stack, --region) or, where it
says so, on an embedded AWS loaded with the demo's events (--demo) or with event files (--events).
Answers go to stdout (--json, and --csv for tables); progress, notes and errors to stderr. An error
is one line naming the fix: exit status 2 for how the command was called, 1 when the work failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from task_monitor.domain.notification_model import safe_text
from task_monitor_cli.commands import COMMANDS
from task_monitor_cli.errors import CommandFailedError, UsageError
from task_monitor_cli.outcomes import QUIET_LOGS
from task_monitor_cli.output import Output, add_format_options

PROG = "task-monitor"


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (the problem and where to read more), exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `task-monitor COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--verbose", action="store_true", help="show the function's JSON logs and metrics on stderr")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        sub = commands.add_parser(
            command.NAME,
            help=command.SUMMARY,
            description=_description(command),
            epilog=f"examples:\n{command.EXAMPLES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_format_options(sub)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run, format="text")
    return parser


def _description(command: Any) -> str:
    """The summary, then what the module's docstring says after its first line (plain text)."""
    _, _, details = (command.__doc__ or "").partition("\n")
    return f"{command.SUMMARY}.\n\n{details.strip()}".strip().replace("``", "")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    verbose = False
    try:
        args = build_parser().parse_args(argv)
        verbose = args.verbose
        if not args.verbose:
            for name, value in QUIET_LOGS.items():
                os.environ.setdefault(name, value)
        return int(args.run(args, Output(out, err, fmt=args.format)))
    except (UsageError, CommandFailedError) as error:
        err.write(safe_text(f"{PROG}: error: {error}") + "\n")
        return error.exit_status
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        err.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as error:
        if verbose:  # the one place a traceback is shown: asked for
            import traceback

            traceback.print_exception(error, file=err)
        err.write(safe_text(f"{PROG}: error: {_aws_error_text(error)}") + "\n")
        return 1


def _aws_error_text(error: Exception) -> str:
    """AWS refusing the call, credentials or region missing, or a bug: one line, naming what to do."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials found: configure them (aws configure, AWS_PROFILE), or try --demo"
    if isinstance(error, NoRegionError):
        return "no AWS region: give --region, or set AWS_REGION"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach AWS ({error}): check your network and --region"
    if isinstance(error, ClientError):
        return f"AWS said: {error} (check your credentials, --region and --stack)"
    location = error.__traceback__
    while location is not None and location.tb_next is not None:
        location = location.tb_next
    where = f" at {location.tb_frame.f_code.co_filename}:{location.tb_lineno}" if location else ""
    return f"unexpected {type(error).__name__}: {error}{where} (please report it with the command you ran)"
