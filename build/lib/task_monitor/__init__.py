"""braket-task-monitor: enrich, audit and announce every Amazon Braket task state change."""

__version__ = "0.1.0"
