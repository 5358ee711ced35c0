import io
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from jixiao.audit.context import acting_as
from jixiao.core.excel import workbook_response_bytes
from jixiao.core.testing import PERSONA_USERNAMES, login
from jixiao.scheme import actions as scheme_actions
from jixiao.scheme import excel_io
from jixiao.scheme.actions import revision_diff
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import (
    Indicator,
    RevisionStatus,
    Scheme,
    SchemeRevision,
    SchemeStatus,
)

READ_PAGES = ["scheme_detail", "revision_list"]
OFFICE_PAGES = [
    "scheme_settings",
    "scheme_validate",
    "scheme_diff",
    "export_xlsx",
    "export_json",
    "scheme_import",
]
ALL_ROLES = list(PERSONA_USERNAMES)


def client_for(personas: dict[str, Any], name: str) -> Client:
    return login(Client(), personas[name])


@pytest.mark.parametrize("name", ALL_ROLES)
def test_permission_matrix_of_every_page(
    published: Scheme, personas: dict[str, Any], name: str
) -> None:
    client = client_for(personas, name)
    indicator = Indicator.objects.get(scheme=published, code="A1")
    role = personas[name].role
    for page in READ_PAGES:
        status = client.get(reverse(f"scheme:{page}", args=[published.pk])).status_code
        assert status == (200 if role in ("office", "department", "unit") else 403), (page, status)
    for page in OFFICE_PAGES:
        status = client.get(reverse(f"scheme:{page}", args=[published.pk])).status_code
        assert status == (200 if role == "office" else 403), (page, status)
    for url in [
        reverse("scheme:indicator_edit", args=[published.pk, indicator.pk]),
        reverse("scheme:indicator_move", args=[published.pk, indicator.pk]),
        reverse("scheme:indicator_create", args=[published.pk]),
        reverse("scheme:scheme_create"),
    ]:
        status = client.get(url).status_code
        assert status in ((200, 302) if role == "office" else (403,)), (url, status)
    api = client.get(f"/api/v1/scheme/schemes/{published.pk}/indicators/").status_code
    assert api == (200 if role in ("office", "department", "unit") else 403)


