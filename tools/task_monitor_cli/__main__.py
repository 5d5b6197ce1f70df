"""``python -m task_monitor_cli demo | replay FILE... | history TASK_ARN`` (not part of the Lambda asset)."""

import sys

from task_monitor_cli.cli import main

if __name__ == "__main__":
    sys.exit(main())
