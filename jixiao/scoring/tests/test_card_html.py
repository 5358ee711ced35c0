# ruff: noqa: E501 -- the template loop below is kept verbatim as the reference
"""The report card's lines rendered in Python show what the template showed."""

from __future__ import annotations

import re
from decimal import Decimal

from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jixiao.scoring.card_html import fixed4, lines_html
from jixiao.scoring.views_support import CardLine

# The loop card.html had before card_html.py, kept here as the reference.
TEMPLATE_LOOP = """{% load scoring_labels %}{% for l in lines %}
  <tr class="{% if l.level == 1 %}fw-semibold table-light{% endif %}"><td><code>{{ l.code }}</code></td><td style="padding-left: {{ l.level }}em">{{ l.name }}</td><td class="small">{{ l.kind|engine }}</td>
    <td class="num">{{ l.points|floatformat:"-4" }}</td><td class="num">{{ l.score|floatformat:"-4" }}</td>
    <td class="num{% if l.lost %} text-danger{% endif %}">{% if l.lost %}{{ l.lost|floatformat:"-4" }}{% endif %}</td>
    <td class="small">{% if l.is_leaf %}{{ l.formula|formula }}{% endif %}{% if l.reason %}{% if l.is_leaf %}；{% endif %}{{ l.reason|formula }}{% endif %}</td></tr>
  {% endfor %}"""


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@given(
    st.decimals(
        min_value=Decimal("-100000"),
        max_value=Decimal("100000"),
        places=7,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_fixed4_shows_what_floatformat_shows(number: Decimal) -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert fixed4(number) == floatformat(number, -4)


def test_the_lines_are_the_templates_lines() -> None:
    lines = [
        CardLine(
            "1",
            "经济发展",
            1,
            "共性指标",
            Decimal("40"),
            Decimal("36.5"),
            Decimal("3.5"),
            "",
            "",
            False,
            False,
        ),
        CardLine(
            "1.1",
            "固定资产投资<完成率>",
            2,
            "个性指标",
            Decimal("20"),
            Decimal("18.25004"),
            Decimal("1.74996"),
            "完成率 91.25%，得 18.25 分",
            "受台风影响 & 延期",
            False,
            True,
        ),
        CardLine(
            "1.2", "安全生产", 2, "扣分", Decimal("10"), Decimal("10"), None, "", "", True, True
        ),
        CardLine(
            "J1",
            "创新加分",
            2,
            "加扣分",
            Decimal("0"),
            Decimal("-0.00001"),
            Decimal("0"),
            "",
            "+2 获省表彰",
            False,
            False,
        ),
    ]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            expected = Template(TEMPLATE_LOOP).render(Context({"lines": lines}))
            assert _squeeze(lines_html(lines)) == _squeeze(expected)
    assert "固定资产投资&lt;完成率&gt;" in lines_html(lines)
