"""Pure domain rules with no I/O."""
