"""CloudFormation's ``DescribeStacks`` answered in this process, so the CLI's stack lookup runs for real.

moto 5.2.5's CloudFormation needs packages the project does not install (its ``apigateway`` models
import ``openapi_spec_validator``), and the CLI asks CloudFormation one thing only: a stack's outputs.
This answers that call at botocore's HTTP layer, in the query protocol's XML, from the stacks given;
an unknown stack gets CloudFormation's own ``ValidationError``. Every other call passes through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from task_monitor_devkit.http_answers import installed, moto_skips_answered, operation_of, response

_XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
ACCOUNT_ID = "123456789012"


class StacksEmulator:
    def __init__(self, stacks: Mapping[str, Mapping[str, str]], region: str = "us-east-1") -> None:
        self.stacks = {name: dict(outputs) for name, outputs in stacks.items()}
        self.region = region
        self.calls: list[str] = []

    @contextlib.contextmanager
    def running(self) -> Iterator[StacksEmulator]:
        with installed(self.answer), moto_skips_answered():  # moto's CloudFormation never loads
            yield self

    def answer(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
        if not event_name.startswith("before-send.cloudformation."):
            return None
        operation = operation_of(event_name)
        if operation != "DescribeStacks":
            return _error(request.url, "InvalidAction", f"{operation} is not emulated here")
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        name = parse_qs(body).get("StackName", [""])[0]
        self.calls.append(name)
        if name not in self.stacks:
            return _error(request.url, "ValidationError", f"Stack with id {name} does not exist")
        outputs = "".join(
            f"<member><OutputKey>{escape(key)}</OutputKey><OutputValue>{escape(value)}</OutputValue></member>"
            for key, value in self.stacks[name].items()
        )
        stack_id = f"arn:aws:cloudformation:{self.region}:{ACCOUNT_ID}:stack/{name}/0"
        xml = (
            f'<DescribeStacksResponse xmlns="{_XMLNS}"><DescribeStacksResult><Stacks><member>'
            f"<StackName>{escape(name)}</StackName><StackId>{stack_id}</StackId>"
            "<CreationTime>2026-11-20T08:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus>"
            f"<Outputs>{outputs}</Outputs></member></Stacks></DescribeStacksResult>"
            "<ResponseMetadata><RequestId>stacks-emulator</RequestId></ResponseMetadata></DescribeStacksResponse>"
        )
        return response(request.url, 200, xml.encode(), content_type="text/xml")


def _error(url: str, code: str, message: str) -> AWSResponse:
    xml = (
        f'<ErrorResponse xmlns="{_XMLNS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>stacks-emulator</RequestId></ErrorResponse>"
    )
    return response(url, 400, xml.encode(), content_type="text/xml")
