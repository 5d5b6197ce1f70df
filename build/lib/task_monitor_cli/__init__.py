"""The ``task-monitor`` command: questions to the audit log, and recovery from failures.

Installed with ``pip install .`` (the embedded AWS for ``--demo`` comes with the ``devkit`` extra);
never part of the Lambda asset.
"""
