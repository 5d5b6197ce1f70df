"""One synthesis of the whole app per test session, shared by every infrastructure test.

The app is built exactly as ``app.py`` builds it (same ``build``, the context of ``cdk.json`` with its
feature flags, cdk-nag's AwsSolutions and Serverless packs registered), plus a few settings that make
optional parts appear: filtered email subscriptions, an alarm address, and the CloudTrail trail (with a
retention other than the default). The default deployment has no trail: ``test_trail.py`` checks that on
a construct tree built without synthesis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly

from infra.application import MonitorApp, build
from infra.stacks import MAIN_STACK_NAME, forwarder_stack_name
from tests.infra.helpers import DEVICE_ARN, MONITOR_FUNCTION

ROOT = Path(__file__).resolve().parents[2]
REDRIVER = "arn:aws:iam::123456789012:role/TaskMonitorOperator"
TEST_SETTINGS = {
    "notificationEmails": [
        "everything@example.org",
        {
            "address": "vqe-team@example.org",
            "statuses": ["FAILED"],
            "devices": [DEVICE_ARN],
            "providers": ["ionq"],
            "tags": {"project": "vqe-h2"},
        },
    ],
    "alarmEmail": "oncall@example.org",
    "createTrail": True,
    "trailRetentionDays": 400,
    "redrivePrincipals": [REDRIVER, "arn:aws:iam::123456789012:role/ops/DeadLetterRedriver"],
    # One limit in the main region, one (with a time window) in a forwarder's: tests/infra/test_spending_limits.py
    "spendingLimits": [
        {"deviceArn": DEVICE_ARN, "amountUsd": "250.00"},
        {
            "deviceArn": "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3",
            "amountUsd": "40",
            "timeWindow": {"startAt": "2027-01-01T00:00:00Z", "endAt": "2027-04-01T00:00:00Z"},
        },
    ],
    "spendingLimitThresholds": [25, 75, 100],
}


def cdk_json_context() -> dict:
    return json.loads((ROOT / "cdk.json").read_text())["context"]


def app_context(**overrides: object) -> dict:
    return {**cdk_json_context(), **TEST_SETTINGS, **overrides}


@dataclass(frozen=True)
class Synthesis:
    app: App
    monitor: MonitorApp
    assembly: CloudAssembly
    outdir: Path

    def template_dict(self, stack_name: str) -> dict:
        return self.assembly.get_stack_by_name(stack_name).template

    def template_file(self, stack_name: str) -> Path:
        return Path(self.assembly.get_stack_by_name(stack_name).template_full_path)


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    """The whole app, synthesized once (cdk-nag runs during this synth and fails it on a finding)."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(outdir=str(outdir), context=app_context())
    monitor = build(app)
    assembly = app.synth()
    return Synthesis(app=app, monitor=monitor, assembly=assembly, outdir=outdir)


@pytest.fixture(scope="session")
def main_template(synthesis: Synthesis) -> Template:
    """The main stack's template (``main_template.to_json()`` for the plain dict)."""
    return Template.from_json(synthesis.template_dict(MAIN_STACK_NAME))


@pytest.fixture(scope="session")
def forwarder_templates(synthesis: Synthesis) -> dict[str, Template]:
    """Region -> that region's forwarder stack template."""
    return {
        region: Template.from_json(synthesis.template_dict(forwarder_stack_name(region)))
        for region in synthesis.monitor.config.forwarded_regions
    }


@pytest.fixture(scope="session")
def function_asset_dir(synthesis: Synthesis, main_template: Template) -> Path:
    """The bundled function code, as CDK uploads it (zipped) to the assets bucket."""
    (function,) = main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION).values()
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    return synthesis.outdir / f"asset.{asset_hash}"
