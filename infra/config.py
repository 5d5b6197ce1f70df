"""The deployment's settings, read from the CDK context (``cdk.json`` or ``cdk synth -c key=value``).

Every setting has a default (written out in ``cdk.json``) and is checked here before any construct is
built, so a bad value stops ``cdk synth`` with one message that names the key, the value and what is
allowed, instead of a CloudFormation failure halfway through a deployment.

Values given with ``-c`` on the command line arrive as strings; list settings accept a JSON list or a
comma-separated string there, number settings a numeric string.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import botocore
import botocore.session

from task_monitor.audit_schema import FINAL_MIGRATION_STEP
from task_monitor.domain.arns import BRAKET_REGIONS, parse_device_arn
from task_monitor.domain.budgets.model import Budget, BudgetConfigError, parse_budgets
from task_monitor.domain.cost.price_table import InvalidPriceTable, parse_entries
from task_monitor.domain.retention import DEFAULT_CALLER_DETAILS_DAYS, DEFAULT_HISTORY_DAYS, MAX_RETENTION_DAYS
from task_monitor.domain.status import DEFAULT_NOTIFY_STATUSES, STATUS_RANK

# By default every region Braket runs in: each needs a rule (the main stack's or a forwarder's).
DEFAULT_BRAKET_REGIONS = BRAKET_REGIONS
DEFAULT_MAIN_REGION = "us-east-1"
DEFAULT_LOG_RETENTION_DAYS = 90
# The event source mapping's MaximumConcurrency: how many invocations may drain the queue at once,
# without reserving any of the account's concurrency (a reservation fails the deploy on accounts whose
# quota is under 100 plus the reservation). Each invocation works through its batch one event at a
# time, one GetQuantumTask per event (~0.1-0.2 s each), so one busy invocation issues 5-10 calls/s;
# 5 of them stay near 25-50 calls/s while a burst drains: at most half of the 100 requests/s quota
# (burst 500) per account and region, the rest left to the users' own SDK calls. AWS allows 2..1000.
# See infra/constructs/processing.py.
DEFAULT_MAX_CONCURRENCY = 5
MIN_MAX_CONCURRENCY = 2
MAX_MAX_CONCURRENCY = 1000

# Statuses in lifecycle order (for messages and the dashboard).
STATUSES: tuple[str, ...] = tuple(STATUS_RANK)

# Retention periods CloudWatch Logs accepts (PutRetentionPolicy).
LOG_RETENTION_DAYS_ALLOWED = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

TABLE_REMOVAL_POLICIES = ("retain", "destroy")

# The optional CloudTrail trail (infra/constructs/trail.py): off by default, because "AWS API Call via
# CloudTrail" events need only *some* trail logging management write events in each Braket region, and
# most accounts already have one (an organization or account trail); a second copy costs money.
DEFAULT_CREATE_TRAIL = False
# Days the trail's log files are kept in its bucket (an S3 lifecycle expiration).
DEFAULT_TRAIL_RETENTION_DAYS = 90
MIN_TRAIL_RETENTION_DAYS = 1
MAX_TRAIL_RETENTION_DAYS = 3653  # ten years, CloudWatch Logs' longest retention too

# The price refresh (infra/constructs/price_refresh.py): an EventBridge schedule expression, weekly by
# default; "off" (or false) deploys no refresh at all (the function then prices with the shipped table).
# Not null: CDK drops null context values, so a null reads as "not set", the default.
DEFAULT_PRICE_REFRESH_SCHEDULE = "rate(7 days)"
PRICE_REFRESH_OFF = "off"
# At most hourly: the Price List changes a few times a year, and each run reads every Braket product.
_RATE = re.compile(r"^rate\((?P<value>[1-9]\d*) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")

# SNS limits a subscription filter policy to 150 value combinations across its attributes.
MAX_FILTER_COMBINATIONS = 150

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$")
_EMAIL = re.compile(r"^[^@\s\"'<>,;]+@[^@\s\"'<>,;]+\.[A-Za-z]{2,}$")
_TAG_PART = re.compile(r"^[^=,]{1,256}$")
_EMAIL_KEYS = frozenset({"address", "statuses", "devices", "providers", "tags"})

KNOWN_KEYS = (
    "mainRegion",
    "braketRegions",
    "notifyStatuses",
    "notificationEmails",
    "alarmEmail",
    "logRetentionDays",
    "tableRemovalPolicy",
    "maxConcurrency",
    "createTrail",
    "trailRetentionDays",
    "redrivePrincipals",
    "historyRetentionDays",
    "callerDetailsRetentionDays",
    "notifyCallerDetails",
    "priceRefreshSchedule",
    "budgets",
    "spendingLimits",
    "spendingLimitThresholds",
    "prices",
    "simulatorExactDuration",
    "auditIndexMigrationStep",
)
# Lambda allows 4 KB of environment variables in all; the price overrides travel as one of them.
MAX_PRICE_OVERRIDES_CHARACTERS = 2500
# An IAM role's ARN (a path is allowed): the principals that may move dead letters back to the events queue.
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


class ConfigError(ValueError):
    """A context value that cannot be deployed; the message names the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"cdk.json context '{key}': {problem}")
        self.key = key