@pytest.mark.parametrize("name", ["dept", "unit", "sysadmin", "leader"])
def test_only_the_office_can_write(
    published: Scheme, draft: Scheme, personas: dict[str, Any], name: str
) -> None:
    client = client_for(personas, name)
    scheme = Scheme.objects.get(pk=draft.pk)
    indicator = Indicator.objects.get(scheme=scheme, code="A1")
    before = load_nodes(scheme)
    posts = [
        (
            reverse("scheme:indicator_points", args=[scheme.pk, indicator.pk]),
            {"category": "AG", "points": "1", "version": indicator.version},
        ),
        (
            reverse("scheme:indicator_delete", args=[scheme.pk, indicator.pk]),
            {"version": indicator.version},
        ),
        (reverse("scheme:indicator_shift", args=[scheme.pk, indicator.pk, "down"]), {}),
        (reverse("scheme:revision_start", args=[scheme.pk]), {"reason": "x"}),
        (reverse("scheme:scheme_close", args=[scheme.pk]), {"version": scheme.version}),
        (
            reverse("scheme:indicator_edit", args=[scheme.pk, indicator.pk]),
            {"code": "HACK", "name": "x"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert load_nodes(scheme) == before
    assert Scheme.objects.get(pk=scheme.pk).status == SchemeStatus.PUBLISHED


def test_departments_and_units_never_see_a_draft(draft: Scheme, personas: dict[str, Any]) -> None:
    for name in ("dept", "unit"):
        client = client_for(personas, name)
        assert client.get(reverse("scheme:scheme_detail", args=[draft.pk])).status_code == 404
        assert client.get(f"/api/v1/scheme/schemes/{draft.pk}/indicators/").status_code == 404


def test_a_unit_reads_only_the_indicators_of_its_category(
    published: Scheme, unit_client: Client
) -> None:
    data = unit_client.get(f"/api/v1/scheme/schemes/{published.pk}/indicators/").json()
    assert all(set(i["points"]) == {"AG", "ST"} for i in data["indicators"])
    page = unit_client.get(reverse("scheme:scheme_detail", args=[published.pk])).content.decode()
    assert "街道类分值" in page
    assert "机关类分值" not in page


def test_unit_restricted_indicators_are_hidden_from_other_units(
    published: Scheme, personas: dict[str, Any], office: Any
) -> None:
    Indicator.objects.get(scheme=published, code="C1").units.set([personas["unit"].organization])
    mine = (
        client_for(personas, "unit")
        .get(f"/api/v1/scheme/schemes/{published.pk}/indicators/")
        .json()
    )
    theirs = (
        client_for(personas, "other_unit")
        .get(f"/api/v1/scheme/schemes/{published.pk}/indicators/")
        .json()
    )
    assert "C1" in [i["code"] for i in mine["indicators"]]
    assert "C1" not in [i["code"] for i in theirs["indicators"]]


def test_a_department_reads_only_the_indicators_it_owns(
    published: Scheme, personas: dict[str, Any]
) -> None:
    data = (
        client_for(personas, "other_dept")
        .get(f"/api/v1/scheme/schemes/{published.pk}/indicators/")
        .json()
    )
    assert [i["code"] for i in data["indicators"]] == ["A", "A2"]


def test_inline_points_edit_returns_the_tree_with_live_sums(
    draft: Scheme, office_client: Client
) -> None:
    indicator = Indicator.objects.get(scheme=draft, code="A1")
    response = office_client.post(
        reverse("scheme:indicator_points", args=[draft.pk, indicator.pk]),
        {"category": "AG", "points": "39", "version": indicator.version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="tree-region"' in body
    assert "下级 59" in body  # A's children now add up to 59, not 60
    assert "jx-invalid" in body
    assert indicator.points.get(category__code="AG").points == Decimal(39)


def test_a_stale_inline_edit_conflicts_and_changes_nothing(
    draft: Scheme, office_client: Client
) -> None:
    indicator = Indicator.objects.get(scheme=draft, code="A1")
    url = reverse("scheme:indicator_points", args=[draft.pk, indicator.pk])
    office_client.post(
        url,
        {"category": "AG", "points": "41", "version": indicator.version},
        HTTP_HX_REQUEST="true",
    )
    response = office_client.post(
        url,
        {"category": "AG", "points": "42", "version": indicator.version},
        HTTP_HX_REQUEST="true",
    )
    assert "已被他人修改" in response.content.decode()
    assert indicator.points.get(category__code="AG").points == Decimal(41)


def test_the_leaf_form_validates_parameters_with_the_registry(
    draft: Scheme, office_client: Client, department_org: Any
) -> None:
    indicator = Indicator.objects.get(scheme=draft, code="A2")
    url = reverse("scheme:indicator_edit", args=[draft.pk, indicator.pk])
    data = {
        "code": "A2",
        "name": "依法行政",
        "kind": "common",
        "owner": department_org.pk,
        "period": "annual",
        "method": "deduction",
        "param_per_occurrence": "-1",
        "param_floor": "",
        "points_AG": "20",
        "points_ST": "200",
        "version": indicator.version,
    }
    response = office_client.post(url, data)
    assert "每次扣分必须大于0" in response.content.decode()
    data["param_per_occurrence"] = "2"
    response = office_client.post(url, data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.params == {"per_occurrence": "2"}
    assert indicator.owner == department_org


def test_the_parameter_fragment_follows_the_method(draft: Scheme, office_client: Client) -> None:
    body = office_client.get(
        reverse("scheme:params_fragment", args=[draft.pk]), {"method": "rank"}
    ).content.decode()
    assert "各名次分值" in body
    assert "折合分" in body


def test_importing_a_bad_workbook_in_the_ui_changes_nothing(
    draft: Scheme, office_client: Client
) -> None:
    before = load_nodes(draft)
    bad = io.BytesIO(b"<html><table></table></html>")
    bad.name = "scheme.xlsx"
    response = office_client.post(reverse("scheme:scheme_import", args=[draft.pk]), {"file": bad})
    assert "网页" in response.content.decode()
    assert load_nodes(draft) == before


def test_importing_a_good_workbook_in_the_ui(draft: Scheme, office_client: Client) -> None:
    wb = excel_io.export_workbook(draft)
    ws = wb["指标体系"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("评分标准") + 1, value="新的评分标准")
    f = io.BytesIO(workbook_response_bytes(wb))
    f.name = "scheme.xlsx"
    response = office_client.post(reverse("scheme:scheme_import", args=[draft.pk]), {"file": f})
    assert response.status_code == 302
    assert Indicator.objects.get(scheme=draft, code="A1").standard == "新的评分标准"


def test_publishing_and_revising_through_the_ui(
    draft: Scheme, office_client: Client, unit_client: Client
) -> None:
    office_client.post(
        reverse("scheme:scheme_publish", args=[draft.pk]), {"version": draft.version}
    )
    assert Scheme.objects.get(pk=draft.pk).status == SchemeStatus.PUBLISHED
    office_client.post(
        reverse("scheme:revision_start", args=[draft.pk]), {"reason": "调整满意度名称"}
    )
    b1 = Indicator.objects.get(scheme=draft, code="B1")
    office_client.post(
        reverse(
            "scheme:indicator_shift", args=[draft.pk, Indicator.objects.get(code="A2").pk, "up"]
        )
    )
    office_client.post(reverse("scheme:revision_apply", args=[draft.pk]))
    page = unit_client.get(reverse("scheme:revision_list", args=[draft.pk])).content.decode()
    assert "调整满意度名称" in page
    assert b1.pk


def test_the_editor_page_keeps_its_query_count(
    draft: Scheme, office_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(25):
        response = office_client.get(reverse("scheme:scheme_detail", args=[draft.pk]))
    assert response.status_code == 200


def test_the_diff_page_shows_the_adjusted_share(
    last_scheme: Scheme, draft: Scheme, office_client: Client
) -> None:
    body = office_client.get(reverse("scheme:scheme_diff", args=[draft.pk])).content.decode()
    assert "调整指标" in body
    assert "0.0%" in body


def _form_as_posted(form: Any) -> dict[str, Any]:
    """What the browser posts for an untouched form: every field's shown value."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    return data


@pytest.mark.parametrize(
    ("code", "method", "params"),
    [
        ("A1", "completion", {}),
        ("A1", "rank", {"mode": "step", "step": "1"}),
        ("A1", "grade", {}),
        ("A2", "deduction", {"per_occurrence": "1"}),
    ],
)
def test_saving_a_leaf_unchanged_records_no_parameter_change(
    published: Scheme, office_client: Client, code: str, method: str, params: dict[str, Any]
) -> None:
    Indicator.objects.filter(scheme=published, code=code).update(method=method, params=params)
    office_client.post(reverse("scheme:revision_start", args=[published.pk]), {"reason": "核对"})
    indicator = Indicator.objects.get(scheme=published, code=code)
    url = reverse("scheme:indicator_edit", args=[published.pk, indicator.pk])
    response = office_client.post(url, _form_as_posted(office_client.get(url).context["form"]))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.params == params
    revision = SchemeRevision.objects.get(scheme=published, status=RevisionStatus.OPEN)
    assert revision_diff(revision).is_empty


def test_a_default_written_out_is_the_same_parameters_as_one_left_out(
    published: Scheme, office: Any
) -> None:
    with acting_as(office):
        revision = scheme_actions.start_revision(published, "核对", office)
    Indicator.objects.filter(scheme=published, code="A1").update(
        params={"lower_is_better": False, "zero_below": "0.0"}
    )
    assert revision_diff(revision).is_empty
