"""The command line, ``python -m planner``: a thin shell over the library
(:mod:`.main`), and what ``validate`` tells a user (:mod:`.validate`)."""
