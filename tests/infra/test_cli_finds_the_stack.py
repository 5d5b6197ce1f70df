"""The CLI finds a deployed stack by its name and outputs: both must be the ones the app deploys."""

from __future__ import annotations

from aws_cdk.assertions import Template

from infra.stacks import MAIN_STACK_NAME
from task_monitor_cli import target


def test_the_cli_looks_for_the_stack_the_app_deploys() -> None:
    assert target.DEFAULT_STACK == MAIN_STACK_NAME


def test_every_output_the_cli_reads_is_in_the_main_template(main_template: Template) -> None:
    outputs = main_template.to_json()["Outputs"]
    assert {name.output for name in target.NAMES} <= set(outputs)
