"""Running a congress from the store, for the dashboard or any other front end: accounts
and roles (:mod:`.accounts`), and the commands and read models the pages call
(:mod:`.congress`)."""