@dataclass(frozen=True)
class EmailSubscription:
    """An address that receives notifications, optionally only those matching every given filter.

    Within one filter the values are alternatives (any listed status, any listed device, any listed
    tag); across filters all must match. An empty filter does not restrict.
    """

    address: str
    statuses: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def filter_policy_values(self) -> dict[str, list[str]]:
        """The SNS message attributes to filter on, with their allowed values (empty: no filter)."""
        policy: dict[str, list[str]] = {}
        if self.statuses:
            policy["status"] = list(self.statuses)
        if self.devices:
            policy["deviceArn"] = list(self.devices)
        if self.providers:
            policy["provider"] = list(self.providers)
        if self.tags:
            policy["tags"] = [f"{key}={value}" for key, value in self.tags]
        return policy


@dataclass(frozen=True)
class SpendingLimitSetting:
    """One ``AWS::Braket::SpendingLimit`` to create: a QPU, an amount in USD (a decimal string) and an
    optional time window (ISO-8601 instants, as CloudFormation takes them)."""

    device_arn: str
    amount_usd: str
    region: str
    start_at: str | None = None
    end_at: str | None = None


DEFAULT_SPENDING_LIMIT_THRESHOLDS = (50, 80, 100)
_SPENDING_LIMIT_KEYS = frozenset({"deviceArn", "amountUsd", "timeWindow"})
_AMOUNT_USD = re.compile(r"^\d{1,12}(?:\.\d{1,2})?$")


