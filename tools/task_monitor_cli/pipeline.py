"""The function's pipeline in this process, for a deployed stack: built by ``task_monitor.wiring`` with
explicit settings (the deployed function's own environment when it can be read, else the names found
for the table and topic), never by importing the Lambda handler or setting ``os.environ``."""

from __future__ import annotations

from typing import Any

from task_monitor_cli.errors import UsageError
from task_monitor_cli.output import Output
from task_monitor_cli.target import TABLE, TOPIC, Deployed


def deployed_settings(target: Deployed, output: Output) -> Any:
    """The deployed function's settings (``Settings``), read from its environment; failing that, the
    table and topic found for it, with a note saying what is then left at its default."""
    from botocore.exceptions import ClientError

    from task_monitor.errors import ConfigurationError
    from task_monitor.settings import Settings

    try:
        environment = target.function_environment()
    except (UsageError, ClientError) as error:
        output.note(
            f"note: the function's settings could not be read ({error}); using the table and topic only: "
            "default notify statuses, no budgets (give --function or --stack to use its own)"
        )
        environment = {}
    environment.setdefault("AUDIT_TABLE_NAME", target.name(TABLE))
    environment.setdefault("NOTIFICATION_TOPIC_ARN", target.name(TOPIC))
    try:
        return Settings.from_environment(environment)
    except ConfigurationError as error:
        raise UsageError(f"{error}; check --table, --topic and --stack") from None


class DeployedPipeline:
    def __init__(self, target: Deployed, output: Output) -> None:
        from task_monitor.wiring import build_dispatcher, build_pipelines

        self._dispatcher = build_dispatcher(build_pipelines(deployed_settings(target, output), target.session))

    def run(self, event: Any, arrival: Any) -> dict[str, Any]:
        """One event, as the function would process it, with the metrics flushed after it."""
        from task_monitor.observability import metrics, process_observed

        try:
            return process_observed(self._dispatcher, event, arrival)
        finally:
            metrics.flush_metrics()


def operator_arn(target: Any) -> str:
    """Who replays: the ARN of the credentials in use (sts:GetCallerIdentity), named on every record."""
    return str(target.client("sts").get_caller_identity()["Arn"])
