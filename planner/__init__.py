"""保密服务保障规划器: the secrecy-support operations planner (library)."""

__version__ = "0.1.0"
