"""The command line: a thin shell over the library.

    python -m planner validate SCENARIO [--json]
    python -m planner generate --out DIR [--scale K] [--seed N]
    python -m planner rules

``--lang en`` (or ``PLANNER_LANG=en``) switches the text to English.
Exit codes: 0 done, 1 the input was refused (every problem printed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from planner.errors import ScenarioError
from planner.i18n import LANGS, current_lang


def _validate(args: argparse.Namespace) -> int:
    from planner.scenario import load_scenario
    from planner.summary import format_summary, summarize

    scenario = load_scenario(args.scenario)
    summary = summarize(scenario)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(format_summary(scenario, summary, args.lang))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from planner.generate import write

    if args.scale < 1:
        print(_text(args.lang, "--scale 必须至少为 1", "--scale must be at least 1"),
              file=sys.stderr)
        return 2
    try:
        out = write(args.out, args.scale, args.seed)
    except FileExistsError:
        print(_text(args.lang, f"输出目录 {args.out} 已存在且不为空，未写入",
                    f"the output folder {args.out} exists and is not empty; nothing written"),
              file=sys.stderr)
        return 1
    print(_text(args.lang, f"已生成 ×{args.scale} 场景（种子 {args.seed}）：{out}",
                f"generated a ×{args.scale} scenario (seed {args.seed}): {out}"))
    return 0


def _rules(args: argparse.Namespace) -> int:
    from planner.rules import Rules

    for key, default, zh, en, source in Rules.documented():
        print(f"{key} = {default}\n    {zh if args.lang == 'zh' else en}\n    source: {source}")
    return 0


def _text(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner",
                                     description="保密服务保障规划器 secrecy-support planner")
    parser.add_argument("--lang", choices=LANGS, default=current_lang(),
                        help="zh (default) or en; also PLANNER_LANG")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a scenario and summarise it")
    p.add_argument("scenario", help="scenario folder or .xlsx workbook")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=_validate)

    p = sub.add_parser("generate", help="write a congress K times the reference")
    p.add_argument("--out", required=True, help="folder to create (must be new or empty)")
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_generate)

    p = sub.add_parser("rules", help="list the planning rules, their defaults and sources")
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
