"""The task kind: its event parser, record, pipeline and notification."""
