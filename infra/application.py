"""Builds the whole app from its context: used by ``app.py`` and by the tests, so both check one thing."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Tags

from infra.config import MonitorConfig, load_config
from infra.nag import register_rule_packs
from infra.stacks import MAIN_STACK_NAME, ForwarderStack, MonitorStack, forwarder_stack_name


@dataclass(frozen=True)
class MonitorApp:
    config: MonitorConfig
    main: MonitorStack
    forwarders: dict[str, ForwarderStack]


def build(app: App) -> MonitorApp:
    config = load_config(app.node.try_get_context)
    register_rule_packs(app)
    main = MonitorStack(app, MAIN_STACK_NAME, config=config)
    forwarders = {}
    for region in config.forwarded_regions:
        forwarder = ForwarderStack(app, forwarder_stack_name(region), region=region, config=config)
        # Deploy the receiving rule before the senders (`cdk deploy --all` orders by this).
        forwarder.add_stack_dependency(main)
        forwarders[region] = forwarder
    Tags.of(app).add("application", "braket-task-monitor")
    return MonitorApp(config=config, main=main, forwarders=forwarders)
