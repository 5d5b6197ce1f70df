#!/usr/bin/env python3
"""CDK entry point: `cdk synth`, `cdk deploy --all` (see cdk.json for the settings)."""

from __future__ import annotations

import sys
from pathlib import Path

# The infrastructure reads the function's table schema and metric names from functions/.
sys.path.insert(0, str(Path(__file__).resolve().parent / "functions"))

from aws_cdk import App

from infra.application import build
from infra.config import ConfigError


def main() -> None:
    app = App()
    try:
        build(app)
    except ConfigError as error:
        sys.exit(f"Configuration error: {error}")
    app.synth()


if __name__ == "__main__":
    main()
