"""Braket events and API answers, one module per event kind, for tests, the demo and the benchmarks.

``task`` (task state changes, GetQuantumTask), ``job`` (hybrid job state changes, GetJob), ``device``
(device availability) and ``api_call`` (Braket calls through CloudTrail). Each module holds its
kind's made-up constants (account, ARNs, devices, times) and builds events in the shapes
docs/braket-events.md records; callers pass their own values to tell a different story with them.
One builder per kind keeps every event the project sends in one shape, so a change of shape (job
ARNs ending in a UUID, say) is made once.
"""
