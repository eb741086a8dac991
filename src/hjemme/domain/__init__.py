"""The pure typed model of hjemme: no I/O, stdlib only."""
