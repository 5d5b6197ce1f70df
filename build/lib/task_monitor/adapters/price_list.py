"""``pricing:GetProducts`` for Amazon Braket, every page: the refresh's only read of the Price List.

Throttling and 5xx are retried by botocore (the client's standard retry mode, set where it is made);
the answer is handed over as the raw ``PriceList`` strings, read by ``domain.cost.price_list``.
"""

from __future__ import annotations

from typing import Any

from task_monitor.domain.cost.price_list import SERVICE_CODE

# The Price List Query API is served from these regions only, not from Braket's.
PRICING_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
PAGE_SIZE = 100  # GetProducts' MaxResults maximum
# A guard against a NextToken that never ends: AmazonBraket has a few hundred products, not 100,000.
MAX_PAGES = 1000


class PriceListReadError(RuntimeError):
    """GetProducts kept answering pages past MAX_PAGES, or handed back a token it had already given."""


def read_price_list(client: Any, service_code: str = SERVICE_CODE) -> list[str]:
    """Every ``PriceList`` entry of ``service_code``, page after page, in the API's order."""
    request: dict[str, Any] = {"ServiceCode": service_code, "FormatVersion": "aws_v1", "MaxResults": PAGE_SIZE}
    entries: list[str] = []
    seen_tokens: set[str] = set()
    for _ in range(MAX_PAGES):
        page = client.get_products(**request)
        entries.extend(page.get("PriceList", []))
        token = page.get("NextToken")
        if not token:
            return entries
        if token in seen_tokens:
            raise PriceListReadError("GetProducts handed back a NextToken it had already given: stopping")
        seen_tokens.add(token)
        request["NextToken"] = token
    raise PriceListReadError(f"GetProducts answered more than {MAX_PAGES} pages: stopping")
