"""The command line: a thin shell over the library.

    python -m planner validate SCENARIO [--json]
    python -m planner generate --out DIR [--scale K] [--seed N] [--layout areas|city]
    python -m planner plan SCENARIO --out DIR [--time-limit S] [--seed N] [--workers N]
                                 [--processes P] [--scheduler ADDRESS]
    python -m planner verify SCENARIO PLAN_DIR [--events FILE | --db URL] [--now T]
    python -m planner replan SCENARIO --plan DIR (--events FILE | --db URL) --out DIR [--now T]
    python -m planner simulate SCENARIO --runs N --out DIR [--seed S] [--workers W]
                                 [--scheduler ADDRESS]
    python -m planner report SCENARIO --plan DIR [--events FILE | --db URL] --out DIR
    python -m planner rules

``--lang en`` (or ``PLANNER_LANG=en``) switches the text to English.
Exit codes: 0 done, 1 the input was refused (every problem printed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

from planner.errors import PlannerBug, ScenarioError
from planner.i18n import LANGS, current_lang, pick
from planner.model.plan import PlanSummary
from planner.solve.budget import PLAN_WORK, REPLAN_WORK, SOLVER_WORKERS


def _validate(args: argparse.Namespace) -> int:
    from planner.cli.validate import format_summary, summarize
    from planner.io.scenario_files import load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        if not args.json:
            raise
        problems = [{"file": p.file, "row": p.row, "column": p.column,
                     "message": p.text(args.lang)} for p in error.problems]
        print(json.dumps({"valid": False, "problems": problems}, ensure_ascii=False, indent=2))
        return 1
    summary = summarize(scenario, args.lang)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(format_summary(scenario, summary, args.lang))
    return 0


# planner.io.generate.LAYOUTS, in words (not imported: the CLI starts without the generator)
LAYOUT_WORDS = {"areas": ("，各会区相距 80 分钟以上", ", the areas 80 min and more apart"),
                "city": ("，同城一个路网，驻地间 10–45 分钟",
                         ", one city, venues 10–45 min apart")}


def _generate(args: argparse.Namespace) -> int:
    from planner.io.generate import write

    if args.scale < 1:
        print(pick(args.lang, "--scale 必须至少为 1", "--scale must be at least 1"),
              file=sys.stderr)
        return 2
    try:
        out = write(args.out, args.scale, args.seed, args.layout)
    except FileExistsError:
        print(pick(args.lang, f"输出位置 {args.out} 已存在且不是空文件夹，未写入",
                    f"{args.out} exists and is not an empty folder; nothing written"),
              file=sys.stderr)
        return 1
    except OSError as error:
        print(pick(args.lang, f"无法写入 {args.out}：{error.strerror}，未写入",
                    f"cannot write {args.out}: {error.strerror}; nothing written"),
              file=sys.stderr)
        return 1
    zh, en = LAYOUT_WORDS[args.layout] if args.scale > 1 else ("", "")
    print(pick(args.lang, f"已生成 ×{args.scale} 场景（种子 {args.seed}{zh}）：{out}",
                f"generated a ×{args.scale} scenario (seed {args.seed}{en}): {out}"))
    return 0


def _plan(args: argparse.Namespace) -> int:
    from planner.io.scenario_files import load_scenario
    from planner.solve.orchestrate import make_plan

    if args.processes is not None and args.processes < 1:
        return _usage(args.lang, "--processes 须至少为 1", "--processes must be at least 1")
    scenario = load_scenario(args.scenario)
    if _occupied(args):
        return 1
    try:
        plan = make_plan(scenario, time_limit=args.time_limit, seed=args.seed,
                         workers=args.workers, method=args.method, wall_limit=args.wall_limit,
                         progress=_progress(args.lang, len(scenario.sessions)),
                         processes=args.processes, scheduler=args.scheduler)
    except OSError as error:
        if not args.scheduler:
            raise
        return _unreachable(args, error)
    return _write_checked(args, plan, scenario)


def _unreachable(args: argparse.Namespace, error: OSError) -> int:
    """The Dask scheduler given could not be reached (or was lost): said, nothing written."""
    print(pick(args.lang, f"无法连接 Dask 调度器 {args.scheduler}（{error}），未写入",
                f"cannot reach the Dask scheduler {args.scheduler} ({error}); nothing "
                "written"), file=sys.stderr)
    return 1


PLAN_STEPS = {"greedy": ("贪心方案（起点）", "the greedy plan (the start)"),
              "equipment": ("设备模型（CP-SAT）", "the equipment model (CP-SAT)"),
              "staff": ("人员安排（CP-SAT，逐日）", "people's work (CP-SAT, day by day)")}


def _progress(lang: str, sessions: int):
    """Each step of a plan as it begins, on stderr, with the clock time so far: a large
    congress shows where its time goes."""
    import time

    start = time.perf_counter()

    def say(step: str) -> None:
        zh, en = PLAN_STEPS[step]
        took = time.perf_counter() - start
        print(pick(lang, f"[{took:6.1f} 秒] {sessions} 场会议：{zh}……",
                   f"[{took:6.1f} s] {sessions} sessions: {en}…"), file=sys.stderr, flush=True)

    return say


FOLDER_KINDS = {"plan": ("方案目录", "plan folder"), "report": ("报告目录", "report folder"),
                "rehearsal": ("推演结果目录", "rehearsal folder")}


def _occupied(args: argparse.Namespace, what: str = "plan") -> bool:
    """``--out`` holds something that is not a ``what`` folder this tool wrote, or holds
    other files too: said, and it is left as it is."""
    from planner.io.plan_files import occupied

    if not occupied(args.out, what):
        return False
    zh, en = FOLDER_KINDS[what]
    print(pick(args.lang, f"输出目录 {args.out} 已存在，不是本工具写的{zh}或其中有别的文件，未写入",
               f"{args.out} exists and is not a {en} this tool wrote, or holds other "
               "files; nothing written"), file=sys.stderr)
    return True


def _write_checked(args: argparse.Namespace, plan, live, extras=None) -> int:
    """Check the plan against the congress as the log leaves it and write it; a plan the
    checker refuses is a bug: reported, not written, and exit 3."""
    from planner.io.plan_files import write_files
    from planner.verify import PlanRejected, checked_files

    try:
        files, checks = checked_files(plan, live, extras)
    except PlanRejected as error:
        print(_rejected(error.violations, args.lang), file=sys.stderr)
        return 3
    try:
        out = write_files(files, args.out)
    except FileExistsError:
        _occupied(args)
        return 1
    print(format_plan(plan, args.lang, out))
    print(_verdict([], checks, args.lang))
    return 0


def _rejected(violations, lang: str) -> str:
    head = pick(lang, "程序错误：新方案未通过独立校验，未写入，原方案继续有效。"
                      "请将以下内容报告给开发者：",
                "Bug: the new plan failed the independent check; nothing was written and the "
                "plan in force stays in force. Please report this:")
    return "\n".join([head, *(f"  - {v}" for v in violations[:100])])


def format_plan(plan, lang: str, out) -> str:
    s = plan.summary
    zh = lang != "en"
    lines = [
        (f"方案已写入 {out}" if zh else f"Plan written to {out}"),
        (f"  会议 {s.sessions} 场，完全保障 {s.sessions_covered} 场；"
         f"信号干扰器 {s.jammer_deployments} 台次，"
         f"手机屏蔽柜 {s.cabinet_unit_deployments} 节次，"
         f"巡查 {s.patrols} 次，会前检测 {s.sweeps} 次，休会清理 {s.cleanups} 次，"
         f"设备搬移 {s.moves} 件次（跨驻地 {s.moves_between_venues}）" if zh else
         f"  {s.sessions_covered} of {s.sessions} sessions fully covered; "
         f"{s.jammer_deployments} jammer and {s.cabinet_unit_deployments} cabinet-unit "
         f"deployments, {s.patrols} patrols, {s.sweeps} sweeps, {s.cleanups} clean-ups, "
         f"{s.moves} unit moves ({s.moves_between_venues} between venues)"),
        (f"  求解：{s.solver_status}，目标值 {s.objective}，下界 {s.best_bound:g}，"
         f"差距 {100 * s.gap:.2f}%，求解量 {s.solve_seconds:.2f}（确定性秒），"
         f"用时 {plan.wall_seconds:.1f} 秒" + _guard(s, zh) if zh else
         f"  solver: {s.solver_status}, objective {s.objective}, bound "
         f"{s.best_bound:g}, gap {100 * s.gap:.2f}%, work {s.solve_seconds:.2f} "
         f"deterministic s, {plan.wall_seconds:.1f} s on the clock" + _guard(s, zh)),
        _coverage_gap(s, zh),
    ]
    short = [r for r in plan.coverage if not r.covered]
    if short:
        lines.append("未完全保障的会议：" if zh else "Sessions not fully covered:")
        for r in short:
            lines.append(f"  {r.session_id}: {r.shortfall_reason if zh else r.shortfall_reason_en}")
    return "\n".join(lines)


def _coverage_gap(s: PlanSummary, zh: bool) -> str:
    """How far the coverage can be from the best possible: the weight of sessions left
    short against its proved bound, as a share of all sessions' weight."""
    gap = 100 * (s.coverage_gap or 0.0)
    if zh:
        return (f"  保障覆盖差距 {gap:.2f}%（未完全保障会议的加权与其下界之差，占全部会议加权）"
                + ("，已证明最优" if s.coverage_gap == 0 and s.method != "greedy" else ""))
    return (f"  coverage gap {gap:.2f}% (weight of sessions not fully covered above its "
            "bound, as a share of all sessions' weight)"
            + (", proved optimal" if s.coverage_gap == 0 and s.method != "greedy" else ""))


