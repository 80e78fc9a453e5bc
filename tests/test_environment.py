"""The template environment writes exactly what stock Jinja2 with autoescape writes, though its
templates escape written values with escape_output (a str) instead of markupsafe.escape (a
Markup): the same text, every value escaped once, macros and blocks not escaped twice."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.render.environment import escape_output, make_environment

# Everything a markup template does with a value: write it, in an attribute, joined with ~,
# through a filter, from a macro, from a {% set %} block, marked safe, as a number, in a loop.
TEMPLATE = """\
{% macro item(x) %}<li title="{{ x }}">{{ x | upper }}</li>{% endmacro %}
{% set block %}<b>{{ value }}</b>{% endset %}
<p>{{ value }}</p><p>{{ value ~ "&" ~ safe }}</p>{{ block }}{{ block | upper }}
<a href="/{{ value | urlencode }}">{{ safe }}</a>{{ safe | safe }}{{ number }}{{ markup }}
<ul>{% for v in values %}{{ item(v) }}{% endfor %}</ul>{{ values | join(", ") }}
{% autoescape false %}{{ value }}{% endautoescape %}{{ value if number else safe }}
"""


def _stock(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "t.html.j2").write_text(TEMPLATE, "utf-8")
    (tmp_path / "t.txt.j2").write_text(TEMPLATE, "utf-8")
    return tmp_path


@settings(max_examples=150, deadline=None, derandomize=True)
@given(value=st.text(max_size=40), values=st.lists(st.text(max_size=10), max_size=4))
def test_a_markup_template_writes_what_stock_jinja2_writes(
    tmp_path_factory: pytest.TempPathFactory, value: str, values: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("t")
    (folder / "t.html.j2").write_text(TEMPLATE, "utf-8")
    context = {
        "value": value,
        "values": values,
        "safe": "<i>&amp;</i>",
        "number": len(value),
        "markup": markupsafe.Markup("<em>ok</em>"),
    }
    ours = make_environment(folder).get_template("t.html.j2").render(**context)
    assert ours == _stock(folder).get_template("t.html.j2").render(**context)


def test_values_are_escaped_once_and_macros_not_twice(folder: Path) -> None:
    out = (
        make_environment(folder)
        .get_template("t.html.j2")
        .render(
            value='<script>"x"</script>',
            values=["a<b"],
            safe="<i>",
            number=0,
            markup=markupsafe.Markup("<em>ok</em>"),
        )
    )
    assert "<p>&lt;script&gt;&#34;x&#34;&lt;/script&gt;</p>" in out
    assert "<b>&lt;script&gt;" in out  # the {% set %} block: escaped inside, not again
    assert '<li title="a&lt;b">A&lt;B</li>' in out  # the macro's markup stays markup
    assert "<em>ok</em>" in out and "<script>" in out  # Markup, and autoescape false


def test_the_plain_text_template_escapes_nothing(folder: Path) -> None:
    text = (
        make_environment(folder)
        .get_template("t.txt.j2")
        .render(value="<a & b>", values=[], safe="<i>", number=1, markup="m")
    )
    assert "<p><a & b></p>" in text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_escape_output_is_markupsafe_escape_as_str(value: object) -> None:
    assert type(escape_output(value)) in (str, markupsafe.Markup)
    assert escape_output(value) == str(markupsafe.escape(value))


def test_the_swap_holds_for_every_template_the_build_uses(repo_config: Config) -> None:
    """Should a Jinja2 release stop calling the global `escape`, this fails: the output
    would still be right, only the speed-up gone (see render/environment.py _Template)."""
    env = make_environment(repo_config.templates)
    names = env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    assert "email/digest.mjml.j2" in names and "web/week.html.j2" in names
    for name in names:
        namespace = env.get_template(name).root_render_func.__globals__
        assert namespace["escape"] is escape_output, name


@pytest.mark.parametrize("reload", [True, False])
def test_a_run_without_reload_keeps_the_template_it_read_first(
    tmp_path: Path, reload: bool
) -> None:
    path = tmp_path / "t.html.j2"
    path.write_text("eins", "utf-8")
    env = make_environment(tmp_path, reload=reload)
    assert env.get_template("t.html.j2").render() == "eins"
    path.write_text("zwei", "utf-8")
    os.utime(path, (path.stat().st_atime + 10, path.stat().st_mtime + 10))
    assert env.get_template("t.html.j2").render() == ("zwei" if reload else "eins")
