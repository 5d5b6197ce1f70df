"""``python -m task_monitor_cli``: the same as the ``task-monitor`` command."""

import sys

from task_monitor_cli.app import main

if __name__ == "__main__":
    sys.exit(main())
