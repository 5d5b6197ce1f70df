"""One module per command, each with the same shape: ``NAME``, ``SUMMARY``, ``EXAMPLES``,
``add_arguments(parser)`` and ``run(args, output) -> exit status``. ``COMMANDS`` is the one list the
parser is built from, in the order ``--help`` shows them."""

from __future__ import annotations

from task_monitor_cli.commands import backfill, demo, history, jobs, prices, redrive, replay, report, tasks

COMMANDS = (history, tasks, jobs, report, replay, redrive, backfill, prices, demo)
