"""The Employee Shift Scheduling Benchmark (Curtois & Qu, instances 1–24) as a yardstick for the rota.

``instance`` reads the text format, ``model`` solves it with CP-SAT, ``evaluate`` scores a roster
with code of its own (its own reader too), ``roster_xml`` writes the benchmark's roster format and
``run`` is the loop behind ``hjemme bench rota``.
"""