def _guard(summary: PlanSummary, zh: bool) -> str:
    if not summary.wall_guard_hit:
        return ""
    return ("；已达墙钟时限，结果可能与重算不同" if zh else
            "; the wall-clock guard was hit: a rerun may differ")


def _verdict(violations, checks: int, lang: str) -> str:
    if not violations:
        return pick(lang, f"独立校验通过：{checks} 项检查，无违规",
                     f"Independent check passed: {checks} checks, no violation")
    head = pick(lang, f"独立校验发现 {len(violations)} 处违规：",
                 f"Independent check found {len(violations)} violations:")
    return "\n".join([head, *(f"  - {v}" for v in violations[:100])])


def _read_events(args: argparse.Namespace, scenario) -> tuple[list[dict], int]:
    """The checked events from ``--events FILE`` or the store's log (``--db``), and the
    number of the last one."""
    from planner.errors import Problems
    from planner.events.log import RESERVED, check_events, read_lines
    from planner.live.store import Store

    if args.events:
        problems = Problems()
        # a file from `events export` carries the log's own fields: the events are the rest
        lines = [(n, {k: v for k, v in e.items() if k not in RESERVED})
                 for n, e in read_lines(args.events, problems)]
        good = check_events(scenario, lines, Path(args.events).name, problems)
        problems.items.sort(key=lambda p: p.row or 0)
        problems.raise_if_any()
        return good, len(good)
    if args.db:
        entries = Store(args.db).entries(scenario.name)
        return [e.line() for e in entries], (entries[-1].seq if entries else 0)
    return [], 0


