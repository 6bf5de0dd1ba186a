"""The event log: one class per event type (:mod:`.types`), the log read and checked at
the door (:mod:`.log`), and the congress as the log leaves it (:mod:`.apply`)."""
