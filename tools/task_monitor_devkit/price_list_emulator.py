"""An in-process AWS Price List that answers ``pricing:GetProducts`` at botocore's HTTP layer.

Like the Braket emulator, it hooks ``before-send``, so botocore's own request serialization (JSON 1.1,
``X-Amz-Target: AWSPriceListService.GetProducts``), response parsing, error modelling and retries all
run: a throttled page is retried by botocore's standard retry mode, not by this emulator's caller.

The products are written here in the Price List's shape (``product.productFamily``,
``product.attributes``, ``terms.OnDemand.*.priceDimensions.*``), with the prices of
OFFLINE-FACTS "Braket billing"; SKUs and term codes are made up. Not deployed: tools only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from task_monitor_devkit.http_answers import installed, json_response

# A bulk Price List file in AWS's index.csv layout, trimmed to Braket's rows: the demo's and tests' input.
SAMPLE_INDEX_CSV = Path(__file__).resolve().parent / "sample_price_list" / "index.csv"

_TARGET = "AWSPriceListService.GetProducts"
_JSON_11 = "application/x-amz-json-1.1"
PUBLICATION_DATE = "2026-11-15T00:00:00Z"
ON_DEMAND_CODE = "JRTCKXETXF"  # the on-demand offer term code AWS uses in every service's price list
RATE_CODE = "6YS6EN2CT7"


def product(
    sku: str,
    family: str,
    usd: str,
    unit: str,
    *,
    region: str,
    usage_type: str,
    **attributes: str,
) -> dict[str, Any]:
    """One Price List product in GetProducts' shape (before it is turned into a JSON string)."""
    term = f"{sku}.{ON_DEMAND_CODE}"
    return {
        "product": {
            "productFamily": family,
            "attributes": {
                "servicecode": "AmazonBraket",
                "regionCode": region,
                "usagetype": usage_type,
                "operation": "",
                "servicename": "Amazon Braket",
                **attributes,
            },
            "sku": sku,
        },
        "serviceCode": "AmazonBraket",
        "terms": {
            "OnDemand": {
                term: {
                    "priceDimensions": {
                        f"{term}.{RATE_CODE}": {
                            "unit": unit,
                            "endRange": "Inf",
                            "description": f"${usd} per {unit} ({family})",
                            "appliesTo": [],
                            "rateCode": f"{term}.{RATE_CODE}",
                            "beginRange": "0",
                            "pricePerUnit": {"USD": usd},
                        }
                    },
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": ON_DEMAND_CODE,
                    "termAttributes": {},
                }
            }
        },
        "version": "20261115000000",
        "publicationDate": PUBLICATION_DATE,
    }


