"""The function's environment as the benchmarks set it: fake credentials, the settings Lambda would give it."""

FUNCTION_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_NAME": "braket-task-monitor",
    "AUDIT_TABLE_NAME": "braket-task-audit",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:braket-task-notifications",
    "POWERTOOLS_SERVICE_NAME": "braket-task-monitor",
    "POWERTOOLS_METRICS_NAMESPACE": "BraketTaskMonitor",
}
