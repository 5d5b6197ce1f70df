"""What Braket tasks and jobs cost: the price table (data), the rules that apply it (pure), and reading the AWS
Price List."""
