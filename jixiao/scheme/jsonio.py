"""The JSON interchange format of a whole scheme ("jixiao-scheme", version 1).

Documented in docs/scheme.md; its JSON Schema is docs/schemas/scheme-v1.schema.json.
A province can publish a template this way and districts import it into a draft.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any

import jsonschema
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.sandbox import Refused, run_limited
from jixiao.org.models import UnitCategory
from jixiao.scheme.interchange import ImportError_
from jixiao.scheme.loading import load_nodes, node_from_dict, node_to_dict
from jixiao.scheme.models import Scheme
from jixiao.scheme.tree import NodeData, dec_str

FORMAT = "jixiao-scheme"
VERSION = 1
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "schemas" / "scheme-v1.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def export_document(scheme: Scheme) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "year": scheme.year.year,
        "name": scheme.name,
        "heavy_deduction_share": dec_str(scheme.heavy_deduction_share),
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "categories": [
            {"code": c.code, "name": c.name, "scale": c.scale}
            for c in UnitCategory.objects.filter(year=scheme.year)
        ],
        "indicators": [node_to_dict(n) for n in load_nodes(scheme)],
    }


def export_bytes(scheme: Scheme) -> bytes:
    return json.dumps(export_document(scheme), ensure_ascii=False, indent=2).encode("utf-8")


_TYPE_NAMES = {
    "object": "对象",
    "array": "数组",
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "true/false",
    "null": "null",
}


def _path(parts: Any, doc: Any) -> str:
    text = ""
    node = doc
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            code = (
                node[part].get("code")
                if isinstance(node, list) and isinstance(node[part], dict)
                else None
            )
            if code:
                text += f"（{code}）"
        else:
            text += f".{part}" if text else str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return text or _("文档")


def _message(error: jsonschema.ValidationError) -> str:
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        missing = [
            name
            for name in value
            if isinstance(error.instance, dict) and name not in error.instance
        ]
        return _("缺少字段：%(f)s") % {"f": "、".join(missing)}
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("不认识的字段：%(f)s") % {"f": "、".join(extra)}
    if kind == "type":
        names = [
            str(_TYPE_NAMES.get(t, t)) for t in (value if isinstance(value, list) else [value])
        ]
        return _("应为%(t)s") % {"t": "或".join(names)}
    if kind == "const":
        return _("必须为 %(v)s") % {"v": json.dumps(value, ensure_ascii=False)}
    if kind == "enum":
        return _("必须是以下之一：%(v)s") % {
            "v": "、".join(json.dumps(v, ensure_ascii=False) for v in value)
        }
    if kind == "pattern":
        return _("格式不正确：“%(v)s”") % {"v": error.instance}
    if kind in ("minLength", "maxLength"):
        return _("长度不符合要求")
    if kind == "uniqueItems":
        return _("有重复的值")
    if kind == "anyOf":
        return _("取值“%(v)s”不正确（应为非负数，最多 4 位小数，或编码）") % {
            "v": json.dumps(error.instance, ensure_ascii=False, default=str)
        }
    return error.message


def _decimal_to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Schema checks see numbers as numbers; the exact value is kept separately.
        return float(value)
    if isinstance(value, dict):
        return {k: _decimal_to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimal_to_jsonable(v) for v in value]
    return value


# A scheme document is a few levels deep and its numbers are points and parameters:
# anything beyond these is not a scheme, and costs the parser to find out.
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40
# Arrays and objects in a whole document (a province scheme has ~25,000): counted on the
# text before parsing, so that millions of tiny arrays never reach the parser.
MAX_CONTAINERS = 200_000

ParseResult = tuple[
    dict[str, Any] | None, list[NodeData], dict[str, tuple[str, int]], list[ImportError_]
]


class _NotAScheme(Exception):
    pass


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NotAScheme(_("文件中有位数过多的数字（超过 %(n)d 位）。") % {"n": MAX_NUMBER_CHARS})
    return int(text)


def _parse_float(text: str) -> Decimal:
    number = Decimal(text) if len(text) <= MAX_NUMBER_CHARS else None
    if number is None or not -MAX_NUMBER_CHARS <= number.adjusted() <= MAX_NUMBER_CHARS:
        raise _NotAScheme(_("文件中有位数过多的数字（超过 %(n)d 位）。") % {"n": MAX_NUMBER_CHARS})
    return number


def _parse_constant(text: str) -> Any:
    raise _NotAScheme(_("文件中有 JSON 不允许的数值“%(v)s”。") % {"v": text})


def _check_depth(doc: Any) -> None:
    """Iteratively, so that checking a deep document cannot itself recurse too far."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _NotAScheme(
                _("JSON 嵌套层数过深（超过 %(n)d 层），这不是考核方案文件。") % {"n": MAX_DEPTH}
            )
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _failed(message: str) -> ParseResult:
    return None, [], {}, [ImportError_("", message)]


