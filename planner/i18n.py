"""Chinese-first user text with an English switch.

The language is ``zh`` unless the user asks for ``en`` (``--lang en`` on the
command line, or ``PLANNER_LANG=en`` in the environment). Every user-facing
message lives in :data:`MESSAGES` under one key, in both languages.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # where a problem is
    "at_file": ("{file}", "{file}"),
    "at_row": ("{file} 第 {row} 行", "{file} row {row}"),
    "at_line": ("{file} 第 {row} 行", "{file} line {row}"),
    "at_column": ("，列 {column}", ", column {column}"),
    "more_problems": ("……另有 {n} 个问题未列出", "… and {n} more problems not listed"),
    "refused": (
        "发现 {n} 个问题，未写入任何内容：",
        "Found {n} problem{plural}; nothing was written:",
    ),
    "not_a_scenario": (
        "这不是场景：请给出一个文件夹（CSV 和 scenario.yaml）或一个 .xlsx 工作簿",
        "this is not a scenario: give a folder (CSV files and scenario.yaml) or an .xlsx workbook",
    ),
    # uploads, names and congresses (planner.io.uploads, planner.io.paths, operations)
    "upload_kind": ("只能导入 .xlsx 工作簿或 .zip 压缩的场景文件夹",
                    "only an .xlsx workbook or a .zip of a scenario folder can be imported"),
    "upload_too_large": ("文件过大（{size} 字节，最多 {limit} 字节）",
                         "the file is too large ({size} bytes, at most {limit})"),
    "bad_zip": ("不是有效的 .zip 文件", "not a valid .zip file"),
    "zip_unsafe_entry": ("压缩包中的 {entry} 指向压缩包以外或是链接，拒绝解压",
                         "{entry} in the archive points outside it or is a link; refused"),
    "zip_too_large": ("解压后超过 {limit} 字节，拒绝解压",
                      "unpacked it exceeds {limit} bytes; refused"),
    "zip_too_many": ("压缩包中的文件超过 {limit} 个", "the archive holds more than {limit} files"),
    "unsafe_name": ("名称 {value} 不可用：只能用字母、汉字、数字和 _ . -，以字母或数字开头，"
                    "最多 64 个字符",
                    "the name {value} cannot be used: letters, digits and _ . - only, "
                    "starting with a letter or digit, at most 64 characters"),
    "log_mismatch": ("已有名为 {name} 的大会，其事件日志的 {n} 条记录与此场景不符（见下）；"
                     "若是另一次大会，请在 scenario.yaml 中另取 name",
                     "a congress named {name} exists and {n} entries of its event log do not "
                     "fit this scenario (below); if this is another congress, give it another "
                     "name in scenario.yaml"),
    # files and tables
    "not_found": ("找不到方案：{path}", "scenario not found: {path}"),
    "missing_file": ("缺少文件 {file}", "the file {file} is missing"),
    # input limits (planner.limits)
    "not_a_file": ("{file} 不是文件（是文件夹或特殊文件）",
                   "{file} is not a file (a folder or a special file)"),
    "unreadable": ("无法读取文件：{error}", "the file cannot be read: {error}"),
    "file_too_big": ("文件过大（{size} 字节，最多 {limit} 字节）",
                     "the file is too large ({size} bytes, at most {limit})"),
    "too_many_rows": ("行数超过上限 {limit}（若表末有大量空行或格式，请删除后再保存）",
                      "more than {limit} rows (delete empty or formatted rows beyond the data "
                      "and save again)"),
    "too_many_columns": ("有 {n} 列，超过上限 {limit} 列（若有多余的空列或格式，请删除后再保存）",
                         "{n} columns, more than the {limit} allowed (delete empty or formatted "
                         "columns beyond the data and save again)"),
    "too_large": ("{value} 不合常理：最大为 {limit}", "{value} is implausible: at most {limit}"),
    "time_out_of_range": ("时间 {value} 不合常理：应在 {low} 至 {high} 之间",
                          "the time {value} is implausible: it must lie between {low} and {high}"),
    "congress_too_long": ("会议从 {first} 持续到 {last}，超过 {limit} 天",
                          "the sessions run from {first} to {last}, more than {limit} days"),
    "session_too_long": ("会议时长超过 {limit} 小时（{start}–{end}）",
                         "the session lasts more than {limit} hours ({start}–{end})"),
    "event_too_long": ("一行事件超过 {limit} 字节", "the event line is longer than {limit} bytes"),
    "bad_plan_json": ("JSON 格式错误：{error}", "not valid JSON: {error}"),
    "not_a_plan": ("{file} 不是方案文件夹", "{file} is not a plan folder"),
    "missing_sheet": ("工作簿中缺少工作表 {sheet}", "the workbook has no sheet {sheet}"),
    "bad_encoding": (
        "文件编码无法识别（应为 UTF-8、带 BOM 的 UTF-8 或 GBK/GB18030）",
        "the text encoding is not recognised (expected UTF-8, UTF-8 with BOM, or GBK/GB18030)",
    ),
    "bad_xlsx": ("无法读取 Excel 工作簿：{error}", "the Excel workbook cannot be read: {error}"),
    "bad_csv": ("CSV 格式错误：{error}", "the CSV is malformed: {error}"),
    "empty_table": ("表中没有数据行", "the table has no data rows"),
    "missing_column": ("缺少必需的列 {column}", "the required column {column} is missing"),
    "duplicate_column": ("列 {column} 出现了两次", "the column {column} appears twice"),
    "bad_yaml": ("scenario.yaml 格式错误：{error}", "scenario.yaml is not valid YAML: {error}"),
    # values
    "empty": ("此项不能为空", "this value must not be empty"),
    "duplicate_id": (
        "编号 {value} 重复（第一次出现在第 {first} 行）",
        "the id {value} is a duplicate (first used on row {first})",
    ),
    "unknown_venue": (
        "驻地 {value} 不存在（{file} 中没有这个编号）",
        "the venue {value} does not exist (it is not in {file})",
    ),
    "unknown_room": (
        "会场 {value} 不存在（{file} 中没有这个编号）",
        "the room {value} does not exist (it is not in {file})",
    ),
    "unknown_group": (
        "工作组 {value} 不存在（{file} 中没有这个编号）",
        "the group {value} does not exist (it is not in {file})",
    ),
    "bad_time": (
        "时间 “{value}” 格式不对，应写成 2021-11-26T08:30 或 2021-11-26 08:30",
        "the time '{value}' is malformed; write it as 2021-11-26T08:30 or 2021-11-26 08:30",
    ),
    "bad_clock": (
        "时刻 “{value}” 格式不对，应写成 08:30",
        "the time of day '{value}' is malformed; write it as 08:30",
    ),
    "end_not_after_start": (
        "结束时间 {end} 不晚于开始时间 {start}",
        "the end {end} is not after the start {start}",
    ),
    "shift_empty": (
        "班次开始与结束相同（{start}），班次长度为零",
        "the shift starts and ends at the same time ({start})",
    ),
    "not_int": ("“{value}” 不是整数", "'{value}' is not a whole number"),
    "not_number": ("“{value}” 不是数字", "'{value}' is not a number"),
    "not_positive": ("应为正数，实际为 {value}", "must be a positive number, but is {value}"),
    "negative": ("不能为负数，实际为 {value}", "must not be negative, but is {value}"),
    "not_bool": (
        "“{value}” 不是“是/否”（可写 是、否、true、false、1、0）",
        "'{value}' is not yes/no (write yes, no, true, false, 1 or 0)",
    ),
    "unknown_value": (
        "“{value}” 不是可用的取值；可用：{choices}",
        "'{value}' is not an accepted value; use one of: {choices}",
    ),
    "room_overlap": (
        "会场 {room} 的会议 {session} 与第 {other_row} 行的会议 {other} 时间重叠"
        "（{start}–{end} 与 {other_start}–{other_end}）",
        "session {session} overlaps session {other} (row {other_row}) in room {room} "
        "({start}–{end} against {other_start}–{other_end})",
    ),
    "self_loop": ("起点与终点是同一驻地 {venue}", "the edge goes from {venue} to itself"),
    "duplicate_edge": (
        "{a} 与 {b} 之间的路程重复（第一次出现在第 {first} 行）",
        "the road between {a} and {b} is given twice (first on row {first})",
    ),
    "not_connected": (
        "驻地之间不连通：{groups} 之间没有路程，travel.csv 需要补充连接它们的路",
        "the venues are not connected: there is no road between {groups}; "
        "add an edge joining them to travel.csv",
    ),
    "unknown_key": (
        "未知的设置项 {key}{hint}；可用：{choices}",
        "unknown setting {key}{hint}; known settings: {choices}",
    ),
    "bad_setting": (
        "设置项 {key} 的值 “{value}” 无效：{why}",
        "setting {key} = '{value}' is invalid: {why}",
    ),
    "missing_key": ("缺少设置项 {key}", "the setting {key} is missing"),
    "bad_timezone": ("未知的时区 {value}", "unknown time zone {value}"),
    "bad_event_json": ("不是有效的 JSON 事件：{error}", "not a valid JSON event: {error}"),
    "event_missing_field": ("{type} 事件缺少 {field}", "a {type} event needs {field}"),
    "unknown_session": ("会议 {value} 不存在", "the session {value} does not exist"),
    "unknown_staff": ("工作人员 {value} 不存在", "the staff member {value} does not exist"),
    "unknown_unit": ("设备 {value} 不存在（须为信号干扰器或手机屏蔽柜）",
                     "the unit {value} does not exist (a jammer or cabinet unit is meant)"),
    "unknown_bag_set": ("销毁袋 {value} 不存在", "the shred-bag set {value} does not exist"),
    "event_bad_kg": ("重量应为不小于 0 的数（公斤），实际为 {value}",
                     "the weight must be a number of kg, not below 0, but is {value}"),
    "event_witnesses": ("监督销毁须列出监销人（witnesses，人名列表）",
                        "a supervised destruction must list its witnesses (a list of names)"),
    "event_not_text": ("{field} 应为文字，实际为 {value}", "{field} must be text, not {value}"),
    "event_reserved": ("{field} 由日志自己填写，事件中不能带",
                       "{field} is the log's own; an event may not carry it"),
    "event_cancelled": ("会议 {value} 已取消", "the session {value} was cancelled"),
    "event_extend_shorter": ("会议“{name}”（{session}）现定 {end} 结束，延长后的结束时间 {new_end} "
                             "须晚于它",
                             "the session {name} ({session}) now ends at {end}: an extension "
                             "must end later than that, not at {new_end}"),
    "event_skip_reason": ("未执行任务须说明原因", "a skipped order needs its reason"),
    "event_not_failed": ("设备 {unit} 没有报告故障，无需恢复", "the unit {unit} is not reported "
                         "failed: there is nothing to restore"),
    "event_until_past": ("{name}（{staff}）不在岗至 {until}，早于记录的时间 {at}：请核对时间",
                         "{name} ({staff}) off duty until {until}, before the time logged "
                         "({at}): check the times"),
    "event_session_exists": ("会议编号 {value} 已被使用", "the session id {value} is taken"),
    "event_room_taken": ("会场 {room} 这段时间已有会议 {other}",
                         "the room {room} is taken by session {other} at that time"),
    "event_void_missing": ("日志中没有第 {value} 条记录，无法作废",
                           "the log has no entry {value} to void"),
    "event_void_void": ("第 {value} 条本身是作废记录，不能作废",
                        "entry {value} is itself a void and cannot be voided"),
    "event_void_twice": ("第 {value} 条已被作废", "entry {value} was voided already"),
    "event_void_used": ("第 {value} 条增加的会议 {session} 有后续记录（第 {later} 条），"
                        "请先作废后续记录",
                        "entry {value} added the session {session}, which entry {later} "
                        "names: void that first"),
    "event_void_conflict": ("作废第 {value} 条后，第 {later} 条将不再成立（{why_zh}），"
                            "请先作废第 {later} 条",
                            "voiding entry {value} would leave entry {later} no longer "
                            "fitting ({why_en}): void that first"),
    "over_capacity": (
        "会议 {session} 有 {attendees} 人，超过会场 {room} 的容量 {capacity} 人",
        "session {session} has {attendees} attendees, more than room {room} holds ({capacity})",
    ),
    # what `validate` prints (planner.cli.validate)
    "sum_title": ("场景检查通过：{title}（{name}）", "Scenario is valid: {title} ({name})"),
    "sum_counts": ("规模", "Size"),
    "sum_count_line": (
        "驻地 {venues} 个，会场 {rooms} 个，会议 {sessions} 场（{days} 天），工作人员 {staff} 人，"
        "工作组 {groups} 个",
        "{venues} venues, {rooms} rooms, {sessions} sessions over {days} days, "
        "{staff} staff, {groups} groups"),
    "sum_stock_line": (
        "库存：信号干扰器 {jammer} 台（维修 {jammer_maint}），手机屏蔽柜 {cabinet_unit} 节"
        "（维修 {cabinet_unit_maint}），文件销毁袋 {shred_bag_set} 套",
        "Stock: {jammer} jammers ({jammer_maint} in maintenance), {cabinet_unit} cabinet units "
        "({cabinet_unit_maint} in maintenance), {shred_bag_set} shred-bag sets"),
    "sum_by_kind": ("按会议类型", "By kind"),
    "sum_by_level": ("按密级", "By level"),
    "sum_by_day": ("按日期", "By day"),
    "sum_requirements": ("按规则推算的保障需求", "Requirements derived by the rules"),
    "sum_published": ("公布数", "published"),
    "sum_peaks": ("同时需求峰值与库存", "Peak simultaneous demand against stock"),
    "sum_overall": ("全部驻地", "all venues"),
    "sum_peak_line": ("{kind}｜{where}：峰值 {peak}（{at}），可用库存 {stock}",
                  "{kind} | {where}: peak {peak} at {at}, usable stock {stock}"),
    "sum_excess": ("  需求超过库存：{spans}", "  demand exceeds stock: {spans}"),
    "sum_excess_overall": ("  ⚠ 这些时段无论怎样调配都会缺额",
                       "  ⚠ no plan can cover these times in full"),
    "sum_excess_venue": ("  这些时段须从其他驻地调入设备",
                     "  units must be brought in from other venues at these times"),
    "sum_warnings": ("提示", "Warnings"),
    "sum_bags_line": ("文件销毁袋｜各工作组需 {wanted} 套，可用库存 {usable} 套",
                  "shred-bag sets | groups need {wanted}, usable stock {usable}"),
    "sum_bags_venue": ("{venue}：工作组需 {wanted} 套，本驻地存放 {held} 套，须从其他驻地调入",
                   "{venue}: groups need {wanted}, {held} stored there; bring the rest in"),
    "sum_bags_short": ("  ⚠ 销毁袋缺 {n} 套，部分工作组将少发",
                   "  ⚠ {n} sets short: some groups get fewer"),
    "sum_sessions": ("会议场次", "sessions"),
    "sum_jammer_deployments": ("信号干扰器（台次）", "jammer deployments"),
    "sum_cabinet_unit_deployments": ("手机屏蔽柜（节次）", "cabinet-unit deployments"),
    "sum_patrols": ("巡查（次）", "patrols"),
    "sum_sweeps": ("会前安全检测（次）", "pre-session sweeps"),
    "sum_cleanups": ("休会清理检查（次）", "recess clean-ups"),
    "sum_bag_sets_to_groups": ("配发工作组的销毁袋（套）", "shred-bag sets held by groups"),
}


def current_lang() -> str:
    lang = os.environ.get("PLANNER_LANG", "zh").lower()
    return lang if lang in LANGS else "zh"


def pick(lang: str, zh: str, en: str) -> str:
    """The text in ``lang``, for text written in place rather than kept in MESSAGES."""
    return en if lang == "en" else zh


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), filled with ``params``."""
    zh, en = MESSAGES[key]
    return (en if (lang or current_lang()) == "en" else zh).format(**params)
