"""The engine: runs the selected rules over a Document, maps spans to positions once, and
applies configuration (selection, per-file ignores, severities) and inline suppressions."""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field

from .config import Config, config_for, load_config_file
from .deadline import stage
from .document import Document
from .finding import SEVERITY_RANK, Finding, Fix, Related
from .kinds import Hit
from .registry import MedlintError, Rule, load_rules
from .suppress import Suppressions

log = logging.getLogger("medlint")


@dataclass
class Options:
    """Command-line / API overrides applied on top of the file's configuration."""
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    rules_dirs: list[str] = field(default_factory=list)
    config_path: str | None = None  # use this file instead of searching
    isolated: bool = False  # ignore configuration files
    # report nothing located in HTML page furniture (blocks tagged nav/header/footer/aside by
    # the parser); rules still read those blocks (a risk disclosure in a footer counts)
    main_content: bool = False
    config: Config | None = None  # use this configuration as is (API callers, training)
    timeout: float | None = None  # seconds per page (0: no limit); None: config, else 60
    claims: bool = False  # also list each page's claims (FileResult.claims, ``medlint claims``)


class RuleSet:
    """The rules of one effective configuration, built once and reused for every file."""

    def __init__(self, config: Config, options: Options):
        self.config = config
        self.options = options
        dirs = tuple(config.extra_rules) + tuple(options.rules_dirs)
        self.all_rules: tuple[Rule, ...] = load_rules(dirs)
        select = options.select if options.select is not None else config.select
        extend = list(config.extend_select) + list(options.extend_select)
        ignore = list(config.ignore) + list(options.ignore)
        for sel in list(select) + extend + ignore + list(config.severity):
            if not any(r.matches(sel) for r in self.all_rules):
                raise MedlintError(f"unknown rule selector {sel!r} (see `medlint rules`)")
        self.enabled = [r for r in self.all_rules
                        if any(r.chosen_by(s) for s in list(select) + extend)
                        and not any(r.matches(s) for s in ignore)]
        for name in config.rules:
            if not any(r.name == name or r.code == name for r in self.all_rules):
                raise MedlintError(f"{config.path}: [rules.{name}]: no such rule")
        self._impls = {}
        self.knowledge = None

    def impl(self, rule: Rule):
        if rule.name not in self._impls:
            params = self.config.rules.get(rule.name) or self.config.rules.get(rule.code) or {}
            try:
                self._impls[rule.name] = rule.build(params)
            except MedlintError as e:
                where = self.config.path or "config"
                raise MedlintError(f"{where}: [rules.{rule.name}]: {e}") from None
        return self._impls[rule.name]

    def severity(self, rule: Rule, default: str | None = None) -> str:
        """The configured severity of ``rule``, else ``default`` (a hit's own), else the rule's."""
        for key in (rule.name, rule.code, rule.category):
            if key in self.config.severity:
                return self.config.severity[key]
        return default or rule.severity

    def rules_for(self, path: str) -> list[Rule]:
        ignored = self.config.ignored_for(path)
        return [r for r in self.enabled if not any(r.matches(s) for s in ignored)]

    def get_knowledge(self):
        if self.knowledge is None:
            from .knowledge import load_knowledge
            self.knowledge = load_knowledge(self.config.knowledge)
        return self.knowledge


class Linter:
    """Lints documents. One Linter serves many files; it caches rule sets per config file."""

    def __init__(self, options: Options | None = None):
        self.options = options or Options()
        self._sets: dict[str, RuleSet] = {}
        self._fixed_config = None
        if self.options.config is not None:
            self._fixed_config = self.options.config
        elif self.options.config_path:
            self._fixed_config = load_config_file(self.options.config_path)

    def config_for(self, path: str) -> Config:
        if self._fixed_config is not None:
            return self._fixed_config
        if self.options.isolated:
            return Config()
        return config_for(path)

    def ruleset(self, path: str) -> RuleSet:
        cfg = self.config_for(path)
        key = cfg.path or "<default>"
        if key not in self._sets:
            self._sets[key] = RuleSet(cfg, self.options)
            if cfg.nlp_model:
                from . import nlp
                nlp.configure(cfg.nlp_model)
        return self._sets[key]

    def timeout(self, path: str) -> float | None:
        """Seconds one page may take (None: no limit): --timeout, the config key, or 60."""
        from .deadline import DEFAULT_TIMEOUT
        t = self.options.timeout
        if t is None:
            t = self.config_for(path).timeout
        if t is None:
            t = DEFAULT_TIMEOUT
        return t or None

    def fail_on(self, path: str = ".") -> str:
        return self.options.fail_on or self.config_for(path).fail_on

    def lint(self, doc: Document, errors: list | None = None) -> list[Finding]:
        rs = self.ruleset(doc.path)
        sup = Suppressions(doc)
        findings: list[Finding] = []
        for rule in rs.rules_for(doc.path):
            impl = rs.impl(rule)
            if impl.site_wide and not hasattr(impl, "check_document"):
                continue
            stage(f"running rule {rule.name} ({rule.code})")
            try:
                for hit in impl.check(doc, rs):
                    if self.options.main_content and hit.block.container:
                        continue
                    f = self.to_finding(doc, rule, rs, hit)
                    if sup and sup.suppressed(rule, f.line):
                        continue
                    findings.append(f)
            except MedlintError:
                raise
            except Exception as e:  # a crashing rule must not take the other rules down
                log.debug("rule %s crashed on %s\n%s", rule.name, doc.path, traceback.format_exc())
                msg = f"{doc.path}: internal error in rule {rule.name} ({rule.code}): {type(e).__name__}: {e}"
                if errors is None:
                    raise
                errors.append(msg)
        findings.sort(key=Finding.sort_key)
        from .baseline import fingerprint_findings
        fingerprint_findings(findings, doc.source)
        return findings

    @staticmethod
    def to_finding(doc: Document, rule: Rule, rs: RuleSet, hit: Hit) -> Finding:
        line, col, end_line, end_col = doc.span_position(hit.block, hit.start, hit.end)
        message = hit.message
        if message is None:
            try:
                message = rule.message.format(**hit.args)
            except (KeyError, IndexError, ValueError):
                message = rule.message
        related = []
        for r in hit.related:
            if isinstance(r, Related):
                related.append(r)
            else:
                blk, s, e, msg = r
                rl, rc, rel, rec = doc.span_position(blk, s, e)
                related.append(Related(doc.path, rl, rc, msg, rel, rec))
        fix = Fix(hit.replacement, hit.fix_message or f"Replace with '{hit.replacement}'") \
            if hit.replacement is not None else None
        return Finding(path=doc.path, line=line, column=col, end_line=end_line, end_column=end_col,
                       code=rule.code, rule=rule.name, category=rule.category,
                       severity=rs.severity(rule, hit.severity), message=message, subject=hit.subject,
                       related=related, fix=fix, start_offset=hit.block.src_offset(hit.start),
                       end_offset=hit.block.src_end(hit.end))


def at_or_above(findings, threshold: str) -> list[Finding]:
    rank = SEVERITY_RANK[threshold]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= rank]
