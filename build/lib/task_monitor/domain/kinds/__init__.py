"""One package per kind of Braket event, each of the same inner shape (see ``domain.registry``)."""
