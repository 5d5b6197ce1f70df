"""cdk-nag v3: AwsSolutions and Serverless pass, and every acknowledgment is exact and explained."""

from __future__ import annotations

import re

import aws_cdk
import pytest
from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.application import build
from infra.stacks import MAIN_STACK_NAME, forwarder_stack_name
from tests.infra.conftest import app_context

pytestmark = pytest.mark.infra

ACKNOWLEDGMENT = re.compile(r"^Annotation::(?P<finding>(?:AwsSolutions|Serverless)-[A-Za-z0-9]+(?:\[.+\])?)$")


def _acknowledgments(app: App) -> list[tuple[str, str, str]]:
    """(construct path, finding id, reason) of every acknowledgment in the app."""
    found = []
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                found += [(construct.node.path, rule, reason) for rule, reason in entry.data.items()]
    return found


def _findings(app: App) -> list[tuple[str, str]]:
    """(resource construct path, finding id) of every violation both packs report."""
    findings = []
    for pack in (AwsSolutionsChecks(), ServerlessChecks()):
        for violation in pack.validate_scope(app).violations:
            findings += [(resource.construct_path, violation.rule_name) for resource in violation.violating_resources]
    return findings


@pytest.fixture(scope="module")
def unacknowledged_findings(monkeypatch_module) -> list[tuple[str, str]]:
    """The findings the app would have with no acknowledgment at all (no bundling: templates only)."""
    monkeypatch_module.setattr(aws_cdk.Validations, "acknowledge", lambda _self, *_rules: None)
    app = App(context=app_context(**{"aws:cdk:bundling-stacks": []}))
    build(app)
    return _findings(app)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_given_both_packs_on_the_app_then_synthesis_passed_and_produced_every_stack(synthesis):
    names = {stack.stack_name for stack in synthesis.assembly.stacks}

    assert names == {MAIN_STACK_NAME, *(forwarder_stack_name(r) for r in synthesis.monitor.config.forwarded_regions)}


def test_given_the_acknowledgments_then_neither_pack_reports_a_violation(synthesis):
    for pack in (AwsSolutionsChecks(), ServerlessChecks()):
        report = pack.validate_scope(synthesis.app)
        assert report.success, [
            (v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations
        ]


def test_given_each_acknowledgment_then_it_names_one_exact_finding_with_a_specific_reason(synthesis):
    acknowledgments = _acknowledgments(synthesis.app)

    assert acknowledgments
    for path, rule, reason in acknowledgments:
        assert ACKNOWLEDGMENT.match(rule), (path, rule)
        assert len(reason) >= 80, (path, rule, reason)


def test_given_each_acknowledgment_then_the_finding_it_names_really_occurs_on_that_construct(
    synthesis, unacknowledged_findings
):
    for path, rule, _ in _acknowledgments(synthesis.app):
        finding = ACKNOWLEDGMENT.match(rule)["finding"]
        assert any(
            found == finding and (resource == path or resource.startswith(path + "/"))
            for resource, found in unacknowledged_findings
        ), f"{rule} on {path} acknowledges nothing"


def test_given_every_finding_without_acknowledgments_then_each_is_acknowledged_where_it_occurs(
    synthesis, unacknowledged_findings
):
    acknowledged = {(path, ACKNOWLEDGMENT.match(rule)["finding"]) for path, rule, _ in _acknowledgments(synthesis.app)}

    for resource, finding in unacknowledged_findings:
        assert any(
            finding == rule and (resource == path or resource.startswith(path + "/")) for path, rule in acknowledged
        ), f"{finding} on {resource} is not acknowledged"


def test_given_the_findings_then_only_the_expected_kinds_are_acknowledged(unacknowledged_findings):
    kinds = {re.sub(r"\[.*\]$", "", finding) for _, finding in unacknowledged_findings}

    assert kinds == {
        "AwsSolutions-IAM5",  # X-Ray's Resource '*', and quantum-task/* and job/* per Braket region
        "AwsSolutions-S1",  # the optional trail's bucket: no server access logs (integrity validation instead)
        "AwsSolutions-SQS3",  # the rule's dead-letter queues themselves
        "Serverless-SQSRedrivePolicy",  # the same queues
        "Serverless-LambdaDLQ",  # the function is invoked synchronously by its SQS event source mapping
        "Serverless-EventBusDLQ",  # the price refresh's schedule: a lost run is replaced by the next one
        "Serverless-LambdaEventSourceMappingDestination",  # SQS mappings take none; the queue redrives
        "Serverless-SNSRedrivePolicy",  # email subscriptions
    }