def sample_products() -> list[dict[str, Any]]:
    """A small, realistic AmazonBraket price list: QPUs, simulators, job families, and a reservation."""
    return [
        product("FORTE1TASK0001", "Quantum Task", "0.3000000000", "Task", region="us-east-1",
                usage_type="USE1-Task-IonQ-Forte-1", devicename="Forte-1"),
        product("FORTE1SHOT0001", "Quantum Task-Shot", "0.0800000000", "Shot", region="us-east-1",
                usage_type="USE1-Shot-IonQ-Forte-1", devicename="Forte-1"),
        product("GARNETTASK001", "Quantum Task", "0.3000000000", "Task", region="eu-north-1",
                usage_type="EUN1-Task-IQM-Garnet", devicename="Garnet"),
        product("GARNETSHOT001", "Quantum Task-Shot", "0.0014500000", "Shot", region="eu-north-1",
                usage_type="EUN1-Shot-IQM-Garnet", devicename="Garnet"),
        product("ANKAA3TASK001", "Quantum Task", "0.3000000000", "Task", region="us-west-1",
                usage_type="USW1-Task-Rigetti-Ankaa-3", devicename="Ankaa-3"),
        product("ANKAA3SHOT001", "Quantum Task-Shot", "0.0009000000", "Shot", region="us-west-1",
                usage_type="USW1-Shot-Rigetti-Ankaa-3", devicename="Ankaa-3"),
        product("SV1MINUTE0001", "Simulator Task", "0.0750000000", "Minutes", region="us-east-1",
                usage_type="USE1-Simulator-SV1", version="SV1"),
        product("DM1SECOND0001", "Simulator Task", "0.0012500000", "Seconds", region="us-east-1",
                usage_type="USE1-Simulator-DM1", version="DM1"),
        product("JOBFORTETASK1", "Braket Managed Jobs QPU Task", "0.3000000000", "Task", region="us-east-1",
                usage_type="USE1-Jobs-Task-IonQ-Forte-1", devicename="Forte-1"),
        product("JOBFORTESHOT1", "Braket Managed Jobs QPU Task Shot", "0.0800000000", "Shot", region="us-east-1",
                usage_type="USE1-Jobs-Shot-IonQ-Forte-1", devicename="Forte-1"),
        product("JOBSV1MINUTE1", "Braket Managed Jobs Simulator Task", "0.0750000000", "Minutes",
                region="us-east-1", usage_type="USE1-Jobs-Simulator-SV1", version="SV1"),
        product("JOBM5LARGE001", "Braket Managed Jobs Instance", "0.1152000000", "Hrs", region="us-east-1",
                usage_type="USE1-Jobs-ml.m5.large", instanceType="ml.m5.large"),
        product("RESERVATION01", "Quantum Reservation", "7000.0000000000", "Hrs", region="us-east-1",
                usage_type="USE1-Reservation-IonQ-Forte-1", devicename="Forte-1"),
    ]  # fmt: skip


@dataclass
class PriceListEmulator:
    """GetProducts over ``products`` (dicts, sent as JSON strings, or raw strings sent as they are), in
    pages of ``page_size``; the first ``throttle`` requests are refused with ThrottlingException, the
    next ``server_errors`` with a 500 InternalErrorException (both retried by botocore)."""

    products: Sequence[Mapping[str, Any] | str] = field(default_factory=sample_products)
    page_size: int = 4
    throttle: int = 0
    server_errors: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)  # each request's body and region
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if request.headers.get("X-Amz-Target", b"") not in (_TARGET, _TARGET.encode()):
            return None
        body = json.loads(request.body or b"{}")
        host = request.url.split("/")[2]
        with self._lock:
            self.requests.append({"body": body, "host": host})
            if self.throttle > 0:
                self.throttle -= 1
                return _error(request.url, "ThrottlingException", "Rate exceeded")
            if self.server_errors > 0:
                self.server_errors -= 1
                return _error(request.url, "InternalErrorException", "Internal error", status=500)
        if body.get("ServiceCode") != "AmazonBraket":
            return _error(request.url, "NotFoundException", f"Service {body.get('ServiceCode')} not found")
        size = min(int(body.get("MaxResults") or 100), self.page_size)
        try:
            start = _offset(body.get("NextToken"))
        except ValueError:
            return _error(request.url, "InvalidNextTokenException", "The next token is not valid")
        page = self.products[start : start + size]
        answer: dict[str, Any] = {
            "FormatVersion": body.get("FormatVersion", "aws_v1"),
            "PriceList": [entry if isinstance(entry, str) else json.dumps(entry) for entry in page],
        }
        if start + size < len(self.products):
            answer["NextToken"] = base64.b64encode(f"offset:{start + size}".encode()).decode()
        return json_response(request.url, answer, content_type=_JSON_11)

    @contextlib.contextmanager
    def running(self) -> Iterator[PriceListEmulator]:
        """Answer GetProducts for every botocore client created while active."""
        with installed(self.answer):
            yield self


def _offset(token: Any) -> int:
    if token is None:
        return 0
    text = base64.b64decode(str(token), validate=True).decode()
    if not text.startswith("offset:"):
        raise ValueError(token)
    return int(text.removeprefix("offset:"))


def _error(url: str, code: str, message: str, status: int = 400) -> AWSResponse:
    return json_response(url, {"__type": code, "Message": message}, status=status, content_type=_JSON_11)
