"""make bench: cold start, per-event CPU, AWS calls, memory and cost (see run.py)."""
