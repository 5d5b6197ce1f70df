"""Builds the whole app from its context: used by ``app.py`` and by the tests, so both check one thing."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, BootstraplessSynthesizer, DefaultStackSynthesizer, IStackSynthesizer, Tags

from infra.config import MonitorConfig, load_config
from infra.nag import register_rule_packs
from infra.stacks import MAIN_STACK_NAME, ForwarderStack, MonitorStack, forwarder_stack_name


@dataclass(frozen=True)
class MonitorApp:
    config: MonitorConfig
    main: MonitorStack
    forwarders: dict[str, ForwarderStack]


def build(app: App) -> MonitorApp:
    config = load_config(app.node.get_all_context())
    register_rule_packs(app)
    main = MonitorStack(app, MAIN_STACK_NAME, config=config)
    forwarders = {}
    for region in config.forwarded_regions:
        forwarder = ForwarderStack(
            app,
            forwarder_stack_name(region),
            region=region,
            config=config,
            synthesizer=_deployed_with_main_region_roles(main),
        )
        # Deploy the receiving rule before the senders (`cdk deploy --all` orders by this).
        forwarder.add_stack_dependency(main)
        forwarders[region] = forwarder
    Tags.of(app).add("application", "braket-task-monitor")
    return MonitorApp(config=config, main=main, forwarders=forwarders)


def _deployed_with_main_region_roles(main: MonitorStack) -> IStackSynthesizer | None:
    """Forwarder stacks have no assets and small templates, so they can be deployed with the main
    region's CDK bootstrap roles (IAM roles are global), as CodePipeline does for its cross-region
    support stacks: only the main region needs `cdk bootstrap`, not every Braket region."""
    synthesizer = main.synthesizer
    if not isinstance(synthesizer, DefaultStackSynthesizer):
        return None
    return BootstraplessSynthesizer(
        deploy_role_arn=synthesizer.deploy_role_arn,
        cloud_formation_execution_role_arn=synthesizer.cloud_formation_execution_role_arn,
    )
