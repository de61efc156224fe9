"""Command line: ``medlint check | rules | rule NAME``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, config or input errors.
"""
from __future__ import annotations

import argparse
import os
import sys
import textwrap

from . import __version__
from .finding import SEVERITIES


def _split(values):
    out = []
    for v in values or []:
        out += [s.strip() for s in v.split(",") if s.strip()]
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="medlint", description="Lint health marketing copy.")
    p.add_argument("--version", action="version", version=f"medlint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="lint files or directories",
                       description="Lint Markdown, HTML and plain-text files.")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="files or directories (default: .); '-' reads standard input")
    c.add_argument("--format", "--output-format", dest="format", default="concise",
                   choices=("concise", "full", "json", "github", "sarif"),
                   help="output format (default: concise)")
    c.add_argument("--select", action="append", metavar="RULES",
                   help="rules to enable: codes, prefixes, names or categories (comma-separated)")
    c.add_argument("--extend-select", action="append", metavar="RULES", help="rules to add to the selection")
    c.add_argument("--ignore", action="append", metavar="RULES", help="rules to disable")
    c.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that makes the exit code 1 "
                                                          "(default: warning, or fail-on in config)")
    c.add_argument("--config", metavar="FILE", help="use this medlint.toml/pyproject.toml")
    c.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    c.add_argument("--rules-dir", action="append", default=[], metavar="DIR", help="extra rule-pack directory")
    c.add_argument("--stdin-filename", metavar="NAME", help="the name (and format) of text read from '-'")
    c.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="parallel processes (default: 1)")
    c.add_argument("--max-file-size", type=float, default=10, metavar="MB",
                   help="files larger than this are reported, not linted (default: 10)")
    c.add_argument("--output-file", "-o", metavar="FILE", help="write the report here instead of stdout")
    c.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    c.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline")
    c.add_argument("--write-baseline", metavar="FILE",
                   help="record the current findings in FILE (then exit 0) for later --baseline runs")

    ls = sub.add_parser("lsp", help="run the language server on stdio (for editors)")
    ls.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (for debugging)")

    r = sub.add_parser("rules", help="list all rules")
    r.add_argument("--format", choices=("text", "json"), default="text")
    r.add_argument("--rules-dir", action="append", default=[], metavar="DIR")

    one = sub.add_parser("rule", help="explain one rule")
    one.add_argument("name", metavar="NAME|CODE")
    one.add_argument("--rules-dir", action="append", default=[], metavar="DIR")
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .registry import MedlintError
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "rule":
            return cmd_rule(args)
        if args.command == "lsp":
            from .lsp import serve
            return serve(args.tcp)
        parser.print_help()
        return 2
    except MedlintError as e:
        print(f"medlint: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("medlint: interrupted", file=sys.stderr)
        return 130


def cmd_check(args) -> int:
    from .engine import Linter, Options, at_or_above
    from .formatters import render
    from .runner import run

    if args.jobs < 1:
        print("medlint: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    options = Options(select=_split(args.select) if args.select else None,
                      extend_select=_split(args.extend_select), ignore=_split(args.ignore),
                      fail_on=args.fail_on, rules_dirs=[os.path.abspath(d) for d in args.rules_dir],
                      config_path=args.config, isolated=args.isolated)
    if "-" in args.paths and len(args.paths) > 1:
        print("medlint: error: '-' (standard input) cannot be combined with other paths", file=sys.stderr)
        return 2
    rs = Linter(options).ruleset(args.paths[0] if args.paths[0] != "-" else ".")  # fail early on bad config
    known = None
    if args.baseline:
        from .baseline import read_baseline
        known = read_baseline(args.baseline)
    result = run(args.paths, options, jobs=args.jobs, stdin_filename=args.stdin_filename,
                 max_size=int(args.max_file_size * 1048576))
    if args.write_baseline:
        from .baseline import write_baseline
        write_baseline(args.write_baseline, result.findings)
        print(f"medlint: wrote {len(result.findings)} finding(s) to baseline {args.write_baseline}",
              file=sys.stderr)
        for e in result.errors:
            print(f"medlint: error: {e['message']}", file=sys.stderr)
        return 2 if result.errors else 0
    if known is not None:
        for r in result.files:
            r.findings = [f for f in r.findings if f.fingerprint not in known]
    out = render(args.format, result, rules=rs.enabled,
                 color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if args.output_file:
        from .util import atomic_write
        atomic_write(args.output_file, out + "\n")
    elif out and not (args.quiet and not result.findings):
        print(out)
    for e in result.errors:
        print(f"medlint: error: {e['message']}", file=sys.stderr)
    if result.errors:
        return 2
    fail_on = args.fail_on or Linter(options).fail_on(args.paths[0] if args.paths[0] != "-" else ".")
    if at_or_above(result.findings, fail_on):
        if args.format in ("concise", "full") and not args.quiet and not args.output_file:
            n = len(result.findings)
            print(f"Found {n} finding{'s' if n != 1 else ''} in {len({f.path for f in result.findings})} "
                  f"file(s).", file=sys.stderr)
        return 1
    return 0


def cmd_rules(args) -> int:
    from .registry import load_rules
    rules = load_rules(tuple(os.path.abspath(d) for d in args.rules_dir))
    if args.format == "json":
        import json
        print(json.dumps([{"code": r.code, "name": r.name, "category": r.category, "kind": r.kind,
                           "severity": r.severity, "description": r.description} for r in rules], indent=2))
        return 0
    w = max(len(r.name) for r in rules)
    print(f"{'CODE':<8} {'NAME':<{w}} {'CATEGORY':<12} {'SEVERITY':<8} SUMMARY")
    for r in rules:
        summary = r.description.split("\n")[0].split(". ")[0].rstrip(".")
        print(f"{r.code:<8} {r.name:<{w}} {r.category:<12} {r.severity:<8} {summary}")
    return 0


def cmd_rule(args) -> int:
    from .registry import MedlintError, find_rule, load_rules
    rules = load_rules(tuple(os.path.abspath(d) for d in args.rules_dir))
    r = find_rule(rules, args.name)
    if r is None:
        raise MedlintError(f"no rule named {args.name!r} (see `medlint rules`)")
    wrap = lambda s: "\n".join(textwrap.fill(p, 88) for p in s.split("\n\n"))  # noqa: E731
    print(f"{r.code} {r.name}  [{r.category}, {r.severity}, kind: {r.kind}]\n")
    print("What it flags\n" + wrap(r.description) + "\n")
    print("Why it matters\n" + wrap(r.why) + "\n")
    print("References")
    for ref in r.references:
        print(f"  - {ref}")
    print("\nFails")
    for ex in r.examples["fail"]:
        print(f"  ✗ {ex.strip()}")
    print("\nPasses")
    for ex in r.examples["pass"]:
        print(f"  ✓ {ex.strip()}")
    if r.params:
        print("\nParameters (override under [tool.medlint.rules." + r.name + "])")
        for k, v in r.params.items():
            shown = v if not isinstance(v, list) or len(v) <= 6 else f"[{len(v)} items]"
            print(f"  {k} = {shown}")
    return 0