@dataclass(frozen=True)
class MonitorConfig:
    main_region: str = DEFAULT_MAIN_REGION
    braket_regions: tuple[str, ...] = DEFAULT_BRAKET_REGIONS
    notify_statuses: tuple[str, ...] = DEFAULT_NOTIFY_STATUSES
    notification_emails: tuple[EmailSubscription, ...] = ()
    alarm_email: str | None = None
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    table_removal_policy: str = "retain"
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    create_trail: bool = DEFAULT_CREATE_TRAIL
    trail_retention_days: int = DEFAULT_TRAIL_RETENTION_DAYS
    redrive_principals: tuple[str, ...] = ()
    # How long the audit table keeps history and callers' details (domain/retention.py); None keeps it.
    history_retention_days: int | None = DEFAULT_HISTORY_DAYS
    caller_details_retention_days: int | None = DEFAULT_CALLER_DETAILS_DAYS
    # Whether notifications name callers in full (session, user, source IP, user agent) or by principal.
    notify_caller_details: bool = False
    # The price refresh's schedule expression, or None: no refresh function, no rule.
    price_refresh_schedule: str | None = DEFAULT_PRICE_REFRESH_SCHEDULE
    # Monthly budgets by creator, tag or device (docs/budgets.md); passed to the function as BUDGETS.
    budgets: tuple[Budget, ...] = ()
    spending_limits: tuple[SpendingLimitSetting, ...] = ()
    spending_limit_thresholds: tuple[int, ...] = DEFAULT_SPENDING_LIMIT_THRESHOLDS
    # cdk.json's ``prices`` (price table entries overriding or adding to the shipped table), as compact
    # JSON for the function's PRICE_OVERRIDES; empty when there are none.
    price_overrides: str = ""
    # Read simulators' executionDuration from their result objects (S3 read access to the results).
    simulator_exact_duration: bool = False
    # Which step of the audit table's index migration to deploy (task_monitor.audit_schema.MIGRATION_STEPS;
    # docs/table-design.md): a stack deployed before issue 15 goes 1, 2, ... one deploy each; the default
    # is the final schema (a new stack, or one migrated).
    audit_index_migration_step: int = FINAL_MIGRATION_STEP
    # Regions whose events reach the main region through a forwarder stack.
    forwarded_regions: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        forwarded = tuple(region for region in self.braket_regions if region != self.main_region)
        object.__setattr__(self, "forwarded_regions", forwarded)

    @property
    def retain_table(self) -> bool:
        return self.table_removal_policy == "retain"


def load_config(get: Callable[[str], Any] | Mapping[str, Any]) -> MonitorConfig:
    """Read and check every setting; ``get`` is the app's whole context (``app.node.get_all_context()``),
    or a lookup function. Given the whole context, a key that is not a setting is an error: a typo
    such as ``alarmEmails`` would otherwise be ignored without a word."""
    lookup = get.get if isinstance(get, Mapping) else get
    if isinstance(get, Mapping):
        _reject_unknown_keys(get)

    main_region = _region("mainRegion", _value(lookup, "mainRegion", DEFAULT_MAIN_REGION))
    braket_regions = _regions(_value(lookup, "braketRegions", list(DEFAULT_BRAKET_REGIONS)), main_region)
    notify_statuses = _statuses("notifyStatuses", _value(lookup, "notifyStatuses", list(DEFAULT_NOTIFY_STATUSES)))
    emails = _emails(_value(lookup, "notificationEmails", []), notify_statuses)
    alarm_email = _optional_email("alarmEmail", _value(lookup, "alarmEmail", None))
    retention = _retention(_value(lookup, "logRetentionDays", DEFAULT_LOG_RETENTION_DAYS))
    removal = _removal_policy(_value(lookup, "tableRemovalPolicy", "retain"))
    concurrency = _max_concurrency(_value(lookup, "maxConcurrency", DEFAULT_MAX_CONCURRENCY))
    create_trail = _boolean("createTrail", _value(lookup, "createTrail", DEFAULT_CREATE_TRAIL))
    trail_retention = _trail_retention(_value(lookup, "trailRetentionDays", DEFAULT_TRAIL_RETENTION_DAYS))
    redrivers = _redrive_principals(_value(lookup, "redrivePrincipals", []))
    history_days = _item_retention("historyRetentionDays", _value(lookup, "historyRetentionDays", DEFAULT_HISTORY_DAYS))
    caller_days = _item_retention(
        "callerDetailsRetentionDays", _value(lookup, "callerDetailsRetentionDays", DEFAULT_CALLER_DETAILS_DAYS)
    )
    if caller_days is None and history_days is not None:
        raise ConfigError(
            "callerDetailsRetentionDays",
            "0 (kept until deleted) would keep callers' details longer than the history they belong to "
            f"({history_days} days); give a number of days up to historyRetentionDays",
        )
    if caller_days is not None and history_days is not None and caller_days > history_days:
        raise ConfigError(
            "callerDetailsRetentionDays",
            f"{caller_days} days is longer than historyRetentionDays ({history_days}); callers' details are "
            "kept at most as long as the history",
        )
    caller_details = _boolean("notifyCallerDetails", _value(lookup, "notifyCallerDetails", False))
    refresh_schedule = _price_refresh_schedule(_value(lookup, "priceRefreshSchedule", DEFAULT_PRICE_REFRESH_SCHEDULE))
    budgets = _budgets(_value(lookup, "budgets", []))
    limits = _spending_limits(_value(lookup, "spendingLimits", []), braket_regions)
    thresholds = _thresholds(_value(lookup, "spendingLimitThresholds", list(DEFAULT_SPENDING_LIMIT_THRESHOLDS)))
    price_overrides = _price_overrides(_value(lookup, "prices", []))
    simulator_exact = _boolean("simulatorExactDuration", _value(lookup, "simulatorExactDuration", False))
    index_step = _integer("auditIndexMigrationStep", _value(lookup, "auditIndexMigrationStep", FINAL_MIGRATION_STEP))
    if not 1 <= index_step <= FINAL_MIGRATION_STEP:
        raise ConfigError(
            "auditIndexMigrationStep",
            f"{index_step} is not a step: deploy 1, 2, ... {FINAL_MIGRATION_STEP} in turn (docs/table-design.md)",
        )
    return MonitorConfig(
        main_region=main_region,
        braket_regions=braket_regions,
        notify_statuses=notify_statuses,
        notification_emails=emails,
        alarm_email=alarm_email,
        log_retention_days=retention,
        table_removal_policy=removal,
        max_concurrency=concurrency,
        create_trail=create_trail,
        trail_retention_days=trail_retention,
        redrive_principals=redrivers,
        history_retention_days=history_days,
        caller_details_retention_days=caller_days,
        notify_caller_details=caller_details,
        price_refresh_schedule=refresh_schedule,
        budgets=budgets,
        spending_limits=limits,
        spending_limit_thresholds=thresholds,
        price_overrides=price_overrides,
        simulator_exact_duration=simulator_exact,
        audit_index_migration_step=index_step,
    )


