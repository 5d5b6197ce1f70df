"""``python -m task_monitor demo | replay FILE... | history TASK_ARN`` (not part of the Lambda asset)."""

import sys

from task_monitor.local.cli import main

if __name__ == "__main__":
    sys.exit(main())
