"""The development kit: what tests, the demo and the benchmarks share, and the Lambda never needs.

Never deployed: the function's asset is built from ``functions/`` alone (``infra/packaging.py``), and
nothing under ``functions/`` may import this package.
"""
