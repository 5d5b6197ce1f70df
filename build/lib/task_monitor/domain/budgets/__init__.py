"""Budgets by creator, tag or device per calendar month (UTC): the pure rules, the model and the step.

Only imported when budgets are configured (``wiring.build_budgets``): no cold-start cost otherwise.
"""
