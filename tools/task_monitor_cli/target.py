"""Where a command works: a deployed stack (the default) or the embedded AWS (``--demo``, ``--events``).

Against a deployed stack the names come from, in this order: a flag (``--table``...), the variable
the function itself reads (``AUDIT_TABLE_NAME``...), or the stack's outputs (``--stack``, default the
app's stack name, in ``--region``): one ``DescribeStacks`` call, made only when a name is needed.
The embedded AWS is moto plus the Braket emulator from the development kit, loaded with the demo's
events or with event files, each taken through the events queue as the deployed stack would.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from task_monitor_cli.errors import UsageError

# The app's main stack (infra.stacks.MAIN_STACK_NAME; a test keeps the two equal).
DEFAULT_STACK = "BraketTaskMonitor"


@dataclass(frozen=True)
class Name:
    """A deployed resource a command may need: its flag, the function's variable, the stack output."""

    flag: str
    variable: str | None
    output: str
    what: str


TABLE = Name("--table", "AUDIT_TABLE_NAME", "AuditTableName", "the audit table")
TOPIC = Name("--topic", "NOTIFICATION_TOPIC_ARN", "NotificationTopicArn", "the notification topic")
EVENTS_QUEUE = Name("--events-queue", None, "EventsQueueUrl", "the events queue")
DEAD_LETTER_QUEUE = Name("--dead-letter-queue", "DEAD_LETTER_QUEUE_URL", "DeadLetterQueueUrl", "the dead-letter queue")
FUNCTION = Name("--function", None, "FunctionName", "the monitor function")
NAMES = (TABLE, TOPIC, EVENTS_QUEUE, DEAD_LETTER_QUEUE, FUNCTION)


def add_target_options(parser: argparse.ArgumentParser, *, embedded: bool = True, names: tuple[Name, ...] = ()) -> None:
    """The options choosing where a command works; ``names`` adds a flag per deployed resource it uses."""
    group = parser.add_argument_group("where (default: the deployed stack, found by its outputs)")
    group.add_argument("--stack", default=DEFAULT_STACK, help=f"the stack's name (default {DEFAULT_STACK})")
    group.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    for name in names:
        group.add_argument(name.flag, dest=_dest(name), metavar="NAME", help=f"{name.what} (else the stack output)")
    group.add_argument("--aws", action="store_true", help=argparse.SUPPRESS)  # the default; kept for old scripts
    if embedded:
        group.add_argument(
            "--demo", action="store_true", help="work on an embedded AWS loaded with the demo's events (no account)"
        )
        group.add_argument(
            "--events",
            nargs="+",
            metavar="FILE",
            help="work on an embedded AWS loaded with these event files (JSON, JSON lines, dead-letter dumps)",
        )


def _dest(name: Name) -> str:
    return name.flag.removeprefix("--").replace("-", "_")


def is_embedded(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "demo", False) or getattr(args, "events", None))


class Deployed:
    """The deployed stack: botocore clients with your credentials, names found lazily."""

    embedded = False

    def __init__(self, args: argparse.Namespace) -> None:
        import botocore.session

        self.args = args
        self.session = botocore.session.Session()
        if args.region:
            self.session.set_config_variable("region", args.region)
        self._outputs: dict[str, str] | None = None

    @property
    def region(self) -> str | None:
        return self.args.region or self.session.get_config_variable("region")

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.create_client(service, region_name=region or self.region)

    def name(self, name: Name) -> str:
        given = getattr(self.args, _dest(name), None) or (os.environ.get(name.variable) if name.variable else None)
        if given:
            return str(given)
        outputs = self.outputs()
        if name.output not in outputs:
            raise UsageError(
                f"stack {self.args.stack} has no output {name.output}; give {name.flag} "
                "(or deploy the stack: cdk deploy)"
            )
        return outputs[name.output]

    def outputs(self) -> dict[str, str]:
        if self._outputs is None:
            from botocore.exceptions import ClientError

            try:
                stacks = self.client("cloudformation").describe_stacks(StackName=self.args.stack)["Stacks"]
            except ClientError as error:
                if "does not exist" in str(error):
                    raise UsageError(
                        f"no stack {self.args.stack} in {self.region or 'your default region'}: give --stack and "
                        "--region of the deployed monitor, or the names (--table...), or try --demo"
                    ) from None
                raise
            self._outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        return self._outputs

    def audit_log(self) -> Any:
        from task_monitor.audit import AuditLog

        return AuditLog(self.name(TABLE), client=self.client("dynamodb"))

    def function_environment(self) -> dict[str, str]:
        """The deployed function's own settings (its environment), so a replay runs as it would.
        Raises ``UsageError`` when the function cannot be named, AWS's error when it cannot be read."""
        configuration = self.client("lambda").get_function_configuration(FunctionName=self.name(FUNCTION))
        return dict(configuration.get("Environment", {}).get("Variables", {}))


class Embedded:
    """The embedded AWS (development kit), loaded with the demo's events or the given files."""

    embedded = True

    def __init__(self, aws: Any) -> None:
        self.aws = aws
        self.region = aws.region
        import botocore.session

        self.session = botocore.session.get_session()

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.create_client(service, region_name=region or self.region)

    def name(self, name: Name) -> str:
        from task_monitor_devkit.embedded import TABLE_NAME

        if name.output == FUNCTION.output:
            raise UsageError("the embedded AWS runs the handler in this process: it has no function to name")
        return {
            TABLE.output: TABLE_NAME,
            TOPIC.output: self.aws.topic_arn,
            EVENTS_QUEUE.output: self.aws.events_url,
            DEAD_LETTER_QUEUE.output: self.aws.dead_letters_url,
        }[name.output]

    def audit_log(self) -> Any:
        return self.aws.audit_log()


def devkit_missing() -> UsageError:
    return UsageError(
        "--demo and --events need the development kit: pip install 'braket-task-monitor[devkit]' (or make demo)"
    )


@contextlib.contextmanager
def embedded_aws(settings: dict[str, str] | None = None) -> Iterator[Any]:
    """The development kit's embedded AWS with the handler loaded (one line if it is not installed)."""
    try:
        from task_monitor_devkit.embedded import EmbeddedAws
        from task_monitor_devkit.scenario import demo_settings
    except ImportError:
        raise devkit_missing() from None
    with EmbeddedAws(settings=demo_settings() if settings is None else settings) as aws:
        aws.load_handler()
        yield aws


@contextlib.contextmanager
def open_target(args: argparse.Namespace, *, quiet: bool = True) -> Iterator[Deployed | Embedded]:
    """The place the command works on; an embedded one is loaded first (the function's output hidden)."""
    if not is_embedded(args):
        yield Deployed(args)
        return
    from task_monitor_cli.events_io import load_events

    events = load_events(args.events) if args.events else None
    with embedded_aws() as aws:
        from task_monitor_devkit.scenario import demo_timeline
        from task_monitor_devkit.teach import teach_emulator

        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            if events is None:
                for step in demo_timeline():
                    step.prepare(aws.braket)
                    aws.send(step.event())
            else:  # each as deployed: on the events queue, taken in a batch, retried, or dead-lettered
                for event in events:
                    teach_emulator(aws, event)
                    aws.deliver(event)
                    aws.drain()
        yield Embedded(aws)
