"""Braket API calls as CloudTrail sends them through EventBridge (``AWS API Call via CloudTrail``).

In the shape docs/braket-events.md §3 describes: the envelope's ``source`` is ``aws.braket``, its
``detail`` the CloudTrail record. Every value is made up. The records carry what a real one would and
the audit must never keep (an access key id, a session token in the identity, the program in
``action``, a hybrid job's ``jobToken``, a client token), so a test can check that none of it is
stored, published or logged.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from task_monitor_devkit.builders.task import ACCOUNT, FORTE

DETAIL_TYPE = "AWS API Call via CloudTrail"

# What must never leave the event: the values, so tests can look for them anywhere.
ACCESS_KEY_ID = "ASIAZZNEVERSTOREME42"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token-never-stored"
PROGRAM_MARKER = "OPENQASM 3.0; qubit[3] q; // never stored"
JOB_TOKEN = "jt-7f0c2a94-never-stored"
CLIENT_TOKEN = "c1d2e3f4-0a1b-4c5d-8e9f-a0b1c2d3e4f5"
HYPERPARAMETER_VALUE = "secret-learning-rate-0.0371"
NEVER_STORED = (ACCESS_KEY_ID, SESSION_TOKEN, PROGRAM_MARKER, JOB_TOKEN, CLIENT_TOKEN, HYPERPARAMETER_VALUE)

# The job the calls create and cancel: its ARN ends in a UUID, its name is only in CreateJob's request.
JOB_NAME = "maxcut-sweep-12"
JOB_ARN = f"arn:aws:braket:us-east-1:{ACCOUNT}:job/0e8d2b6f-3a1c-4f57-9b2e-6c4a1d8f7e30"

SDK_USER_AGENT = (
    "Boto3/1.44.9 md/Botocore#1.44.9 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.7 "
    "md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.44.9 BraketSdk/1.93.1 BraketSchemas/1.26.0 "
    "NotebookInstance/None"
)


def assumed_role(
    role: str = "QubitWrangler", session: str = "marisol", account: str = ACCOUNT, path: str = "/"
) -> dict[str, Any]:
    """A role session (a person through SSO or ``sts:AssumeRole``): the role is the principal.

    ``path`` is the role's IAM path (``/service-role/``): it is in the role's ARN, not in the session's."""
    return {
        "type": "AssumedRole",
        "principalId": f"AROAZZROLEQUBITWRANG:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": ACCESS_KEY_ID,
        "sessionToken": SESSION_TOKEN,  # not a documented field: here to prove unknown fields are not kept
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAZZROLEQUBITWRANG",
                "arn": f"arn:aws:iam::{account}:role{path}{role}",
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-21T07:58:40Z", "mfaAuthenticated": "true"},
        },
    }


def iam_user(user: str = "tomasz", account: str = ACCOUNT) -> dict[str, Any]:
    """An IAM user with long-term keys: no session context."""
    return {
        "type": "IAMUser",
        "principalId": "AIDAZZUSERTOMASZ0001",
        "arn": f"arn:aws:iam::{account}:user/{user}",
        "accountId": account,
        "accessKeyId": "AKIAZZLONGTERMKEY042",
        "userName": user,
    }


def aws_service(service: str = "braket.amazonaws.com") -> dict[str, Any]:
    """A call an AWS service made: no ARN, only who invoked it."""
    return {"type": "AWSService", "invokedBy": service}


def api_call(
    event_name: str,
    *,
    identity: dict[str, Any] | None = None,
    request_parameters: dict[str, Any] | None = None,
    response_elements: dict[str, Any] | None = None,
    event_time: str = "2026-11-21T08:14:05Z",
    event_id: str | None = None,
    region: str = "us-east-1",
    error_code: str | None = None,
    error_message: str | None = None,
) -> dict[str, Any]:
    """One CloudTrail-borne Braket call; ``event_id`` is the EventBridge id (CloudTrail's own differs)."""
    seed = f"{event_name}/{event_time}/{json.dumps(request_parameters, sort_keys=True)}/{error_code}"
    detail: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": copy.deepcopy(identity if identity is not None else assumed_role()),
        "eventTime": event_time,
        "eventSource": "braket.amazonaws.com",
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": "203.0.113.58",
        "userAgent": SDK_USER_AGENT,
        "requestParameters": copy.deepcopy(request_parameters),
        "responseElements": copy.deepcopy(response_elements),
        "requestID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"request/{seed}")),
        "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cloudtrail/{seed}")),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_256_GCM_SHA384",
            "clientProvidedHostHeader": f"braket.{region}.amazonaws.com",
        },
    }
    if error_code is not None:
        detail["errorCode"] = error_code
        detail["errorMessage"] = error_message or "The request could not be completed."
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"eventbridge/{seed}")),
        "detail-type": DETAIL_TYPE,
        "source": "aws.braket",
        "account": ACCOUNT,
        "time": event_time,
        "region": region,
        "resources": [],
        "detail": detail,
    }


