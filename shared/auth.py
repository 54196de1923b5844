"""Bearer JWT authentication (身份认证), roles (角色) and unit scoping (单位范围) — DESIGN §10.

Claims: ``sub``, ``name``, ``roles`` (list), ``unit_codes`` (list), plus ``exp`` (required).

Keys:

* dev/test — HS256 with ``Settings.jwt_secret``; tokens come from :func:`mint_dev_token`
  (``gongkai token …``).
* prod — the identity provider's JWKS at ``Settings.jwt_jwks_url``. Only asymmetric algorithms
  are accepted then (an HMAC "signature" made with a public key is the classic algorithm-confusion
  forgery); ``Settings.jwt_algorithms`` narrows them if it names any, otherwise RS/PS/ES/EdDSA.

``iss`` and ``aud`` are required in every token, and checked, when ``jwt_issuer`` /
``jwt_audience`` are configured. A production deployment refuses to start (issue 8) when it would
verify with the published dev secret, with an HS secret shorter than 32 bytes (RFC 7518 §3.2: at
least the hash's size), or with a JWKS but no ``jwt_issuer`` and ``jwt_audience`` (an identity
provider signs tokens for many applications; without both checks any of them would be accepted).

The verifier lives at ``app.state.token_verifier``; routes use :func:`current_principal`,
:func:`optional_principal`, :func:`require_roles` and :func:`require_unit_access`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from shared.errors import ProblemError, forbidden, unauthorized
from shared.settings import DEV_JWT_SECRET, Settings

logger = logging.getLogger(__name__)

ROLES: frozenset[str] = frozenset(
    {
        "applicant",  # 申请人: a citizen or organisation applying for disclosure
        "handler",  # 承办人: a unit's clerk handling applications
        "unit_admin",  # 单位管理员
        "office",  # 政务公开主管部门 (the government general office)
        "assessor",  # 考核人员
        "inspector",  # 纪检监察
        "integration",  # 系统对接: the 12345 hotline, the provincial platform
        "admin",  # 系统管理员
    }
)

# Roles whose work spans every unit, so unit scoping does not narrow them: the office oversees
# the 政务公开 work of all units; assessors appraise (考核) all units; inspectors (纪检监察)
# may investigate any unit; admins run the system itself.
UNIT_WIDE_ROLES = frozenset({"office", "admin", "assessor", "inspector"})

# A unit's own staff (本单位工作人员): they read and act on their units' work.
UNIT_STAFF_ROLES = frozenset({"handler", "unit_admin"})
# Roles that act on any unit's work (assessors and inspectors only read it, outside their own services).
ACT_ON_ALL_UNITS_ROLES = frozenset({"office", "admin"})

# Tolerated clock skew between the identity provider and our replicas.
LEEWAY_SECONDS = 30
# RFC 7518 §3.2: an HS256 key of at least the hash's output size.
MIN_HS_SECRET_BYTES = 32

_ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")

_INVALID_TOKEN_TITLE = "令牌无效或已过期"


class Principal(BaseModel, frozen=True):
    """The authenticated caller (当前用户)."""

    sub: str
    name: str
    roles: frozenset[str]
    unit_codes: frozenset[str]

    def has_role(self, *roles: str) -> bool:
        """True if the caller holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    @property
    def sees_all_units(self) -> bool:
        return self.has_role(*UNIT_WIDE_ROLES)

    def can_access_unit(self, unit_code: str) -> bool:
        return self.sees_all_units or unit_code in self.unit_codes

    def is_staff_of(self, unit_code: str) -> bool:
        """One of the unit's own staff (handler or unit admin of ``unit_code``)."""
        return unit_code in self.unit_codes and self.has_role(*UNIT_STAFF_ROLES)

    def can_read(self, unit_code: str) -> bool:
        """May read the unit's work: unit-wide roles, and the unit's own staff."""
        return self.sees_all_units or self.is_staff_of(unit_code)

    def can_act(self, unit_code: str) -> bool:
        """May act on the unit's work: the office and admins, and the unit's own staff."""
        return self.has_role(*ACT_ON_ALL_UNITS_ROLES) or self.is_staff_of(unit_code)


