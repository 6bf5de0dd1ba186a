"""The congress while it runs: the store (scenarios, plan versions, the hash-chained event
log), its signed checkpoints, and re-planning after logged events."""