def _budgets(value: Any) -> tuple[Budget, ...]:
    """The budgets, checked by the function's own parser so both refuse the same values alike."""
    try:
        return parse_budgets(value)
    except BudgetConfigError as error:
        raise ConfigError("budgets", str(error)) from None


# Settings are camelCase words; CDK's own context keys carry ":", "/", "@" or "-" and are left alone.
_SETTING_SHAPED = re.compile(r"^[a-z][A-Za-z0-9]*$")


def _reject_unknown_keys(context: Mapping[str, Any]) -> None:
    for key in context:
        if _SETTING_SHAPED.match(key) and key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(key, f"is not a setting; {hint}settings are {', '.join(KNOWN_KEYS)}")


def _value(lookup: Callable[[str], Any], key: str, default: Any) -> Any:
    value = lookup(key)
    return default if value is None else value


def _list(key: str, value: Any) -> list[Any]:
    """A JSON list, or (from ``-c``) a JSON list or comma-separated string."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                raise ConfigError(key, f"{value!r} is not a valid JSON list ({error.msg})") from None
        else:
            return [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list):
        raise ConfigError(key, f"expected a list, got {type(value).__name__} {value!r}")
    return value


@functools.cache
def _region_partitions() -> dict[str, str]:
    """Every region botocore's installed endpoint data knows, with its partition (``aws``, ``aws-cn``...).

    Both of botocore's data files are read (``endpoints`` for the classic resolver, ``partitions`` for
    the endpoint rules); pseudo-regions such as ``aws-global`` are left out by the name's shape.
    """
    loader = botocore.session.get_session().get_component("data_loader")
    regions = {}
    for partition in loader.load_data("endpoints")["partitions"]:
        regions.update(dict.fromkeys(partition["regions"], partition["partition"]))
    for partition in loader.load_data("partitions")["partitions"]:
        regions.update(dict.fromkeys(partition.get("regions", {}), partition["id"]))
    return {region: partition for region, partition in regions.items() if _REGION.match(region)}


@functools.cache
def _braket_regions() -> tuple[str, ...]:
    """Regions where botocore's endpoint data has an Amazon Braket endpoint."""
    session = botocore.session.get_session()
    return tuple(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("braket", partition_name=partition)
    )


