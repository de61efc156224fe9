"""Command line: ``medlint check | audit | claims | rules | rule NAME | lsp | serve``.

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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0: no limit)")
    return value


def _add_rule_options(p) -> None:
    """The options every linting command shares: which rules, which configuration, limits."""
    p.add_argument("--select", action="append", metavar="RULES",
                   help="rules to enable: codes, prefixes, names or categories (comma-separated)")
    p.add_argument("--extend-select", action="append", metavar="RULES", help="rules to add to the selection")
    p.add_argument("--ignore", action="append", metavar="RULES", help="rules to disable")
    p.add_argument("--config", metavar="FILE", help="use this medlint.toml/pyproject.toml")
    p.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    p.add_argument("--rules-dir", action="append", default=[], metavar="DIR", help="extra rule-pack directory")
    p.add_argument("--max-file-size", type=float, default=10, metavar="MB",
                   help="files larger than this are reported as failed, not linted (default: 10)")
    p.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                   help="time one page may take before it is reported as failed and skipped "
                        "(default: 60, or 'timeout' in config; 0: no limit)")


def _options(args, **extra):
    from .engine import Options
    return Options(select=_split(args.select) if args.select else None,
                   extend_select=_split(args.extend_select), ignore=_split(args.ignore),
                   fail_on=getattr(args, "fail_on", None), rules_dirs=[os.path.abspath(d) for d in args.rules_dir],
                   config_path=args.config, isolated=args.isolated, timeout=args.timeout, **extra)


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
    _add_rule_options(c)
    c.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that makes the exit code 1 "
                                                          "(default: warning, or fail-on in config)")
    c.add_argument("--stdin-filename", metavar="NAME", help="the name (and format) of text read from '-'")
    c.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="parallel processes (default: 1)")
    c.add_argument("--output-file", "-o", metavar="FILE", help="write the report here instead of stdout")
    c.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    c.add_argument("--sort", choices=("position", "severity"), default="position",
                   help="order of findings: by file and position (default), or errors first")
    c.add_argument("--statistics", action="store_true",
                   help="print the number of findings per rule instead of the findings")
    c.add_argument("--fix", action="store_true",
                   help="apply safe fixes (jargon's plain word) in place, then report what remains")
    c.add_argument("--diff", action="store_true",
                   help="print the safe fixes as a unified diff and change nothing (exit 1 if any)")
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
    _add_audit_parser(sub)

    cl = sub.add_parser(
        "claims", help="the claims register: every claim, its citation and status",
        description="List every efficacy, safety and exaggerated claim and every vague attribution "
                    "the pages make, with the citation that supports it as found on the page (link, "
                    "DOI, PMID, reference-list entry, author and year) and its status: cited, "
                    "uncited, vague or broken reference. Identical claims on several pages are one "
                    "row listing each place. Exit status: 0, or 2 when a page could not be read.")
    cl.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    cl.add_argument("--format", default="table", choices=("table", "csv", "json"),
                    help="output format (default: table)")
    cl.add_argument("--status", action="append", metavar="STATUS",
                    help="only claims with this status: uncited, vague, broken, cited (comma-separated)")
    _add_rule_options(cl)
    cl.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="parallel processes (default: 1)")
    cl.add_argument("--output-file", "-o", metavar="FILE", help="write the register here instead of stdout")

    sv = sub.add_parser(
        "serve", help="a writer's editor in the browser: findings as you type",
        description="Start a local web editor: paste, type or open a Markdown, HTML or text file "
                    "under PATH and see the findings inline as you type, each section's reading "
                    "grade, a page summary and the claims register; apply fixes, add suppressions, "
                    "save back to the file or download. Works with no network access.")
    sv.add_argument("path", nargs="?", default=".", metavar="PATH",
                    help="the folder (or one file) whose files can be opened and saved (default: .)")
    sv.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default: 127.0.0.1, this computer only)")
    sv.add_argument("--open", action="store_true", help="open the editor in the web browser")
    sv.add_argument("--verbose", "-v", action="store_true", help="log every request")
    _add_rule_options(sv)
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
        if args.command == "audit":
            return cmd_audit(args)
        if args.command == "claims":
            return cmd_claims(args)
        if args.command == "lsp":
            from .lsp import serve
            return serve(args.tcp)
        if args.command == "serve":
            from .serve import serve
            return serve(args.path, _options(args), args.host, args.port, args.open,
                         int(args.max_file_size * 1048576), args.verbose)
        parser.print_help()
        return 2
    except MedlintError as e:
        print(f"medlint: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("medlint: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("medlint: error: out of memory", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `medlint check | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as e:  # a bug: say so in one line, exit 2 (not 1, which means findings)
        print(f"medlint: internal error: {type(e).__name__}: {e} (please report it; run with "
              f"MEDLINT_DEBUG=1 for the traceback)", file=sys.stderr)
        if os.environ.get("MEDLINT_DEBUG"):
            raise
        return 2


def cmd_check(args) -> int:
    from .engine import Linter, at_or_above
    from .finding import finding_stats
    from .formatters import render
    from .runner import run

    if args.jobs < 1:
        print("medlint: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    options = _options(args)
    if "-" in args.paths and len(args.paths) > 1:
        print("medlint: error: '-' (standard input) cannot be combined with other paths", file=sys.stderr)
        return 2
    rs = Linter(options).ruleset(args.paths[0] if args.paths[0] != "-" else ".")  # fail early on bad config
    if args.fix or args.diff:
        return _fix(args, options, rs)
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
    result.order = args.sort
    findings = result.findings
    stats = finding_stats(findings)
    if args.statistics:
        from .formatters import render_statistics, statistics
        out = render_statistics(statistics(stats), "json" if args.format == "json" else "text")
    else:
        out = render(args.format, result, rules=rs.enabled,
                     color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if args.output_file:
        from .util import atomic_write
        atomic_write(args.output_file, out + "\n")
    elif out and not (args.quiet and not findings):
        print(out)
    for e in result.errors:
        print(f"medlint: error: {e['message']}", file=sys.stderr)
    if result.errors:
        return 2
    if findings and args.format in ("concise", "full") and not args.quiet and not args.output_file:
        from .formatters import severity_summary
        print(severity_summary(stats, len({f.path for f in findings})), file=sys.stderr)
    fail_on = args.fail_on or Linter(options).fail_on(args.paths[0] if args.paths[0] != "-" else ".")
    return 1 if at_or_above(findings, fail_on) else 0


def _fix(args, options, rs) -> int:
    """check --fix / --diff: see medlint.fix."""
    from .engine import Linter, at_or_above
    from .finding import finding_stats
    from .fix import fix_path, fix_source, write_fixed
    from .formatters import render, severity_summary
    from .runner import FileResult, InputError, RunResult, decode, discover
    from .parsers import format_for

    linter = Linter(options)
    max_size = int(args.max_file_size * 1048576)
    results = []
    if args.paths == ["-"]:
        try:
            source = decode(sys.stdin.buffer.read(), args.stdin_filename or "-", max_size)
        except InputError as e:
            print(f"medlint: error: {e}; not fixed", file=sys.stderr)
            return 2
        name = args.stdin_filename or "-"
        res = fix_source(linter, source, name, format_for(args.stdin_filename) if args.stdin_filename else None)
        results.append(res)
        if args.fix and res.error is None:
            sys.stdout.write(res.fixed)  # standard input: the fixed text goes to standard output
    else:
        for path in discover(args.paths, options):
            res = fix_path(linter, path, max_size)
            results.append(res)
            if args.fix and res.changed:
                write_fixed(res)
    errors = [r.error for r in results if r.error]
    fixed = [r for r in results if r.changed and r.error is None]
    n = sum(len(r.applied) for r in fixed)
    files = f"{len(fixed)} file{'s' if len(fixed) != 1 else ''}"
    if args.diff:
        for r in fixed:
            sys.stdout.write(r.diff())
        print(f"medlint: would fix {n} finding{'s' if n != 1 else ''} in {files}" if fixed
              else "medlint: nothing to fix", file=sys.stderr)
        for e in errors:
            print(f"medlint: error: {e}", file=sys.stderr)
        return 2 if errors else (1 if fixed else 0)
    remaining = RunResult(files=[FileResult(r.path, findings=r.remaining) for r in results if r.error is None],
                          order=args.sort)
    findings = remaining.findings
    if args.paths != ["-"] and findings and not args.quiet:
        print(render(args.format, remaining, rules=rs.enabled,
                     color=sys.stdout.isatty() and not os.environ.get("NO_COLOR")))
    for r in fixed:
        print(f"medlint: fixed {len(r.applied)} finding{'s' if len(r.applied) != 1 else ''} in {r.path}", file=sys.stderr)
    print(f"medlint: fixed {n} finding{'s' if n != 1 else ''} in {files}; {len(findings)} remaining"
          if fixed else f"medlint: nothing to fix; {len(findings)} finding{'s' if len(findings) != 1 else ''}",
          file=sys.stderr)
    if findings and args.format in ("concise", "full") and not args.quiet:
        print(severity_summary(finding_stats(findings), len({f.path for f in findings})), file=sys.stderr)
    for e in errors:
        print(f"medlint: error: {e}", file=sys.stderr)
    if errors:
        return 2
    fail_on = args.fail_on or linter.fail_on(args.paths[0] if args.paths[0] != "-" else ".")
    return 1 if at_or_above(findings, fail_on) else 0


def cmd_claims(args) -> int:
    from . import register
    from .engine import Linter
    from .runner import run

    if args.jobs < 1:
        print("medlint: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    wanted = None
    if args.status:
        names = {"broken": "broken reference", "broken-reference": "broken reference"}
        wanted = {names.get(x, x) for x in _split(args.status)}
        bad = sorted(wanted - set(register.STATUSES))
        if bad:
            print(f"medlint: error: --status: unknown status {bad[0]!r} (uncited, vague, broken, cited)",
                  file=sys.stderr)
            return 2
    if "-" in args.paths:
        print("medlint: error: medlint claims reads files and directories, not standard input ('-')",
              file=sys.stderr)
        return 2
    options = _options(args, claims=True)
    Linter(options).ruleset(args.paths[0])  # fail early on a bad configuration or rule pack
    result = run(args.paths, options, jobs=args.jobs, max_size=int(args.max_file_size * 1048576))
    rows = register.register(r.claims or [] for r in result.files)
    if wanted is not None:
        rows = [r for r in rows if r["status"] in wanted]
    if args.format == "json":
        out = register.to_json(rows) + "\n"
    elif args.format == "csv":
        import io
        buf = io.StringIO()
        register.write_csv(rows, buf)
        out = buf.getvalue()
    else:
        import shutil
        tty = sys.stdout.isatty() and not args.output_file
        out = register.to_table(rows, shutil.get_terminal_size().columns if tty else None) + "\n"
    if args.output_file:
        from .util import atomic_write
        atomic_write(args.output_file, out)
    else:
        sys.stdout.write(out)
    for e in result.errors:
        print(f"medlint: error: {e['message']}", file=sys.stderr)
    return 2 if result.errors else 0


def cmd_rules(args) -> int:
    from .registry import load_rules
    rules = load_rules(tuple(os.path.abspath(d) for d in args.rules_dir))
    if args.format == "json":
        import json
        print(json.dumps([{"code": r.code, "name": r.name, "category": r.category, "kind": r.kind,
                           "severity": r.severity, "opt_in": r.opt_in, "description": r.description}
                          for r in rules], indent=2))
        return 0
    w = max(len(r.name) for r in rules)
    print(f"{'CODE':<8} {'NAME':<{w}} {'CATEGORY':<12} {'SEVERITY':<8} SUMMARY")
    for r in rules:
        summary = r.description.split("\n")[0].split(". ")[0].rstrip(".")
        if r.opt_in:
            summary = f"(opt-in: select it by name or code) {summary}"
        print(f"{r.code:<8} {r.name:<{w}} {r.category:<12} {r.severity:<8} {summary}")
    print(knowledge_summary())
    return 0


def knowledge_summary() -> str:
    """One line on the knowledge base the risk rules read: entries, their kinds, references."""
    from collections import Counter

    from .knowledge import load_knowledge, reference_ids
    kb = load_knowledge()
    kinds = Counter(t.type for t in kb.treatments)
    refs = {r for t in kb.treatments for r in t.references + [k.reference for k in t.key_risks + t.regulatory]
            + ([t.status.reference] if t.status else [])}
    ided = sum(1 for r in refs if reference_ids(r))
    parts = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    return (f"\nKnowledge base: {len(kb.treatments)} treatment entries ({parts}); "
            f"{len(refs)} distinct references, {ided} with an identifier (URL, DOI, PMID, CFR/U.S.C.)")


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
    from .model import decision_summary
    how = decision_summary(r)
    if how:
        print("\nHow it decides\n" + wrap(how))
    if r.params:
        print("\nParameters (override under [tool.medlint.rules." + r.name + "])")
        for k, v in r.params.items():
            shown = v if not isinstance(v, list) or len(v) <= 6 else f"[{len(v)} items]"
            print(f"  {k} = {shown}")
    return 0


# --- medlint audit ---------------------------------------------------------------------------

def _add_audit_parser(sub):
    a = sub.add_parser(
        "audit", help="audit a whole site: HTML report, CSV and JSON of every page",
        description="Lint every page under PATH (HTML exported from a site, Markdown, text), in "
                    "parallel, with cross-page duplicates, and write a self-contained HTML report, a "
                    "CSV of findings and/or JSON. Exit status: 0 clean, 1 findings at or above "
                    "--fail-on, 2 when any page failed (it is still listed in the reports).")
    a.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    a.add_argument("--report", metavar="FILE", help="write the HTML report (one self-contained file)")
    a.add_argument("--csv", metavar="FILE", help="write one CSV row per finding")
    a.add_argument("--json", metavar="FILE", help="write the audit as JSON")
    a.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="parallel processes (default: all cores)")
    a.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs medlint[dask])")
    a.add_argument("--no-cache", action="store_true", help="lint every page again; do not read or "
                                                           "write the cache")
    a.add_argument("--cache-dir", default=".medlint_cache", metavar="DIR",
                   help="cache directory (default: .medlint_cache)")
    a.add_argument("--all-content", action="store_true",
                   help="also report findings in HTML navigation, headers, footers and sidebars")
    _add_rule_options(a)
    a.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that makes the exit code 1")
    a.add_argument("--top", type=int, default=10, metavar="N", help="riskiest pages to print (default: 10)")
    a.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    a.add_argument("--statistics", action="store_true", help="also print the number of findings per rule")


def cmd_audit(args) -> int:
    from .audit import ProgressBar, audit
    from .engine import Linter

    if args.jobs is not None and args.jobs < 1:
        print("medlint: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    options = _options(args, main_content=not args.all_content)
    Linter(options).ruleset(args.paths[0])  # fail early on a bad configuration or rule pack
    bar = ProgressBar(sys.stderr)
    try:
        result = audit(args.paths, options, jobs=args.jobs, cache=not args.no_cache,
                       cache_dir=args.cache_dir, scheduler=args.scheduler,
                       main_content=not args.all_content, progress=bar,
                       max_size=int(args.max_file_size * 1048576))
    finally:
        bar.close()
    # every report goes to a temporary file first, renamed once all are written: an
    # interrupted run leaves no half-written report
    from .audit import write_outputs
    outputs = []
    if args.report:
        from .formatters.report import write_report
        outputs.append((args.report, lambda fh: write_report(result, fh)))
    if args.csv:
        from .formatters.csv import write_csv
        outputs.append((args.csv, lambda fh: write_csv(result, fh)))
    if args.json:
        outputs.append((args.json, result.write_json))
    try:
        write_outputs(outputs)
    finally:
        result.close()
    if not args.quiet:
        print(_audit_summary(result, args.top, [p for p, _ in outputs]))
    if args.statistics:
        from .formatters import render_statistics, statistics
        print(("\n" if not args.quiet else "") + render_statistics(statistics(result.stats())))
    failed = result.failed
    for r in failed[:20]:
        for e in r.errors:
            print(f"medlint: error: {e}", file=sys.stderr)
    if len(failed) > 20:
        print(f"medlint: error: ... and {len(failed) - 20} more failed pages (listed in the reports)",
              file=sys.stderr)
    if failed:
        return 2
    return 1 if result.has_findings_at(args.fail_on or result.fail_on) else 0


def _audit_summary(result, top: int, written: list[str]) -> str:
    s = result.summary()
    sev = s["by_severity"]
    how = ("all from the cache" if s["pages"] and s["cached_pages"] == s["pages"] else
           f"on {s['executor']}" + (f", {s['cached_pages']} from cache" if s["cached_pages"] else ""))
    lines = [f"Audited {s['pages']} page{'s' if s['pages'] != 1 else ''} ({s['words']:,} words) in "
             f"{s['seconds']:.1f} s, {how}.",
             f"{s['findings']} findings: {sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings, "
             f"{sev.get('info', 0)} info; {s['duplicate_clusters']} cross-page duplicate clusters; "
             f"{s['failed_pages']} page{'s' if s['failed_pages'] != 1 else ''} failed."]
    ranked = sorted(result.files, key=lambda r: (-(result.scores.get(r.path) or 0), r.path))[:max(0, top)]
    ranked = [r for r in ranked if r.count]
    if ranked:
        lines.append("")
        lines.append(f"{'RISK':>4}  {'FINDINGS':>8}  PAGE")
        for r in ranked:
            lines.append(f"{result.scores.get(r.path, 0):>4}  {r.count:>8}  {result.display_path(r.path)}")
    for p in written:
        lines.append(f"Wrote {p}")
    return "\n".join(lines)

