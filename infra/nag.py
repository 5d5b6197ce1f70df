"""cdk-nag v3: the rule packs this app is checked against, and the one way findings are acknowledged.

Every acknowledgment names one exact finding (granular ``Rule[Finding]`` ids where the rule reports
several findings per resource) and says why that finding is right for this app. The tests read the
acknowledgments back from the construct tree and check each one still matches a real finding.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import IConstruct

RULE_PACKS = ("AwsSolutions", "Serverless")


def register_rule_packs(app: IConstruct) -> None:
    """Run AwsSolutions and Serverless on every stack when the app synthesizes."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Accept one finding on ``scope`` (and the constructs under it) with the reason it is right here."""
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))
