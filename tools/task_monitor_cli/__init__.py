"""The braket-task-monitor command line and its embedded AWS: never deployed, never in the Lambda asset.

``python -m task_monitor_cli demo | replay FILE... | history TASK_ARN``; the embedded AWS (moto and
the Braket emulator) also serves the tests.
"""