def _invalid_token(detail: str) -> ProblemError:
    # RFC 6750 §3: error="invalid_token" tells clients to get a new token rather than retry.
    return ProblemError(
        401, "invalid_token", _INVALID_TOKEN_TITLE, detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def _check_roles(roles: Sequence[str] | frozenset[str]) -> None:
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; known: {sorted(ROLES)}")


def _hmac_algorithms(settings: Settings) -> list[str]:
    return [a for a in settings.jwt_algorithms if a.startswith("HS")]


class TokenVerifier:
    """Verifies bearer tokens into :class:`Principal` (令牌校验).

    ``key_resolver(token) -> key`` selects the verification key for JWKS mode; by default it is
    ``PyJWKClient(settings.jwt_jwks_url).get_signing_key_from_jwt``. Passing one (tests, or a
    key held locally) switches to asymmetric verification without any JWKS URL.
    """

    def __init__(self, settings: Settings, *, key_resolver: Callable[[str], Any] | None = None) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        if key_resolver is None and settings.jwt_jwks_url:
            key_resolver = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True).get_signing_key_from_jwt
        self._key_resolver = key_resolver
        if key_resolver is not None:
            if settings.is_prod and settings.jwt_jwks_url and not (self._issuer and self._audience):
                raise RuntimeError(
                    "refusing to verify identity-provider tokens in production without GONGKAI_JWT_ISSUER "
                    "and GONGKAI_JWT_AUDIENCE: tokens the provider issued for other applications would pass"
                )
            configured = [a for a in settings.jwt_algorithms if a in _ASYMMETRIC_ALGORITHMS]
            self._algorithms = configured or list(_ASYMMETRIC_ALGORITHMS)
            return
        if settings.is_prod and settings.jwt_secret == DEV_JWT_SECRET:
            raise RuntimeError(
                "refusing to verify tokens in production with the published dev secret: set "
                "GONGKAI_JWT_JWKS_URL (the identity provider's JWKS) or a private GONGKAI_JWT_SECRET"
            )
        if settings.is_prod and len(settings.jwt_secret.encode()) < MIN_HS_SECRET_BYTES:
            raise RuntimeError(
                f"refusing to verify tokens in production with a GONGKAI_JWT_SECRET shorter than "
                f"{MIN_HS_SECRET_BYTES} bytes: use e.g. `openssl rand -base64 48`"
            )
        self._algorithms = _hmac_algorithms(settings)
        if not self._algorithms or self._algorithms != settings.jwt_algorithms:
            raise RuntimeError(
                f"GONGKAI_JWT_ALGORITHMS={settings.jwt_algorithms} needs GONGKAI_JWT_JWKS_URL; "
                "without it only HS256/HS384/HS512 with GONGKAI_JWT_SECRET can be verified"
            )
        self._secret = settings.jwt_secret

    @property
    def _required_claims(self) -> list[str]:
        return ["exp", "sub", *(["iss"] if self._issuer else []), *(["aud"] if self._audience else [])]

    @property
    def fetches_keys(self) -> bool:
        """True when verifying may do network I/O (a JWKS refresh), so callers use a thread."""
        return self._key_resolver is not None

    def verify(self, token: str) -> Principal:
        """Return the token's principal or raise a 401 ``invalid_token`` problem."""
        try:
            key = self._key_resolver(token) if self._key_resolver is not None else self._secret
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                leeway=LEEWAY_SECONDS,
                options={"require": self._required_claims, "verify_aud": self._audience is not None},
            )
        except jwt.PyJWKClientConnectionError as exc:
            # Our identity provider is down, not the caller's token bad: a 401 would make
            # clients throw away good tokens.
            logger.warning("JWKS fetch failed: %s", exc)
            raise ProblemError(
                503, "identity_provider_unavailable", "身份认证服务暂不可用", "无法获取身份认证服务的公钥，请稍后重试"
            ) from exc
        except jwt.ExpiredSignatureError as exc:
            raise _invalid_token("令牌已过期") from exc
        except jwt.InvalidSignatureError as exc:
            raise _invalid_token("令牌签名无效") from exc
        except jwt.InvalidIssuerError as exc:
            raise _invalid_token("令牌签发方不符") from exc
        except jwt.InvalidAudienceError as exc:
            raise _invalid_token("令牌受众不符") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise _invalid_token(f"令牌缺少 {exc.claim} 声明") from exc
        except jwt.PyJWTError as exc:
            raise _invalid_token("令牌格式错误或无法校验") from exc
        return _principal_from_claims(claims)


