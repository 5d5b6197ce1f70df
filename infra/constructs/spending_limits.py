"""Spending limits as code: ``AWS::Braket::SpendingLimit`` for the limits ``cdk.json`` declares.

A limit lives in its QPU's region, so each stack creates the limits of its own region: the main stack
those of the main region, each forwarder stack those of its region (``infra/config.py`` checks the
device's region is one of braketRegions, so one of the stacks is there). The amount goes as the decimal
string it was written in; the time window as the ISO-8601 instants CloudFormation takes.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnOutput
from aws_cdk import aws_braket as braket
from constructs import Construct

from infra.config import SpendingLimitSetting


class SpendingLimits(Construct):
    """One ``CfnSpendingLimit`` per declared limit of this stack's region, and its ARN as an output."""

    def __init__(self, scope: Construct, construct_id: str, *, limits: Sequence[SpendingLimitSetting]) -> None:
        super().__init__(scope, construct_id)
        self.limits: list[braket.CfnSpendingLimit] = []
        for limit in limits:
            name = limit.device_arn.rsplit("/", 2)[-2:]
            logical = "".join(part.title().replace("-", "").replace(".", "").replace("_", "") for part in name)
            time_period = (
                braket.CfnSpendingLimit.TimePeriodProperty(start_at=limit.start_at, end_at=limit.end_at)
                if limit.start_at and limit.end_at
                else None
            )
            resource = braket.CfnSpendingLimit(
                self,
                logical,
                device_arn=limit.device_arn,
                spending_limit=limit.amount_usd,
                time_period=time_period,
            )
            self.limits.append(resource)
            CfnOutput(
                scope,
                f"SpendingLimit{logical}Arn",
                value=resource.attr_spending_limit_arn,
                description=f"The spending limit of {limit.device_arn} (${limit.amount_usd})",
            )
