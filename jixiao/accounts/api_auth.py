"""DRF authentication by service token (`Authorization: Bearer jxt_…`), and its OpenAPI
security scheme.

A request with no Authorization header falls through to the session (the pages' API
calls), so an anonymous caller still gets 403 as before; a request that presents a
token that is unknown, revoked or expired gets 401 with a Chinese `detail`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from jixiao.accounts.models import ServiceToken, User
from jixiao.accounts.service_tokens import TokenRefused, authenticate_key
from jixiao.audit.context import attribute_to
from jixiao.audit.middleware import client_ip

KEYWORD = b"bearer"


class ServiceTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ServiceToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("服务令牌格式不正确：请使用“Authorization: Bearer 令牌”。")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed("服务令牌无效。") from error
        try:
            token = authenticate_key(key, client_ip(request._request))
        except TokenRefused as error:
            raise AuthenticationFailed(str(error)) from error
        user = token.account
        # The key is the machine's whole credential: no second factor to pass.
        user.is_verified = lambda: True  # type: ignore[attr-defined]
        attribute_to(user)
        return user, token

    def authenticate_header(self, request: Request) -> str | None:
        # 401 (with a challenge) only for callers that presented a token.
        if get_authorization_header(request).lower().startswith(KEYWORD):
            return 'Bearer realm="jixiao-api"'
        return None


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "jixiao.accounts.api_auth.ServiceTokenAuthentication"
    name = "serviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "jxt_<prefix>_<secret>",
            "description": "服务令牌（系统管理员签发，只显示一次）。令牌按其角色和单位的权限访问。",
        }