def _string_list(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _invalid_token(f"令牌的 {name} 声明须为字符串列表")
    return value


def _principal_from_claims(claims: dict[str, Any]) -> Principal:
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub:
        raise _invalid_token("令牌的 sub 声明为空")
    roles = _string_list(claims, "roles")
    unknown = sorted(set(roles) - ROLES)
    if unknown:
        raise _invalid_token(f"令牌包含未知角色：{', '.join(unknown)}")
    name = claims.get("name")
    return Principal(
        sub=sub,
        name=name if isinstance(name, str) and name else sub,
        roles=frozenset(roles),
        unit_codes=frozenset(_string_list(claims, "unit_codes")),
    )


def mint_dev_token(
    settings: Settings,
    *,
    sub: str,
    roles: Sequence[str],
    unit_codes: Sequence[str] = (),
    name: str | None = None,
    ttl_seconds: int | None = None,
    now: datetime | None = None,
) -> str:
    """Sign a dev token (开发令牌) with ``Settings.jwt_secret`` — what ``gongkai token`` prints.

    Raises ``RuntimeError`` when ``settings.env == "prod"`` (an operator's mistake, not an HTTP
    condition: production tokens come only from the identity provider) and ``ValueError`` for an
    unknown or missing role, an empty ``sub`` or a non-positive ``ttl_seconds``.
    """
    if settings.is_prod:
        raise RuntimeError("dev tokens cannot be minted when GONGKAI_ENV=prod; use the identity provider")
    if not sub:
        raise ValueError("sub must not be empty")
    if not roles:
        raise ValueError("at least one role is required")
    _check_roles(roles)
    ttl = settings.dev_token_ttl_seconds if ttl_seconds is None else ttl_seconds
    if ttl <= 0:
        raise ValueError("ttl_seconds must be positive")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": sub,
        "name": name or sub,
        "roles": sorted(set(roles)),
        "unit_codes": sorted(set(unit_codes)),
        "iat": issued,
        "exp": issued + timedelta(seconds=ttl),
    }
    # Carry iss/aud when configured so the same settings' verifier accepts the token.
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    algorithm = next(iter(_hmac_algorithms(settings)), "HS256")
    return jwt.encode(claims, settings.jwt_secret, algorithm=algorithm)


# Declared on the dependencies only so OpenAPI shows a Bearer scheme (the Authorize button in
# /docs); the header itself is parsed below so a malformed one is a 401 problem, not anonymity.
_bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="JWT", description="身份认证服务签发的 JWT")
_BearerDoc = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)]


def _verifier(request: Request) -> TokenVerifier:
    verifier = getattr(request.app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not set; the app factory must install a TokenVerifier")
    return verifier


async def _principal_from_header(request: Request, header: str) -> Principal:
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("Authorization 请求头须为 Bearer <令牌>")
    verifier = _verifier(request)
    if verifier.fetches_keys:
        # PyJWKClient fetches the JWKS with blocking urllib; keep it off the event loop.
        return await run_in_threadpool(verifier.verify, token)
    return verifier.verify(token)


async def current_principal(request: Request, _bearer: _BearerDoc = None) -> Principal:
    """Dependency: the authenticated caller, or a 401 problem (未认证)."""
    header = request.headers.get("authorization")
    if header is None:
        raise unauthorized("缺少 Authorization 请求头")
    return await _principal_from_header(request, header)


async def optional_principal(request: Request, _bearer: _BearerDoc = None) -> Principal | None:
    """Dependency: the caller if a token is sent, ``None`` if none is.

    A token that is sent but invalid is still a 401: silently serving such a caller as anonymous
    would hide an expired session from the client.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    return await _principal_from_header(request, header)


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the caller must hold one of ``roles`` (401 without a token, else 403).

    Role names are checked here so a typo fails at import, not as a silent 403 in production.
    """
    if not roles:
        raise ValueError("require_roles needs at least one role")
    _check_roles(roles)
    wanted = ", ".join(sorted(set(roles)))

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_role(*roles):
            raise forbidden(f"需要以下角色之一：{wanted}")
        return principal

    return dependency


def require_unit_access(principal: Principal, unit_code: str) -> None:
    """Raise 403 unless the caller may see ``unit_code``'s data (本单位或全部单位)."""
    if not principal.can_access_unit(unit_code):
        raise forbidden(f"无权访问单位 {unit_code} 的数据")
