"""`make bench`: task cost vs campaign size, bare engine cost, end-to-end simulation, draw algorithm."""
