"""The only package that imports SpiffWorkflow."""
