"""Operator library: redrive of dead letters, backfill of tasks and jobs. The CLI wires the commands."""
