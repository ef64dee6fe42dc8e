"""What supervisors watch: the dashboard of live campaigns against their stage SLAs."""
