"""Staff rota engine (issue 17): who works which shift over the coming weeks.

``benchmark`` reads, solves and independently scores the Employee Shift Scheduling Benchmark
(Curtois & Qu) that measures the CP-SAT core; the rest plans hjemme's own teams under Norwegian
working-time rules. Like every engine it is pure: no database, settings or wall clock.
"""