def _now(args: argparse.Namespace):
    from planner.model.times import parse_time

    if not args.now:
        return None
    now = parse_time(args.now)
    if now is None:
        raise SystemExit(_usage(args.lang, f"--now {args.now!r} 不是时间（例如 2021-11-27T10:00）",
                                f"--now {args.now!r} is not a time (e.g. 2021-11-27T10:00)"))
    return now


def _read_plan(args: argparse.Namespace):
    """The plan folder ``--plan``, or None when it cannot be read (said on stderr)."""
    from planner.io.plan_files import read_plan
    from planner.verify import readable_plan

    readable_plan(args.plan)  # a damaged folder is refused, naming the file and row
    try:
        return read_plan(args.plan)
    except (OSError, ValueError, KeyError) as error:
        print(pick(args.lang, f"无法读取方案 {args.plan}：{error}，未写入",
                    f"cannot read the plan {args.plan}: {error}; nothing written"),
              file=sys.stderr)
        return None


def _usage(lang: str, zh: str, en: str) -> int:
    print(pick(lang, zh, en), file=sys.stderr)
    return 2


def _replan(args: argparse.Namespace) -> int:
    from planner.io.scenario_files import load_scenario
    from planner.live.replan import replan
    from planner.live.store import Store

    if not (args.events or args.db):
        return _usage(args.lang, "需要 --events 文件或 --db 事件日志",
                      "give --events FILE or --db (the event log)")
    now = _now(args)
    scenario = load_scenario(args.scenario)
    old = _read_plan(args)
    if old is None:
        return 1
    events, last = _read_events(args, scenario)
    result = replan(scenario, old, events, now=now, time_limit=args.time_limit, seed=args.seed,
                    workers=args.workers, wall_limit=args.wall_limit)
    if _occupied(args):
        return 1
    code = _write_checked(args, result.plan, result.live, result.extras())
    if code:
        return code
    print(format_changes(result, args.lang))
    if args.db and args.save:
        # what is stored is the folder the checker passed
        out = Path(args.out)
        files = {f.name: f.read_text(encoding="utf-8-sig") for f in sorted(out.iterdir())}
        version = Store(args.db).save_plan(scenario.name, files, args.who, last,
                                           note=result.note)
        print(pick(args.lang, f"已存为方案第 {version} 版", f"stored as plan version {version}"))
    return 0


