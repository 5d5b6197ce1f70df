"""What a task or a hybrid job costs: the price table (data) and the rules that apply it (pure)."""
