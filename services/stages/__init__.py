"""The loop's stage use cases, one module per stage or step: plan, initiation, inspection, publication, diagnosis, follow-up, review."""
