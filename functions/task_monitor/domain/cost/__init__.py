"""What Braket tasks and jobs cost: the price table, its rules, and reading the AWS Price List."""
