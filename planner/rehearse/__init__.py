"""Rehearsal (推演): the disruption rates and their draws (:mod:`.disruptions`), the
replayed runs and the sizing of the stock (:mod:`.runs`), and what the runs say, as
tables and charts (:mod:`.results`)."""