def _region(key: str, value: Any, *, suggest_from: Iterable[str] | None = None) -> str:
    """A region AWS has (per the installed botocore's data), or a ConfigError with the nearest name."""
    if not isinstance(value, str) or not _REGION.match(value):
        raise ConfigError(key, f"{value!r} is not an AWS region name such as us-east-1")
    known = _region_partitions()
    if value not in known:
        close = difflib.get_close_matches(value, list(known if suggest_from is None else suggest_from), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(key, f"{value!r} is not an AWS region (botocore {botocore.__version__}'s data){hint}")
    return value


def _braket_region(key: str, value: Any) -> str:
    """A region with an Amazon Braket endpoint: elsewhere Braket sends no events, so a forwarder there
    would watch nothing. botocore's endpoint data lists Braket's regions; a region Braket joined after
    the installed botocore was released needs a newer botocore."""
    braket = _braket_regions()
    region = _region(key, value, suggest_from=braket)
    if region not in braket:
        raise ConfigError(
            key,
            f"Amazon Braket has no endpoint in {region}, so there are no task events to watch there; Braket's "
            f"regions are {', '.join(braket)} (botocore {botocore.__version__}'s data: upgrade botocore if "
            "Braket has launched there since)",
        )
    return region


def _regions(value: Any, main_region: str) -> tuple[str, ...]:
    key = "braketRegions"
    regions = [_braket_region(f"{key}[{i}]", region) for i, region in enumerate(_list(key, value))]
    if not regions:
        raise ConfigError(key, "needs at least one region; Braket's are " + ", ".join(_braket_regions()))
    duplicates = sorted({region for region in regions if regions.count(region) > 1})
    if duplicates:
        raise ConfigError(key, f"lists {', '.join(duplicates)} more than once")
    partitions = _region_partitions()
    for i, region in enumerate(regions):
        # EventBridge forwards between regions of one partition only (aws, aws-cn, aws-us-gov...).
        if partitions[region] != partitions[main_region]:
            raise ConfigError(
                f"{key}[{i}]",
                f"{region} is in partition {partitions[region]} but mainRegion {main_region} is in "
                f"{partitions[main_region]}; events cannot be forwarded between partitions",
            )
    return tuple(regions)


def _statuses(key: str, value: Any) -> tuple[str, ...]:
    statuses = []
    for i, status in enumerate(_list(key, value)):
        if not isinstance(status, str) or status.upper() not in STATUS_RANK:
            raise ConfigError(f"{key}[{i}]", f"{status!r} is not a task status; choose from {', '.join(STATUSES)}")
        if status.upper() not in statuses:
            statuses.append(status.upper())
    return tuple(statuses)


def _email(key: str, value: Any) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise ConfigError(key, f"{value!r} is not an email address")
    return value.strip()


def _optional_email(key: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    return _email(key, value)


def _emails(value: Any, notify_statuses: tuple[str, ...]) -> tuple[EmailSubscription, ...]:
    key = "notificationEmails"
    subscriptions = []
    for i, entry in enumerate(_list(key, value)):
        entry_key = f"{key}[{i}]"
        if isinstance(entry, str):
            subscriptions.append(EmailSubscription(address=_email(entry_key, entry)))
            continue
        if not isinstance(entry, dict):
            raise ConfigError(entry_key, f"expected an address or an object with 'address', got {entry!r}")
        unknown = sorted(set(entry) - _EMAIL_KEYS)
        if unknown:
            raise ConfigError(f"{entry_key}.{unknown[0]}", f"unknown field; allowed: {', '.join(sorted(_EMAIL_KEYS))}")
        if "address" not in entry:
            raise ConfigError(f"{entry_key}.address", "is required")
        subscription = EmailSubscription(
            address=_email(f"{entry_key}.address", entry["address"]),
            statuses=_filter_statuses(f"{entry_key}.statuses", entry.get("statuses"), notify_statuses),
            devices=_filter_devices(f"{entry_key}.devices", entry.get("devices")),
            providers=_filter_strings(f"{entry_key}.providers", entry.get("providers")),
            tags=_filter_tags(f"{entry_key}.tags", entry.get("tags")),
        )
        combinations = 1
        for values in subscription.filter_policy_values().values():
            combinations *= len(values)
        if combinations > MAX_FILTER_COMBINATIONS:
            raise ConfigError(
                entry_key,
                f"its filters make {combinations} value combinations; SNS allows at most "
                f"{MAX_FILTER_COMBINATIONS} (the product of the numbers of statuses, devices, providers and tags)",
            )
        subscriptions.append(subscription)
    return tuple(subscriptions)


def _filter_strings(key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    values = _list(key, value)
    for item in values:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(key, f"{item!r} is not a non-empty string")
    return tuple(dict.fromkeys(item.strip() for item in values))


def _filter_statuses(key: str, value: Any, notify_statuses: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    statuses = _statuses(key, value)
    never = [status for status in statuses if status not in notify_statuses]
    if never:
        raise ConfigError(
            key,
            f"{', '.join(never)} is not in notifyStatuses ({', '.join(notify_statuses) or 'empty'}), "
            "so no notification would ever match",
        )
    return statuses


def _filter_devices(key: str, value: Any) -> tuple[str, ...]:
    devices = _filter_strings(key, value)
    for device in devices:
        if parse_device_arn(device) is None:
            raise ConfigError(
                key,
                f"{device!r} is not a Braket device ARN such as arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
            )
    return devices


def _filter_tags(key: str, value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(key, f'expected an object of tag names to values such as {{"project": "vqe"}}, got {value!r}')
    tags = []
    for name, tag_value in value.items():
        if not isinstance(tag_value, str) or not _TAG_PART.match(name) or not _TAG_PART.match(tag_value):
            raise ConfigError(
                f"{key}.{name}", f"tag {name!r}={tag_value!r} needs a string name and value without '=' or ','"
            )
        tags.append((name, tag_value))
    return tuple(tags)


def _retention(value: Any) -> int:
    key = "logRetentionDays"
    days = _integer(key, value)
    if days not in LOG_RETENTION_DAYS_ALLOWED:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS_ALLOWED)
        raise ConfigError(key, f"{value!r} is not a retention CloudWatch Logs accepts; choose one of {allowed}")
    return days


def _removal_policy(value: Any) -> str:
    key = "tableRemovalPolicy"
    if not isinstance(value, str) or value.lower() not in TABLE_REMOVAL_POLICIES:
        raise ConfigError(key, f"{value!r} is not allowed; choose {' or '.join(TABLE_REMOVAL_POLICIES)}")
    return value.lower()


def _max_concurrency(value: Any) -> int:
    key = "maxConcurrency"
    number = _integer(key, value)
    if not MIN_MAX_CONCURRENCY <= number <= MAX_MAX_CONCURRENCY:
        raise ConfigError(
            key,
            f"{value!r} is out of range; the event source mapping allows {MIN_MAX_CONCURRENCY}..{MAX_MAX_CONCURRENCY} "
            f"(default {DEFAULT_MAX_CONCURRENCY}: about half the GetQuantumTask quota of 100 requests/s at most)",
        )
    return number


def _boolean(key: str, value: Any) -> bool:
    """true or false (JSON), or from ``-c`` the strings "true" or "false" (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConfigError(key, f"{value!r} is not a boolean; write true or false (without quotes in cdk.json)")


def _trail_retention(value: Any) -> int:
    key = "trailRetentionDays"
    days = _integer(key, value)
    if not MIN_TRAIL_RETENTION_DAYS <= days <= MAX_TRAIL_RETENTION_DAYS:
        raise ConfigError(
            key,
            f"{value!r} is out of range; the trail's log files are kept {MIN_TRAIL_RETENTION_DAYS}.."
            f"{MAX_TRAIL_RETENTION_DAYS} days (default {DEFAULT_TRAIL_RETENTION_DAYS})",
        )
    return days


def _redrive_principals(value: Any) -> tuple[str, ...]:
    """IAM role ARNs, each once: who may send to the events and dead-letter queues besides EventBridge
    and the function (docs/trust-and-privacy.md, "Trust model")."""
    key = "redrivePrincipals"
    roles = _list(key, value)
    for role in roles:
        if not isinstance(role, str) or not _ROLE_ARN.fullmatch(role):
            raise ConfigError(
                key,
                f"{role!r} is not an IAM role ARN; write arn:aws:iam::<account>:role/<name> (a role, not a user "
                "or a session: the queue policies match a role's sessions by the role's ARN)",
            )
    if len(set(roles)) != len(roles):
        raise ConfigError(key, "lists a role twice; name each role once")
    return tuple(roles)


def _item_retention(key: str, value: Any) -> int | None:
    """Days the audit table keeps an item (DynamoDB time to live), or 0 for kept until deleted."""
    days = _integer(key, value)
    if days == 0:
        return None
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise ConfigError(
            key, f"{value!r} is out of range; give 1..{MAX_RETENTION_DAYS} days, or 0 to keep items until deleted"
        )
    return days


def _price_refresh_schedule(value: Any) -> str | None:
    """An EventBridge schedule expression (``rate(7 days)``, ``cron(0 3 ? * MON *)``), or "off" / false."""
    key = "priceRefreshSchedule"
    if value is False or (isinstance(value, str) and value.strip().lower() in (PRICE_REFRESH_OFF, "false")):
        return None
    hint = 'write "rate(7 days)", "cron(0 3 ? * MON *)" or "off"'
    if not isinstance(value, str):
        raise ConfigError(key, f"{value!r} is not a schedule expression; {hint}")
    text = value.strip()
    rate, cron = _RATE.match(text), _CRON.match(text)
    if rate:
        number, unit = int(rate["value"]), rate["unit"]
        if (number == 1) != (not unit.endswith("s")):
            raise ConfigError(key, f"{text!r}: EventBridge wants the singular unit for 1 and the plural otherwise")
        if unit.startswith("minute") and number < 60:
            raise ConfigError(key, f"{text!r} is more often than hourly; the Price List changes a few times a year")
        return text
    if cron and len(cron["fields"].split()) == 6:
        return text
    raise ConfigError(key, f"{value!r} is not an EventBridge schedule expression; {hint}")


def _spending_limits(value: Any, braket_regions: tuple[str, ...]) -> tuple[SpendingLimitSetting, ...]:
    """Each limit: a QPU in one of braketRegions (where the limit's events can be watched), an amount
    over 0, an optional window whose start is before its end; one limit per device (Braket's rule)."""
    key = "spendingLimits"
    limits = []
    for i, entry in enumerate(_list(key, value)):
        entry_key = f"{key}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(entry_key, f'expected {{"deviceArn": ..., "amountUsd": "100.00"}}, got {entry!r}')
        unknown = sorted(set(entry) - _SPENDING_LIMIT_KEYS)
        if unknown:
            raise ConfigError(
                f"{entry_key}.{unknown[0]}", f"unknown field; allowed: {', '.join(sorted(_SPENDING_LIMIT_KEYS))}"
            )
        device, region = _qpu(f"{entry_key}.deviceArn", entry.get("deviceArn"), braket_regions)
        start, end = _time_window(f"{entry_key}.timeWindow", entry.get("timeWindow"))
        limits.append(
            SpendingLimitSetting(
                device_arn=device,
                amount_usd=_amount_usd(f"{entry_key}.amountUsd", entry.get("amountUsd")),
                region=region,
                start_at=start,
                end_at=end,
            )
        )
    devices = [limit.device_arn for limit in limits]
    twice = sorted({device for device in devices if devices.count(device) > 1})
    if twice:
        raise ConfigError(key, f"{twice[0]} has more than one limit; Braket allows one spending limit per device")
    return tuple(limits)


def _qpu(key: str, value: Any, braket_regions: tuple[str, ...]) -> tuple[str, str]:
    device = parse_device_arn(value) if isinstance(value, str) else None
    if device is None or device.kind != "qpu" or device.region is None:
        raise ConfigError(
            key,
            f"{value!r} is not a QPU's device ARN such as arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1 "
            "(spending limits cover QPUs only: simulators are not limited)",
        )
    if device.region not in braket_regions:
        raise ConfigError(
            key,
            f"{value} is in {device.region}, which is not in braketRegions ({', '.join(braket_regions)}): "
            "its limit could be created but its spend events would not be watched; add the region",
        )
    return device.arn, device.region


def _amount_usd(key: str, value: Any) -> str:
    """A decimal string of dollars and cents over 0 (money never as a float)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _AMOUNT_USD.fullmatch(value.strip()):
        raise ConfigError(key, f'{value!r} is not an amount in USD; write a decimal string such as "100.00"')
    if Decimal(value) <= 0:
        raise ConfigError(key, f"{value!r} must be more than 0")
    return value.strip()


def _time_window(key: str, value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict) or set(value) != {"startAt", "endAt"}:
        raise ConfigError(key, f'expected {{"startAt": ISO-8601, "endAt": ISO-8601}}, got {value!r}')
    instants = {}
    for name in ("startAt", "endAt"):
        text = value[name]
        parsed = _instant(text)
        if parsed is None:
            raise ConfigError(
                f"{key}.{name}", f"{text!r} is not an ISO-8601 time with a zone, such as 2027-01-01T00:00:00Z"
            )
        instants[name] = parsed
    if instants["startAt"] >= instants["endAt"]:
        raise ConfigError(key, f"startAt {value['startAt']} is not before endAt {value['endAt']}")
    return value["startAt"], value["endAt"]


def _instant(text: Any) -> Any:
    from datetime import datetime

    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _thresholds(value: Any) -> tuple[int, ...]:
    """Whole percentages of a limit, 1..100, each once: when total spend reaches one it is announced."""
    key = "spendingLimitThresholds"
    values = _list(key, value)
    if not values:
        raise ConfigError(key, "needs at least one percentage (default 50, 80, 100)")
    thresholds = []
    for i, item in enumerate(values):
        number = _integer(f"{key}[{i}]", item)
        if not 1 <= number <= 100:
            raise ConfigError(f"{key}[{i}]", f"{item!r} is not a percentage of the limit from 1 to 100")
        thresholds.append(number)
    if len(set(thresholds)) != len(thresholds):
        raise ConfigError(key, "lists a percentage twice")
    return tuple(sorted(thresholds))


def _integer(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ConfigError(key, f"{value!r} is not a whole number")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ConfigError(key, f"{value!r} is not a whole number")


def _price_overrides(value: Any) -> str:
    """Price table entries (docs/costs.md), checked as the function will check them, as compact JSON."""
    entries = _list("prices", value)
    try:
        parse_entries(entries, "prices")
    except InvalidPriceTable as error:
        raise ConfigError("prices", str(error)) from error
    if not entries:
        return ""
    text = json.dumps(entries, separators=(",", ":"), sort_keys=True)
    if len(text) > MAX_PRICE_OVERRIDES_CHARACTERS:
        raise ConfigError(
            "prices",
            f"{len(text)} characters of JSON, more than the {MAX_PRICE_OVERRIDES_CHARACTERS} an environment "
            "variable can carry here (Lambda allows 4 KB in all): override fewer entries",
        )
    return text
