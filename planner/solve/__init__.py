"""Making a plan: :func:`planner.solve.orchestrate.make_plan` runs the equipment model
(:mod:`.equipment`), names the units (:mod:`.units`), solves the staff model day by day
(:mod:`.staff`), and keeps the greedy baseline (:mod:`.greedy`) where it does better;
:mod:`.explain` says why a session is short, :mod:`.budget` how long a solver may work."""
