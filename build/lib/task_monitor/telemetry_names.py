"""Names shared by the function's metrics and the CloudWatch dashboard and alarms.

Pure constants, so the infrastructure can import them without loading Powertools.
Every metric carries the ``service`` dimension (Powertools adds it) plus those listed.
"""

SERVICE_NAME = "braket-task-monitor"
METRICS_NAMESPACE = "BraketTaskMonitor"

TASK_EVENTS = "TaskEvents"  # Count; once with only `service` (all events), once more with `status`
NOTIFICATIONS = "NotificationsPublished"  # Count
# Count: published, but the event could not be marked SENT after retries; a duplicate delivery arriving
# after its claim expires would publish it again.
UNMARKED_NOTIFICATIONS = "UnmarkedNotifications"
DUPLICATE_EVENTS = "DuplicateEvents"  # Count
STALE_EVENTS = "StaleEvents"  # Count: late events recorded without moving the latest state
ENRICHMENT_ERRORS = "EnrichmentErrors"  # Count
UNKNOWN_STATUS_EVENTS = "UnknownStatusEvents"  # Count
INVALID_EVENTS = "InvalidEvents"  # Count: rejected before any call or write (sent to the dead-letter queue)
# Count: AWS refused one of the event's requests for itself (validation, size, a bad parameter), so it
# was sent to the dead-letter queue at once rather than retried
REFUSED_EVENTS = "RefusedEvents"
FAILED_EVENTS = "FailedEvents"  # Count: left on the queue for a redelivery (an error, or no time left)
JOB_EVENTS = "JobEvents"  # Count; once with only `service`, once more with `status`
DEVICE_EVENTS = "DeviceEvents"  # Count; once with only `service`, once more with `status` (ONLINE, OFFLINE, ...)
API_CALLS = "ApiCallsJoined"  # Count; extra dimension: `call` (CreateQuantumTask, CreateJob, ...)
# Count: CloudTrail calls with nothing to join (the call failed, so no task or job was created or cancelled)
UNJOINED_API_CALLS = "ApiCallsNotJoined"
# Count: calls kept in their target's history but never joined, because their arrival cannot vouch for
# them (a direct invocation, another queue, a replayed file); extra dimension: arrival (its `via`).
# Expected to stay at zero: a rise is someone invoking the function by hand, or a forgery.
KEPT_UNJOINED_API_CALLS = "ApiCallsKeptUnjoined"
DEVICE_NOTIFICATIONS = "DeviceAvailabilityNotifications"  # Count: a device with tasks waiting went offline/online
QUEUE_WAIT_SECONDS = "QueueWaitSeconds"  # Seconds; extra dimension: device ("<provider>/<name>")
# Count of optional detail fields dropped for an unexpected type or form (the record's ignoredFields);
# extra dimension: kind (job, device). Events of unpublished shape: a rise means the shape changed.
IGNORED_EVENT_FIELDS = "IgnoredEventFields"
# Count: the stored price table (pk PRICES) was absent or unreadable when read, so the shipped one (or
# the one read earlier) priced instead (adapters/price_tables.py).
PRICE_TABLE_FALLBACKS = "PriceTableFallbacks"
# Count, by the price refresh: Price List products skipped (unreadable, unknown device or unit); a rise
# means the Price List's shape or Braket's devices changed (docs/prices.md).
PRICE_LIST_SKIPPED_PRODUCTS = "PriceListSkippedProducts"
# Budgets (only when cdk.json declares some): month totals changed by a task's difference; threshold
# crossings announced; tasks newly counted in a budget with an unknown price (they add nothing).
BUDGET_UPDATES = "BudgetUpdates"  # Count
BUDGET_THRESHOLDS_CROSSED = "BudgetThresholdsCrossed"  # Count
UNPRICED_TASKS_IN_BUDGETS = "UnpricedTasksInBudgets"  # Count
SPENDING_LIMIT_EVENTS = "SpendingLimitEvents"  # Count; once with only `service`, once more with `status`
# Count: spending-limit threshold notifications published (one per newly crossed highest threshold)
SPENDING_THRESHOLDS_CROSSED = "SpendingThresholdsCrossed"
# Count: CreateQuantumTask calls a spending limit refused (recorded and announced; see docs/kinds/spending-limits.md)
REFUSED_TASKS = "RefusedTasks"
# None (USD): each ended task's estimatedCost.amountUsd, once at its ending event; two documents, one by
# `device` ("<provider>/<name>") and one by `creator` (the IAM principal, roles not sessions; "unknown"
# until CloudTrail's call is joined). See docs/costs.md for the cardinality this allows.
ESTIMATED_SPEND = "EstimatedSpendUsd"
# Count: ended tasks whose device or price is not in the price table (estimatedCost without amountUsd)
UNPRICED_TASKS = "UnpricedTasks"

STATUS_DIMENSION = "status"
DEVICE_DIMENSION = "device"
CALL_DIMENSION = "call"
KIND_DIMENSION = "kind"
ARRIVAL_DIMENSION = "arrival"
CREATOR_DIMENSION = "creator"