def format_changes(result, lang: str, limit: int = 30) -> str:
    zh = lang != "en"
    people = sorted({c.who for c in result.changes if c.who_kind == "staff"})
    units = sorted({c.who for c in result.changes if c.who_kind == "unit"})
    lines = [(f"截至 {result.now:%m-%d %H:%M}，变更 {len(result.changes)} 项：涉及人员 "
              f"{len(people)} 人、设备 {len(units)} 台；"
              f"保障情况变化的会议 {len(result.sessions)} 场"
              if zh else
              f"As of {result.now:%m-%d %H:%M}: {len(result.changes)} changes, for "
              f"{len(people)} people and {len(units)} units; {len(result.sessions)} sessions "
              "affected")]
    words = {"added": ("新增", "add"), "removed": ("取消", "drop"), "changed": ("调整", "change")}
    for c in result.changes[:limit]:
        verb = words[c.change][0 if zh else 1]
        lines.append(f"  {c.act_at:%m-%d %H:%M} {c.who} {verb} {c.what} {c.session_id} "
                     f"{c.old or ''}{' → ' if c.old and c.new else ''}{c.new or ''}  "
                     f"{c.reason if zh else c.reason_en}")
    if len(result.changes) > limit:
        lines.append(f"  … {len(result.changes) - limit} 项见 changes.csv" if zh else
                     f"  … {len(result.changes) - limit} more in changes.csv")
    return "\n".join(lines)


def _verify(args: argparse.Namespace) -> int:
    from planner.events.apply import apply_events
    from planner.io.scenario_files import load_scenario
    from planner.verify import verify

    scenario = load_scenario(args.scenario)
    if args.events or args.db:
        events, _last = _read_events(args, scenario)
        scenario = apply_events(scenario, events, until=_now(args))
    violations, checks = verify(scenario, args.plan)
    print(_verdict(violations, checks, args.lang), file=sys.stderr if violations else sys.stdout)
    return 1 if violations else 0


def _events(args: argparse.Namespace) -> int:
    from planner.errors import Problems
    from planner.events.log import check_events, read_lines
    from planner.io.scenario_files import load_scenario
    from planner.live.store import Store, verify_chain

    if args.action == "verify" and args.jsonl:
        problems = Problems()
        lines = [e for _n, e in read_lines(args.jsonl, problems)]
        problems.raise_if_any()
        ok, message = verify_chain(lines)
        code = _chain_verdict(ok, message, args.lang)
        if not args.checkpoint:
            return code
        # the file carries no log name: the scenario, when given, says whose log it is
        log = load_scenario(args.scenario).name if args.scenario else None
        return _checkpoint_verdict(args, lines, None, log) or code
    scenario = load_scenario(args.scenario)
    store = Store(args.db)
    log = scenario.name
    if args.action == "import":
        problems = Problems()
        numbered = read_lines(args.file, problems)  # its problems are listed with the rest

        def checked(logged: list[dict]) -> list[dict]:
            good = check_events(scenario, numbered, Path(args.file).name, problems, logged)
            problems.items.sort(key=lambda p: p.row or 0)  # in the order of the file
            problems.raise_if_any()
            return good

        stored = store.append(log, [], args.who, check=checked)
        last = stored[-1].seq if stored else store.head(log)[0]
        print(pick(args.lang, f"已记录 {len(stored)} 条事件，日志现有 {last} 条",
                    f"{len(stored)} events logged; the log now holds {last} entries"))
        return 0
    entries = store.entries(log)
    if args.action == "export":
        text = "".join(json.dumps(e.line(), ensure_ascii=False) + "\n" for e in entries)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    ok, message = verify_chain(entries)
    head_seq, head_hash = store.head(log)
    if args.action == "checkpoint":
        return _write_checkpoint(args, log, entries, (head_seq, head_hash))
    if ok and entries and (entries[-1].seq, entries[-1].hash) != (head_seq, head_hash):
        ok, message = False, (f"the log ends at entry {entries[-1].seq} but its head says "
                              f"{head_seq}: entries after {entries[-1].seq} were removed")
    elif ok and not entries and head_seq:
        ok, message = False, f"all {head_seq} entries were removed"
    code = _chain_verdict(ok, message, args.lang)
    if args.checkpoint:
        return _checkpoint_verdict(args, entries, (head_seq, head_hash), log) or code
    return code


def _write_checkpoint(args: argparse.Namespace, log: str, entries: list, head) -> int:
    """``events checkpoint``: the log's head signed with the key outside the database."""
    from planner.live import checkpoint

    try:
        key, folder = checkpoint.signer(args.key_dir), checkpoint.key_dir(args.key_dir)
        if key is None:
            return _refuse(args.lang, f"{folder} 中没有签名密钥：请先运行 python -m planner "
                                      "keys init",
                           f"no signing key in {folder}: run python -m planner keys init first")
        if checkpoint.head_of(entries) != tuple(head):
            return _refuse(args.lang, f"日志记录与日志头（第 {head[0]} 条）不符，不签检查点：请先 "
                                      "events verify",
                           f"the log's entries do not match its head (entry {head[0]}); no "
                           "checkpoint: run events verify")
        cp = checkpoint.of_log(log, entries, key)
    except checkpoint.CheckpointError as error:
        return _refuse(args.lang, error.zh, error.en)
    if args.out:
        try:
            Path(args.out).write_text(cp.text(), encoding="utf-8")
        except OSError as error:
            reason = error.strerror or type(error).__name__
            return _refuse(args.lang, f"无法写入检查点 {args.out}：{reason}",
                           f"cannot write the checkpoint to {args.out}: {reason}")
        print(pick(args.lang, f"检查点已写入 {args.out}：{checkpoint.describe(cp, 'zh')}",
                   f"checkpoint written to {args.out}: {checkpoint.describe(cp, 'en')}"))
    else:
        sys.stdout.write(cp.text())
    return 0