def parse_document(upload: IO[bytes]) -> ParseResult:
    """(document, nodes, where-by-code, errors); nothing is written.

    Parsed in a limited child process (core.sandbox): a hostile document (deep nesting,
    numbers of thousands of digits, gigabytes of arrays) ends as a Chinese error."""
    data = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        return _failed(
            _("文件超过大小上限（%(mb)d MB）。")
            % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    try:
        return run_limited(partial(_parse_bytes, data))
    except Refused as error:
        return _failed(str(error))


def _parse_bytes(data: bytes) -> ParseResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _failed(_("JSON 文件必须是 UTF-8 编码。"))
    if text.count("[") + text.count("{") > MAX_CONTAINERS:
        return _failed(_("文件中的数组和对象过多，这不是考核方案文件。"))
    try:
        doc = json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_parse_constant,
        )
        _check_depth(doc)
    except json.JSONDecodeError as error:
        return _failed(
            _("不是有效的 JSON：第 %(l)d 行第 %(c)d 列附近有语法错误。")
            % {"l": error.lineno, "c": error.colno}
        )
    except RecursionError:
        return _failed(
            _("JSON 嵌套层数过深（超过 %(n)d 层），这不是考核方案文件。") % {"n": MAX_DEPTH}
        )
    except _NotAScheme as error:
        return _failed(str(error))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return _failed(_("这不是 Jixiao 考核方案文件（format 应为 “jixiao-scheme”）。"))
    if doc.get("version") != VERSION:
        version = str(doc.get("version"))[:20]
        return _failed(_("不支持的格式版本 %(v)s（本系统读取第 1 版）。") % {"v": version})
    validator = jsonschema.Draft202012Validator(schema())
    checked = _decimal_to_jsonable(doc)
    errors = [
        ImportError_(_path(e.absolute_path, doc), _message(e))
        for e in sorted(
            validator.iter_errors(checked), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
    if errors:
        return doc, [], {}, errors[:200]
    nodes: list[NodeData] = []
    where: dict[str, tuple[str, int]] = {}
    seen: dict[str | None, int] = {}
    for index, item in enumerate(doc["indicators"]):
        parent = item.get("parent")
        order = seen.get(parent, 0)
        seen[parent] = order + 1
        nodes.append(node_from_dict(item, sort_order=order))
        where.setdefault(item["code"], (f"indicators[{index}]（{item['code']}）", index + 1))
    return doc, nodes, where, []


def check_categories(doc: dict[str, Any], scheme: Scheme) -> list[ImportError_]:
    """Categories of the document must exist in the target year with the same scale."""
    existing = {c.code: c for c in UnitCategory.objects.filter(year=scheme.year)}
    errors = []
    for index, category in enumerate(doc.get("categories", [])):
        found = existing.get(category["code"])
        where = f"categories[{index}]（{category['code']}）"
        if found is None:
            errors.append(ImportError_(where, _("%(y)s 没有该考核类别") % {"y": scheme.year.name}))
        elif found.scale != category["scale"]:
            errors.append(
                ImportError_(
                    where,
                    _("计分制不一致：文件为 %(a)s，%(y)s 为 %(b)s")
                    % {"a": category["scale"], "y": scheme.year.name, "b": found.scale},
                )
            )
    return errors
