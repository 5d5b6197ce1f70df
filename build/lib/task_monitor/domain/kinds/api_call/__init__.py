"""The api call kind: its event parser, record, pipeline."""
