"""The supervisor's dashboard (督办看板): live campaigns against their stage SLAs."""
