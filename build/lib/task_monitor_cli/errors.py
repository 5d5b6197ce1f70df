"""The CLI's two kinds of failure: each printed as one line naming the fix, never a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """How the command was called is wrong (a flag, a file, a missing name): exit status 2."""

    exit_status = 2


class CommandFailedError(Exception):
    """The command ran and could not do its work (AWS refused, nothing recorded): exit status 1."""

    exit_status = 1
