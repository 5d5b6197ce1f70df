"""The job kind: its event parser, record, pipeline and notification."""
