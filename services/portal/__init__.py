"""The enterprise's side (企业端): login by USCC and a one-time code, its own records, and the outbox."""
