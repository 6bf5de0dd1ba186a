"""The congress as facts: the scenario (immutable), its rules and vocabularies, the road
network, what each session requires, the staff work it calls for, and the plan.

Nothing here reads or writes a file or runs a solver; every other package builds on
these types."""
