"""The API's one error shape: {"error": {"code", "message", "fields"?}}, with Chinese messages translated."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# One code per status (and a few finer ones); each with the message a client shows when it has nothing better.
MESSAGES = {
    "invalid": (400, gettext_lazy("请求内容有误")),
    "bad_cursor": (400, gettext_lazy("翻页游标无效，请从第一页重新开始")),
    "malformed_json": (400, gettext_lazy("请求内容不是有效的 JSON")),
    "unauthorized": (401, gettext_lazy("缺少有效的 API 令牌")),
    "forbidden": (403, gettext_lazy("您的角色不能执行此操作")),
    "not_found": (404, gettext_lazy("对象不存在或不在您的管辖区域内")),
    "method_not_allowed": (405, gettext_lazy("该地址不支持此请求方法")),
    "conflict": (409, gettext_lazy("对象状态已变化，请刷新后重试")),
    "too_large": (413, gettext_lazy("请求内容过大")),
    "rate_limited": (429, gettext_lazy("请求过于频繁，请稍后再试")),
    "server_error": (500, gettext_lazy("服务器内部错误，已记录，请稍后再试")),
}
STATUS_CODES = {status: code for code, (status, _message) in reversed(list(MESSAGES.items()))}


class ApiError(Exception):
    """Raised anywhere under /api/: becomes the error object with its status."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.code = code
        self.status = MESSAGES[code][0]
        self.message = message
        self.fields = fields
        self.headers = headers or {}
        super().__init__(code)


def error_body(code: str, message: str | None = None, fields: dict | None = None) -> dict:
    error = {"code": code, "message": str(message or MESSAGES[code][1])}
    if fields:
        error["fields"] = {name: [str(m) for m in messages] for name, messages in fields.items()}
    return {"error": error}


def error_response(
    code: str,
    message: str | None = None,
    *,
    fields: dict | None = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(error_body(code, message, fields), ensure_ascii=False),
        status=status or MESSAGES[code][0],
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_exception(exc: ApiError) -> HttpResponse:
    return error_response(exc.code, exc.message, fields=exc.fields, headers=exc.headers)


def validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    """pydantic's errors as {field: [Chinese message]} (the location without ninja's wrapper names)."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "form", "file", "payload", "filters")
        ]
        name = ".".join(loc) or "body"
        fields.setdefault(name, []).append(_field_message(error))
    return fields


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("必填")
    if kind == "extra_forbidden":
        return _("不认识的字段")
    if kind == "nul_character":
        return _("不能含有空字符（U+0000）")
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return _("取值应为 %(expected)s") % {"expected": expected}
    if kind.startswith(("greater_than", "less_than")):
        return _("超出允许范围")
    if kind.startswith(("string_too_long", "too_long")):
        return _("内容过长")
    if kind.startswith(("int_", "bool_", "string_", "float_", "dict_", "list_", "model_")):
        return _("类型不对")
    return _("取值无效")
