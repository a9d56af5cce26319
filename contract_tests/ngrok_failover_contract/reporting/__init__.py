"""What a run tells: findings from failures, the summary, coverage, curl commands, redaction."""