def _checkpoint_verdict(args: argparse.Namespace, entries: list, head, log: str | None) -> int:
    """``events verify --checkpoint FILE``: the log against a signed checkpoint."""
    from planner.live import checkpoint

    try:
        text = Path(args.checkpoint).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _refuse(args.lang, f"无法读取检查点 {args.checkpoint}：{error}",
                       f"cannot read the checkpoint {args.checkpoint}: {error}")
    try:
        key = checkpoint.verifier(args.key_dir)
        cp, problems = checkpoint.verify(text, entries, key, head, log)
    except checkpoint.CheckpointError as error:
        return _refuse(args.lang, f"检查点校验未通过：{error.zh}",
                       f"checkpoint refused: {error.en}")
    assert key is not None  # verify() refuses without a key
    if log is None:  # an exported file, no scenario given: whose log the checkpoint is for
        print(pick(args.lang, f"检查点属于日志 {cp.log}（未给出场景，日志名未核对）",
                   f"the checkpoint is for the log {cp.log} (no scenario given; the log's "
                   "name was not checked)"))
    if problems:
        print(pick(args.lang, f"事件日志与签名检查点（{cp.size} 条）不符：",
                   f"The event log does not match the signed checkpoint ({cp.size} entries):"),
              file=sys.stderr)
        for zh, en in problems:
            print(f"  - {pick(args.lang, zh, en)}", file=sys.stderr)
        return 1
    print(pick(args.lang, f"事件日志与签名检查点相符：前 {cp.size} 条未被改动"
                          f"（密钥 {key.label()}）",
               f"The event log matches the signed checkpoint: its first {cp.size} entries are "
               f"unchanged (key {key.label()})"))
    return 0


def _keys(args: argparse.Namespace) -> int:
    """``keys init``: the checkpoint signing key, outside the database."""
    from planner.live import checkpoint

    folder = checkpoint.key_dir(args.dir)
    try:
        checkpoint.init_keys(folder, args.name)
    except FileExistsError:
        return _refuse(args.lang, f"{folder} 中已有密钥，未改动（已签的检查点要用它校验）",
                       f"{folder} holds a key already; left as it is (signed checkpoints "
                       "verify with it)")
    except ValueError:
        return _usage(args.lang, "密钥名不能有空格或 '+'", "a key name has no spaces and no '+'")
    except OSError as error:
        return _refuse(args.lang, f"无法写入 {folder}：{error}", f"cannot write {folder}: {error}")
    print(pick(args.lang, f"已生成签名密钥：{folder / checkpoint.KEY_FILE}"
                          f"（仅本人可读，勿放入数据库），公钥：{folder / checkpoint.PUBLIC_FILE}",
               f"signing key written: {folder / checkpoint.KEY_FILE} (owner only; keep it out "
               f"of the database), public key: {folder / checkpoint.PUBLIC_FILE}"))
    return 0


def _chain_verdict(ok: bool, message: str, lang: str) -> int:
    if ok:
        print(pick(lang, f"事件日志完整（哈希链校验通过）：{message}",
                    f"Event log intact: {message}"))
        return 0
    print(pick(lang, f"事件日志被改动：{message}", f"Event log tampered with: {message}"),
          file=sys.stderr)
    return 1


