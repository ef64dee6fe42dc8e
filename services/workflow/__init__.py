"""The workflow platform: instances, human tasks, assignment, deployments, timers, escalations, the calendar and the clock."""
