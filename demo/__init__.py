"""Demo data and whole-campaign simulation: built on the services, used by the CLI, the tests and the bench."""
