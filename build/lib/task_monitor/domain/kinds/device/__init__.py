"""The device kind: its event parser, record, pipeline and notification."""
