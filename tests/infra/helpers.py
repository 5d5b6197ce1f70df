"""Small helpers for reading synthesized templates."""

from __future__ import annotations

DEVICE_ARN = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
# The monitor function, told apart from the price refresh (same asset, another handler) by its handler.
MONITOR_FUNCTION = {"Properties": {"Handler": "task_monitor.handler.lambda_handler"}}


def monitor_log_groups(template) -> dict:
    """A ``Template``'s log groups but the price refresh's (``PriceRefresh...``: its own function's)."""
    groups = template.find_resources("AWS::Logs::LogGroup")
    return {logical_id: group for logical_id, group in groups.items() if not logical_id.startswith("PriceRefresh")}


def only(resources: dict) -> tuple[str, dict]:
    """The single (logical id, resource) of a ``Template.find_resources`` result."""
    assert len(resources) == 1, f"expected one resource, found {sorted(resources)}"
    return next(iter(resources.items()))


def as_list(value: object) -> list:
    """IAM lets Action and Resource be one value or a list."""
    return value if isinstance(value, list) else [value]


def policy_statements(template: dict, role_logical_id: str) -> list[dict]:
    """Every statement of every AWS::IAM::Policy attached to the role, and of the role's inline policies."""
    statements = []
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_logical_id} in resource["Properties"]["Roles"]:
            statements += resource["Properties"]["PolicyDocument"]["Statement"]
    role = template["Resources"][role_logical_id]["Properties"]
    for policy in role.get("Policies", []):
        statements += policy["PolicyDocument"]["Statement"]
    return statements


def get_att_arn(logical_id: str) -> dict:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def rules_by_role(template: dict) -> dict[str, tuple[str, dict]]:
    """The main stack's two rules, ``state`` (state changes, whole) and ``calls`` (CloudTrail calls,
    reduced): each (logical id, resource)."""
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]:
            role = "calls" if "detail" in resource["Properties"]["EventPattern"] else "state"
            assert role not in found, f"two {role} rules"
            found[role] = (logical_id, resource)
    return found
