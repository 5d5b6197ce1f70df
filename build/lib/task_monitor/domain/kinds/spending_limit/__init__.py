"""The spending-limit kind: Braket's spend events, each limit's timeline and its threshold notifications."""