def _simulate(args: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from planner.io.scenario_files import load_scenario
    from planner.rehearse.results import write_rehearsal
    from planner.rehearse.runs import Context, simulate
    from planner.solve.orchestrate import make_plan

    if args.runs < 1 or args.workers < 1 or args.sizing_runs < 0 or args.keep < 0:
        return _usage(args.lang, "--runs、--workers 须至少为 1，--sizing-runs、--keep 不能为负",
                      "--runs and --workers must be at least 1; --sizing-runs and --keep "
                      "not below 0")
    if _occupied(args, "rehearsal"):  # refused now, not after the runs
        return 1
    clock = time.perf_counter()
    scenario = load_scenario(args.scenario)
    if args.plan:
        base = _read_plan(args)
        if base is None:
            return 1
    else:
        print(pick(args.lang, f"制定基础方案（求解预算 {args.time_limit:g}）……",
                    f"making the base plan (budget {args.time_limit:g})…"), file=sys.stderr)
        # the solver's own threads whatever --workers is: the runs must not depend on it
        base = make_plan(scenario, time_limit=args.time_limit, seed=args.seed,
                         workers=SOLVER_WORKERS)
    ctx = Context(scenario, base, seed=args.seed, keep=args.keep, sizing_runs=args.sizing_runs,
                  method=args.replan)
    with tqdm(total=args.runs, unit=pick(args.lang, "次", "run"), disable=None,
              desc=pick(args.lang, "推演", "rehearsal"), file=sys.stderr) as bar:
        try:
            results = simulate(ctx, args.runs, workers=args.workers,
                               scheduler=args.scheduler, progress=bar.update)
        except OSError as error:
            if not args.scheduler:
                raise
            return _unreachable(args, error)
    folder, info = write_rehearsal(args.out, scenario, results, args.seed, base, args.lang)
    print(format_rehearsal(info, args.lang, folder, time.perf_counter() - clock))
    return 0


def format_rehearsal(info: dict, lang: str, folder: Path, seconds: float) -> str:
    from planner.report.charts import FIGURE_NAMES, RESOURCE_NAMES

    zh = lang != "en"
    lines = [pick(lang,
                   f"推演 {info['runs']} 次，用时 {seconds:.0f} 秒，结果写入 {folder}"
                   f"（图表：{folder / 'rehearsal.html'}）",
                   f"{info['runs']} runs in {seconds:.0f} s, written to {folder} "
                   f"(charts: {folder / 'rehearsal.html'})"),
             pick(lang,
                   f"出现保障不足的推演 {info['runs_with_shortfall']} 次"
                   f"（{info['p_run_shortfall']:.1%}），平均每次 {info['uncovered_mean']:.2f} 场；"
                   f"每场会议不足的机会 {info['session_short_share']:.2%}",
                   f"runs with a shortfall: {info['runs_with_shortfall']} "
                   f"({info['p_run_shortfall']:.1%}), {info['uncovered_mean']:.2f} sessions per "
                   f"run; chance for a session {info['session_short_share']:.2%}")]
    if info["riskiest"]:
        lines.append(pick(lang, "风险最高的会议：", "Sessions most at risk:"))
        for r in info["riskiest"][:5]:
            lines.append(f"  {r['session_id']} {r['name']} {r['start']}  {r['p_short']:.0%}")
    for resource, a in info["sizing"].items():
        name = RESOURCE_NAMES[resource][0 if zh else 1]
        extra = a["extra_for_under_1pct"]
        sure = a["extra_for_under_1pct_95"]
        lines.append(pick(
            lang,
            f"{name}：+0 时缺{name}的机会 {a['share_at_0']:.2%}；"
            + ("+10 以内降不到 1% 以下" if extra is None else "已低于 1%" if extra == 0 else
               f"+{extra} 后 {a['share_then']:.2%}")
            + ("" if sure is None else f"（95% 把握低于 1%：+{sure}）"),
            f"{name}: chance of a session short of {name} {a['share_at_0']:.2%} at +0; "
            + ("not under 1% within +10" if extra is None else "under 1% already"
               if extra == 0 else f"{a['share_then']:.2%} with +{extra}")
            + ("" if sure is None else f" (under 1% with 95% confidence: +{sure})")))
    for f in info["figures"]:
        name = FIGURE_NAMES.get(f["figure"], (f["figure"],) * 2)[0 if zh else 1]
        published = f"（公布 {f['published']}）" if zh else f" (published {f['published']})"
        lines.append(f"  {name}: {f['mean']:g} [{f['p5']:g}–{f['p95']:g}]"
                     + (published if f["published"] else ""))
    return "\n".join(lines)


def _report(args: argparse.Namespace) -> int:
    from planner.io.scenario_files import load_scenario
    from planner.live.store import default_url
    from planner.report.files import write_report
    from planner.report.statistics import PlanMismatch, build

    if _occupied(args, "report"):
        return 1
    scenario = load_scenario(args.scenario)
    plan = _read_plan(args)
    if plan is None:
        return 1
    if not (args.events or args.db):  # the store the events command logs to
        args.db = default_url()
        database = args.db.removeprefix("sqlite:///")
        if args.db.startswith("sqlite:///") and not Path(database).exists():
            return _refuse(args.lang, f"没有事件日志（{database} 不存在）：请用 --events 文件或 "
                                      "--db 指定",
                           f"no event log ({database} does not exist): give --events FILE "
                           "or --db URL")
    events, _last = _read_events(args, scenario)
    if not events:
        return _refuse(args.lang, f"事件日志中没有 {scenario.name} 的记录，未写入",
                       f"the event log holds nothing for {scenario.name}; nothing written")
    try:
        report = build(scenario, plan, events)
    except PlanMismatch as error:
        return _refuse(args.lang, f"方案 {args.plan} 与场景不符：{error}，未写入",
                       f"the plan {args.plan} does not match the scenario: {error}; "
                       "nothing written")
    folder = write_report(args.out, report, scenario, args.lang)
    print(report.text[args.lang])
    print("\n".join(report.checkpoint_lines(args.lang)))
    print(pick(args.lang, f"报告已写入 {folder}：report.html、report.xlsx、report.docx、"
                           "figures.json",
                f"Report written to {folder}: report.html, report.xlsx, report.docx, "
                "figures.json"))
    return 0


def _refuse(lang: str, zh: str, en: str) -> int:
    print(pick(lang, zh, en), file=sys.stderr)
    return 1


def _rules(args: argparse.Namespace) -> int:
    from planner.model.rules import Rules
    from planner.model.scenario import Disruptions

    for title, table in ((("规划规则 (rules:)", "Planning rules (rules:)"), Rules),
                         (("推演扰动 (disruptions:)", "Rehearsal disruptions (disruptions:)"),
                          Disruptions)):
        print(f"# {pick(args.lang, *title)}")
        for key, default, zh, en, source in table.documented():
            print(f"{key} = {default}\n    {pick(args.lang, zh, en)}\n    source: {source}")
    print(f"# {pick(args.lang, '求解预算（命令行选项）', 'Solver budgets (command-line options)')}")
    for key, default, zh, en in (
            ("plan --time-limit", PLAN_WORK, "方案的求解预算（确定性秒，每个工作组）",
             "the plan's solver budget, deterministic seconds per team of people"),
            ("replan --time-limit", REPLAN_WORK, "重新规划的求解预算（确定性秒）",
             "a re-plan's solver budget, deterministic seconds"),
            ("--workers", SOLVER_WORKERS, "求解线程数", "solver threads")):
        print(f"{key} = {default}\n    {pick(args.lang, zh, en)}\n"
              "    source: planner/solve/budget.py")
    return 0



def _budget_options(p: argparse.ArgumentParser, work: float) -> None:
    p.add_argument("--time-limit", type=float, default=work,
                   help=f"solver budget in CP-SAT's deterministic seconds: the same inputs give "
                        f"the same plan on any machine (default {work:g})")
    p.add_argument("--workers", type=int, default=SOLVER_WORKERS,
                   help=f"solver threads (default {SOLVER_WORKERS}); the same number gives the "
                        "same plan")
    p.add_argument("--wall-limit", type=float, default=None,
                   help="wall-clock guard in seconds (default: generous); a run that hits it "
                        "says so and may differ from run to run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner",
                                     description="保密服务保障规划器 secrecy-support planner")
    parser.add_argument("--lang", choices=LANGS, default=current_lang(),
                        help="zh (default) or en; also PLANNER_LANG")
    # --lang is accepted after the command too (python -m planner validate X --lang en)
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    add_command = functools.partial(sub.add_parser, parents=[lang])

    p = add_command("validate", help="check a scenario and summarise it")
    p.add_argument("scenario", help="scenario folder or .xlsx workbook")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=_validate)

    p = add_command("generate", help="write a congress K times the reference")
    p.add_argument("--out", required=True, help="folder to create (must be new or empty)")
    p.add_argument("--scale", type=int, default=1,
                   help="K: K congress areas (会区), each the size of the reference (default 1)")
    p.add_argument("--seed", type=int, default=0,
                   help="varies delegation and room sizes and the ad-hoc meetings (default 0)")
    p.add_argument("--layout", choices=tuple(LAYOUT_WORDS), default="areas",
                   help="areas (default): the areas' centres 80 min and more apart, as in "
                        "several cities; city: one city (同城), every venue 10-45 min from "
                        "every other; at --scale 1 both are the reference")
    p.set_defaults(run=_generate)

    p = add_command("plan", help="make the plan (CP-SAT) and check it")
    p.add_argument("scenario")
    p.add_argument("--out", required=True, help="plan folder to write")
    _budget_options(p, PLAN_WORK)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--method", choices=("cpsat", "greedy"), default="cpsat")
    p.add_argument("--processes", type=int, default=None,
                   help="worker processes for the teams' staff models (default: one per core); "
                        "the plan is the same for any number")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786): solve the "
                                       "teams' staff models there; the same plan")
    p.set_defaults(run=_plan)

    p = add_command("verify", help="check a plan folder against the scenario, independently")
    p.add_argument("scenario")
    p.add_argument("plan")
    p.add_argument("--events", help="JSON Lines events the plan was re-planned after")
    p.add_argument("--db", help="or the event log in this database")
    p.add_argument("--now", help="only events logged up to this time")
    p.set_defaults(run=_verify)

    p = add_command("replan", help="repair a plan after logged events, changing little")
    p.add_argument("scenario")
    p.add_argument("--plan", required=True, help="the plan folder in force")
    p.add_argument("--events", help="JSON Lines events (default: the log in --db)")
    p.add_argument("--db", help="database URL: read the event log there (and --save)")
    p.add_argument("--now", help="re-plan as of this time (default: the last event's)")
    p.add_argument("--out", required=True, help="new plan folder to write")
    _budget_options(p, REPLAN_WORK)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", action="store_true", help="store the new plan version in --db")
    p.add_argument("--who", default=os.environ.get("USER", "operator"))
    p.set_defaults(run=_replan)

    p = add_command("simulate", help="rehearse: replay the congress with random disruptions")
    p.add_argument("scenario")
    p.add_argument("--runs", type=int, required=True, help="how many runs")
    p.add_argument("--out", required=True, help="folder for the results")
    p.add_argument("--seed", type=int, default=0, help="same seed, same results")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786): run there")
    p.add_argument("--plan", help="base plan folder (default: plan it now)")
    p.add_argument("--time-limit", type=float, default=PLAN_WORK,
                   help=f"solver budget for the base plan, deterministic seconds "
                        f"(default {PLAN_WORK:g})")
    p.add_argument("--sizing-runs", type=int, default=10,
                   help="runs replayed with reserves for the sizing table (default 10)")
    p.add_argument("--replan", choices=("greedy", "cpsat"), default="greedy",
                   help="how each run re-plans: greedy (the fast path, default) or cpsat "
                        "(the live re-planner operators use; about 40 times slower)")
    p.add_argument("--keep", type=int, default=3,
                   help="runs whose full event log and final plan are kept (default 3)")
    p.set_defaults(run=_simulate)

    p = add_command("report", help="the post-event report from the event log")
    p.add_argument("scenario")
    p.add_argument("--plan", required=True, help="the plan folder the team worked to")
    p.add_argument("--events", help="JSON Lines event log")
    p.add_argument("--db", help="or the event log in this database (default: the store, "
                                "PLANNER_DB or data/planner.db)")
    p.add_argument("--out", required=True, help="folder for the report")
    p.set_defaults(run=_report)

    p = add_command("events", help="the event log: import, export, verify, checkpoint")
    p.add_argument("action", choices=("import", "export", "verify", "checkpoint"))
    p.add_argument("scenario", nargs="?", help="scenario folder or workbook (the log is its)")
    p.add_argument("file", nargs="?", help="JSON Lines file to import")
    p.add_argument("--db", help="database URL (default PLANNER_DB, or data/planner.db)")
    p.add_argument("--who", default=os.environ.get("USER", "operator"),
                   help="who logs the events (when an event names nobody)")
    p.add_argument("--out", help="export to this file instead of the screen")
    p.add_argument("--file", dest="jsonl", help="verify an exported JSON Lines file instead")
    p.add_argument("--checkpoint", help="verify: check the log against this signed checkpoint")
    p.add_argument("--key-dir", help="checkpoint keys (default PLANNER_KEY_DIR, or "
                                     "data/keys)")
    p.set_defaults(run=_events)

    p = add_command("keys", help="set up the key that signs log checkpoints")
    p.add_argument("action", choices=("init",))
    p.add_argument("--dir", help="key folder (default PLANNER_KEY_DIR, or data/keys)")
    p.add_argument("--name", default="secrecy-planner", help="the key's name in signatures")
    p.set_defaults(run=_keys)

    p = add_command("rules", help="list the planning rules, their defaults and sources")
    p.set_defaults(run=_rules)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ["PLANNER_LANG"] = args.lang
    try:
        return args.run(args)
    except ScenarioError as error:
        print(error.text(args.lang), file=sys.stderr)
        return 1
    except PlannerBug as error:  # a model the solver refuses: nothing written
        print(pick(args.lang, "程序错误：求解模型无效或无解，未写入，原方案继续有效。"
                              "请将以下内容报告给开发者：",
                   "Bug: the solver refused the model; nothing was written and the plan in "
                   "force stays in force. Please report this:") + f"\n  - {error}",
              file=sys.stderr)
        return 3
    except Exception as error:  # only the database's (below); the rest is raised again
        from sqlalchemy.exc import OperationalError  # not at start-up: most commands need none

        if not isinstance(error, OperationalError):
            raise
        url = getattr(args, "db", None) or os.environ.get("PLANNER_DB", "data/planner.db")
        reason = str(error.orig or error).strip().splitlines()[0]
        print(pick(args.lang, f"无法打开数据库 {url}：{reason}，未写入",
                    f"cannot open the database {url}: {reason}; nothing written"),
              file=sys.stderr)
        return 1