def create_task_parameters(device_arn: str = FORTE) -> dict[str, Any]:
    """CreateQuantumTask's request as the SDK sends it: the program and tokens included."""
    return {
        "clientToken": CLIENT_TOKEN,
        "deviceArn": device_arn,
        "shots": 250,
        "outputS3Bucket": f"amazon-braket-us-east-1-{ACCOUNT}",
        "outputS3KeyPrefix": "ghz-study",
        "action": json.dumps(
            {"braketSchemaHeader": {"name": "braket.ir.openqasm.program", "version": "1"}, "source": PROGRAM_MARKER}
        ),
        "deviceParameters": json.dumps({"braketSchemaHeader": {"name": "braket.device_schema.ionq", "version": "1"}}),
        "tags": {"study": "ghz-3", "costCentre": "qlab"},
    }


def create_task_call(
    task_arn: str,
    *,
    identity: dict[str, Any] | None = None,
    event_time: str = "2026-11-20T09:00:00Z",
    event_id: str | None = None,
    job_token: bool = False,
) -> dict[str, Any]:
    """CreateQuantumTask that succeeded (``job_token``: made from inside a hybrid job)."""
    parameters = create_task_parameters()
    if job_token:
        parameters["jobToken"] = JOB_TOKEN
    return api_call(
        "CreateQuantumTask",
        identity=identity,
        request_parameters=parameters,
        response_elements={"quantumTaskArn": task_arn, "status": "INITIALIZED"},
        event_time=event_time,
        event_id=event_id,
        region=task_arn.split(":")[3],
    )


def cancel_task_call(
    task_arn: str,
    *,
    identity: dict[str, Any] | None = None,
    event_time: str = "2026-11-20T10:30:00Z",
    event_id: str | None = None,
) -> dict[str, Any]:
    return api_call(
        "CancelQuantumTask",
        identity=identity,
        request_parameters={"quantumTaskArn": task_arn, "clientToken": CLIENT_TOKEN},
        response_elements={"quantumTaskArn": task_arn, "cancellationStatus": "CANCELLING"},
        event_time=event_time,
        event_id=event_id,
        region=task_arn.split(":")[3],
    )


def create_job_call(
    job_arn: str,
    *,
    job_name: str = JOB_NAME,
    identity: dict[str, Any] | None = None,
    event_time: str = "2026-11-21T08:14:05Z",
    event_id: str | None = None,
) -> dict[str, Any]:
    return api_call(
        "CreateJob",
        identity=identity,
        request_parameters={
            "clientToken": CLIENT_TOKEN,
            "jobName": job_name,
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonBraketJobsExecutionRole",
            "algorithmSpecification": {
                "scriptModeConfig": {
                    "entryPoint": "qaoa.driver:main",
                    "s3Uri": f"s3://amazon-braket-us-east-1-{ACCOUNT}/jobs/src/source.tar.gz",
                    "compressionType": "GZIP",
                }
            },
            "hyperParameters": {"learning_rate": HYPERPARAMETER_VALUE, "layers": "4"},
            "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30, "instanceCount": 1},
            "deviceConfig": {"device": FORTE},
            "outputDataConfig": {"s3Path": f"s3://amazon-braket-us-east-1-{ACCOUNT}/jobs/out"},
            "stoppingCondition": {"maxRuntimeInSeconds": 7200},
            "tags": {"study": "maxcut-12"},
        },
        response_elements={"jobArn": job_arn},
        event_time=event_time,
        event_id=event_id,
        region=job_arn.split(":")[3],
    )


def cancel_job_call(
    job_arn: str,
    *,
    identity: dict[str, Any] | None = None,
    event_time: str = "2026-11-21T09:02:44Z",
    event_id: str | None = None,
) -> dict[str, Any]:
    return api_call(
        "CancelJob",
        identity=identity,
        request_parameters={"jobArn": job_arn},
        response_elements={"jobArn": job_arn, "cancellationStatus": "CANCELLING"},
        event_time=event_time,
        event_id=event_id,
        region=job_arn.split(":")[3],
    )


def failed_create_task_call(
    *, identity: dict[str, Any] | None = None, error_code: str = "ValidationException", event_id: str | None = None
) -> dict[str, Any]:
    """A CreateQuantumTask Braket refused: no task was made, so no ARN and null responseElements."""
    return api_call(
        "CreateQuantumTask",
        identity=identity,
        request_parameters=create_task_parameters(),
        response_elements=None,
        error_code=error_code,
        error_message="shots must be between 1 and 100000 for this device",
        event_id=event_id,
    )


SPENDING_LIMIT_REFUSAL_MESSAGE = (
    "Attempted to spend over the spending limit or outside the spending limit time window. "
    "Spending limit: 3, current spend: 0, estimated cost: 9.3000000000, time window: "
    "2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z"
)


def refused_create_task_call(
    *,
    identity: dict[str, Any] | None = None,
    message: str = SPENDING_LIMIT_REFUSAL_MESSAGE,
    event_id: str | None = None,
    device_arn: str = FORTE,
) -> dict[str, Any]:
    """A CreateQuantumTask a spending limit refused (its message as AWS's spending-limits notebook shows it;
    that CloudTrail records it so is inferred)."""
    return api_call(
        "CreateQuantumTask",
        identity=identity,
        request_parameters=create_task_parameters(device_arn),
        response_elements=None,
        error_code="ValidationException",
        error_message=message,
        event_id=event_id,
    )
