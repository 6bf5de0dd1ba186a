"""The closed vocabularies of a scenario and the words users write for them.

Each enumeration maps the contract's English value to the Chinese words a user
of Chinese Excel would type instead (密级 绝密/机密/秘密/内部, 会议类型 全体会议 …).
Both are accepted on input; the English value is what the code and the plan use.
"""

from __future__ import annotations

# value -> (Chinese display name, English display name, other accepted spellings)
LEVELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "top_secret": ("绝密", "top secret", ("绝密级", "top secret", "topsecret")),
    "secret": ("机密", "secret", ("机密级",)),
    "confidential": ("秘密", "confidential", ("秘密级",)),
    "internal": ("内部", "internal", ("内部资料", "非密", "公开")),
}

KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "plenary": ("全体会议", "plenary", ("大会", "全体大会", "开幕大会", "闭幕大会", "预备会议")),
    "presidium": ("主席团会议", "presidium", ("主席团", "主席团常务委员会会议", "常委会议")),
    "delegation": ("代表团会议", "delegation meeting", ("代表团全体会议", "代表团")),
    "group": ("小组讨论", "group discussion", ("小组会议", "分组讨论", "小组")),
    "election": ("选举大会", "election", ("选举", "选举会议", "预选")),
    "briefing": ("情况通报会", "briefing", ("通报会", "新闻发布会", "吹风会", "情况通报")),
    "adhoc": ("临时会议", "ad-hoc session", ("临时性会议", "临时", "ad-hoc", "ad_hoc")),
}

SIGNALS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "normal": ("正常", "normal", ("一般", "普通")),
    "strong": ("信号较强", "strong", ("强", "较强", "信号强")),
    "booster": ("附近有信号放大器", "booster nearby", ("放大器", "信号放大器", "有放大器")),
}

ITEM_TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "jammer": ("信号干扰器", "jammer", ("干扰器", "信号干扰设备", "手机信号干扰器")),
    "cabinet_unit": ("手机屏蔽柜", "cabinet unit", ("屏蔽柜", "手机屏蔽柜节", "cabinet")),
    "shred_bag_set": ("文件销毁袋", "shred-bag set", ("销毁袋", "文件销毁袋套", "bag")),
}

STATUSES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ok": ("正常", "ok", ("完好", "可用", "良好")),
    "maintenance": ("维修", "maintenance", ("维护", "检修", "故障", "维修中")),
}

ROLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "lead": ("组长", "lead", ("负责人", "带班", "领队")),
    "tech": ("技术", "technician", ("技术员", "技术人员", "technician")),
    "patrol": ("巡查", "patrol", ("巡查员", "巡查人员")),
}

EVENT_TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "adhoc_session": ("临时增加会议", "ad-hoc session", ()),
    "cancel_session": ("会议取消", "session cancelled", ()),
    "extend_session": ("会议延长", "session runs over", ()),
    "unit_failed": ("设备故障", "unit failed", ()),
    "unit_restored": ("设备恢复", "unit restored", ()),
    "staff_unavailable": ("人员不在岗", "person unavailable", ()),
    "booster_found": ("发现信号放大器", "booster found", ()),
    "unit_deployed": ("设备布设", "unit set up", ()),
    "patrol_done": ("巡查完成", "patrol done", ()),
    "sweep_done": ("会前检测完成", "sweep done", ()),
    "cleanup_done": ("休会清理完成", "clean-up done", ()),
    "bag_weighed": ("销毁袋称重", "bag weighed", ()),
    "document_found": ("发现遗失文件", "document found", ()),
    "destroyed": ("监督销毁", "destroyed", ()),
    "void": ("作废记录", "void", ("作废",)),
}

TASKS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "sweep": ("会前检测", "sweep", ()),
    "patrol": ("巡查", "patrol", ()),
    "cleanup": ("休会清理", "clean-up", ()),
    "collect": ("收取销毁袋", "bag collection", ()),
    "move": ("搬运设备", "unit move", ()),
    "away": ("不在岗", "off duty", ()),
}

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "能", "可以", "√", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "不能", "没有", "×", "f", ""}

LEVEL_ORDER = ["top_secret", "secret", "confidential", "internal"]


def lookup(vocabulary: dict[str, tuple[str, str, tuple[str, ...]]], word: str) -> str | None:
    """Return the contract value for what a user wrote, or None if it is not a known word."""
    w = word.strip()
    low = w.lower().replace("-", "_") if w.isascii() else w
    for value, (zh, en, others) in vocabulary.items():
        if low == value or w == zh or w.lower() == en.lower() or w in others or low in others:
            return value
    return None


def choices(vocabulary: dict[str, tuple[str, str, tuple[str, ...]]]) -> str:
    """The accepted values as a user reads them, e.g. ``top_secret (绝密), secret (机密)``."""
    return ", ".join(f"{value} ({zh})" for value, (zh, _en, _o) in vocabulary.items())


def display(vocabulary: dict[str, tuple[str, str, tuple[str, ...]]], value: str, lang: str) -> str:
    """The name of a value in the user's language."""
    zh, en, _ = vocabulary[value]
    return zh if lang == "zh" else en
