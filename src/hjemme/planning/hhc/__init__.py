"""The home health care routing and scheduling benchmark (HHCRSP, issue 16).

- :mod:`.format` reads instances and reads/writes solutions in the format of the public
  ``iolab-uniud/hhcrsp`` repository (the Mankowska et al. 2014 instances and the extended variant
  of Ceschia et al. 2024);
- :mod:`.check` is the independent validator and scorer (it shares no code with the solver);
- :mod:`.schedule` keeps a solution's exact earliest schedule (the solver's state);
- :mod:`.solver` plans an instance (adaptive ruin-and-recreate search on those schedules);
- :mod:`.bench` runs ``hjemme bench hhc``.
"""
