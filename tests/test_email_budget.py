"""The email's size budget is found in a few renders, and it is the same budget a search over
every cap would find: the largest number of items per section that still fits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from digest.config import Config
from digest.grouping import issue_of
from digest.l10n import L10n
from digest.render import email as email_module
from digest.render.environment import make_environment
from digest.weeks import IsoWeek

from .issues import week_of_articles


def _largest_fitting_cap(issue: object, cfg: Config, env: object, l10n: L10n) -> int:
    """The reference: try every cap from the biggest down (slow, exact)."""
    high = max(len(s.articles) for s in issue.remaining)  # type: ignore[attr-defined]
    for cap in range(high, 0, -1):
        subject = email_module.subject_of(issue, cfg, l10n)  # type: ignore[arg-type]
        view = email_module._view(issue, cfg, l10n, cfg.email.short_lead_chars, cap, subject)  # type: ignore[arg-type]
        _, pieces = email_module._render_html(issue, view, cfg, env, l10n)  # type: ignore[arg-type]
        if sum(map(len, pieces)) <= cfg.email.max_html_kb * 1000:
            return cap
    return 1


@pytest.mark.parametrize(("count", "lead", "kb"), [(300, 600, 90), (190, 400, 60), (500, 300, 90)])
def test_the_cap_is_the_largest_that_fits_found_in_few_renders(
    repo_config: Config, monkeypatch: pytest.MonkeyPatch, count: int, lead: int, kb: int
) -> None:
    cfg = replace(repo_config, email=replace(repo_config.email, max_html_kb=kb))
    env = make_environment(cfg.templates)
    l10n = L10n(cfg.site.locale)
    week = IsoWeek.parse("2019-W38")
    articles = week_of_articles(str(week), count, cfg.rules, lead_chars=lead)
    issue = issue_of(week, articles, cfg.rules)
    calls: list[str] = []
    real = email_module.render_template

    def counted(env: object, name: str, **context: object) -> str:
        calls.append(name)
        return real(env, name, **context)  # type: ignore[arg-type]

    monkeypatch.setattr(email_module, "render_template", counted)
    out = email_module.render_email(issue, cfg, env, l10n)
    monkeypatch.setattr(email_module, "render_template", real)
    assert out.budget.startswith("capped ")
    assert int(out.budget.split()[1]) == _largest_fitting_cap(issue, cfg, env, l10n)
    assert len(out.html.encode()) <= kb * 1000
    # The text part once, for the choice; the HTML: full, short, one per section, the
    # estimate and the next one up, and a few more only when the estimate misses.
    assert calls.count(email_module.TEXT_TEMPLATE) == 1
    assert calls.count(email_module.HTML_TEMPLATE) <= 7, calls
