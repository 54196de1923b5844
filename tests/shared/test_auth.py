"""Bearer JWT auth: verification, roles, unit scoping, JWKS keys, production guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI

from shared.auth import (
    ROLES,
    UNIT_WIDE_ROLES,
    Principal,
    TokenVerifier,
    current_principal,
    mint_dev_token,
    optional_principal,
    require_roles,
    require_unit_access,
)
from shared.errors import ProblemError, install_problem_handlers
from shared.settings import Settings

SETTINGS = Settings(env="test")


def build_app(verifier: TokenVerifier) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = verifier

    @app.get("/me")
    async def me(principal: Annotated[Principal, Depends(current_principal)]) -> dict:
        return {"sub": principal.sub, "name": principal.name, "roles": sorted(principal.roles)}

    @app.get("/maybe")
    async def maybe(principal: Annotated[Principal | None, Depends(optional_principal)]) -> dict:
        return {"sub": principal.sub if principal else None}

    @app.get("/cases")
    async def cases(principal: Annotated[Principal, Depends(require_roles("inspector", "office"))]) -> dict:
        return {"sub": principal.sub}

    @app.get("/units/{unit_code}/applications")
    async def unit_applications(
        unit_code: str, principal: Annotated[Principal, Depends(require_roles("handler", "unit_admin", "office"))]
    ) -> dict:
        require_unit_access(principal, unit_code)
        return {"unit": unit_code}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(TokenVerifier(SETTINGS)))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_401(response: httpx.Response, code: str) -> dict:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == code
    assert body["title"] in {"未认证或令牌无效", "令牌无效或已过期"}
    return body


async def test_valid_dev_token(client: httpx.AsyncClient) -> None:
    token = mint_dev_token(SETTINGS, sub="u1", roles=["handler"], unit_codes=["110101"], name="张三")
    response = await client.get("/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"sub": "u1", "name": "张三", "roles": ["handler"]}


def test_verify_returns_principal() -> None:
    token = mint_dev_token(SETTINGS, sub="u1", roles=["handler", "unit_admin"], unit_codes=["A", "B"])
    principal = TokenVerifier(SETTINGS).verify(token)
    assert principal == Principal(
        sub="u1", name="u1", roles=frozenset({"handler", "unit_admin"}), unit_codes=frozenset({"A", "B"})
    )


async def test_expired_token(client: httpx.AsyncClient) -> None:
    token = mint_dev_token(
        SETTINGS, sub="u1", roles=["handler"], ttl_seconds=60, now=datetime.now(UTC) - timedelta(hours=2)
    )
    body = assert_401(await client.get("/me", headers=bearer(token)), "invalid_token")
    assert body["detail"] == "令牌已过期"


async def test_wrong_secret(client: httpx.AsyncClient) -> None:
    other = Settings(env="test", jwt_secret="another-secret-of-sufficient-length-0123456789")
    token = mint_dev_token(other, sub="u1", roles=["handler"])
    body = assert_401(await client.get("/me", headers=bearer(token)), "invalid_token")
    assert body["detail"] == "令牌签名无效"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30."])
async def test_garbage_token(client: httpx.AsyncClient, token: str) -> None:
    assert_401(await client.get("/me", headers=bearer(token)), "invalid_token")


async def test_missing_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert_401(response, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "token-without-scheme"])
async def test_malformed_header(client: httpx.AsyncClient, header: str) -> None:
    assert_401(await client.get("/me", headers={"Authorization": header}), "unauthorized")


def _hs_token(claims: dict) -> str:
    return jwt.encode(claims, SETTINGS.jwt_secret, algorithm="HS256")


def _exp() -> datetime:
    # Evaluated when the parameters are collected: far enough ahead for a long suite to reach them.
    return datetime.now(UTC) + timedelta(days=1)


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"sub": "u1", "roles": ["handler", "superuser"], "exp": _exp()}, "令牌包含未知角色：superuser"),
        ({"roles": ["handler"], "exp": _exp()}, "令牌缺少 sub 声明"),
        ({"sub": "u1", "roles": ["handler"]}, "令牌缺少 exp 声明"),
        ({"sub": "u1", "roles": "handler", "exp": _exp()}, "令牌的 roles 声明须为字符串列表"),
        (
            {"sub": "u1", "roles": ["handler"], "unit_codes": "110101", "exp": _exp()},
            "令牌的 单位代码 声明须为字符串列表",  # the member by its Chinese name (issue 9: no codes in detail)
        ),
    ],
)
async def test_bad_claims(client: httpx.AsyncClient, claims: dict, detail: str) -> None:
    body = assert_401(await client.get("/me", headers=bearer(_hs_token(claims))), "invalid_token")
    assert body["detail"] == detail


def test_unsigned_token_refused() -> None:
    token = jwt.encode({"sub": "u1", "roles": ["admin"], "exp": _exp()}, None, algorithm="none")
    with pytest.raises(ProblemError) as excinfo:
        TokenVerifier(SETTINGS).verify(token)
    assert excinfo.value.status == 401


async def test_optional_principal(client: httpx.AsyncClient) -> None:
    assert (await client.get("/maybe")).json() == {"sub": None}
    token = mint_dev_token(SETTINGS, sub="u9", roles=["applicant"])
    assert (await client.get("/maybe", headers=bearer(token))).json() == {"sub": "u9"}
    # A token that is sent but bad is not silently anonymous.
    assert_401(await client.get("/maybe", headers=bearer("garbage")), "invalid_token")


async def test_role_check(client: httpx.AsyncClient) -> None:
    applicant = mint_dev_token(SETTINGS, sub="c1", roles=["applicant"])
    response = await client.get("/cases", headers=bearer(applicant))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "forbidden"
    assert response.json()["title"] == "无权访问"

    inspector = mint_dev_token(SETTINGS, sub="i1", roles=["inspector"])
    assert (await client.get("/cases", headers=bearer(inspector))).status_code == 200
    assert_401(await client.get("/cases"), "unauthorized")


async def test_unit_scoping(client: httpx.AsyncClient) -> None:
    handler = mint_dev_token(SETTINGS, sub="h1", roles=["handler"], unit_codes=["110101"])
    office = mint_dev_token(SETTINGS, sub="o1", roles=["office"])
    assert (await client.get("/units/110101/applications", headers=bearer(handler))).status_code == 200
    response = await client.get("/units/110102/applications", headers=bearer(handler))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    for unit in ("110101", "110102"):
        assert (await client.get(f"/units/{unit}/applications", headers=bearer(office))).status_code == 200


def test_principal_scoping_rules() -> None:
    staff = Principal(sub="h", name="h", roles=frozenset({"handler"}), unit_codes=frozenset({"A"}))
    assert staff.has_role("office", "handler") and not staff.has_role("office")
    assert not staff.sees_all_units
    assert staff.can_access_unit("A") and not staff.can_access_unit("B")
    for role in UNIT_WIDE_ROLES:
        wide = Principal(sub="w", name="w", roles=frozenset({role}), unit_codes=frozenset())
        assert wide.sees_all_units and wide.can_access_unit("B")
    with pytest.raises(ProblemError) as excinfo:
        require_unit_access(staff, "B")
    assert excinfo.value.status == 403
    assert UNIT_WIDE_ROLES <= ROLES


def test_require_roles_rejects_unknown_role_names() -> None:
    with pytest.raises(ValueError):
        require_roles("handlr")
    with pytest.raises(ValueError):
        require_roles()


# --- JWKS (production) path, with a local RSA key instead of the identity provider ---------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


IDP_SETTINGS = Settings(
    env="prod",
    jwt_jwks_url="https://idp.example.gov.cn/.well-known/jwks.json",
    jwt_issuer="https://idp.example.gov.cn",
    jwt_audience="gongkai",
    jwt_algorithms=["RS256"],
)


def _idp_token(key: rsa.RSAPrivateKey, **overrides: object) -> str:
    claims = {
        "sub": "idp-42",
        "name": "李四",
        "roles": ["office"],
        "unit_codes": [],
        "iss": "https://idp.example.gov.cn",
        "aud": "gongkai",
        "exp": _exp(),
        **overrides,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def _resolver(key: rsa.RSAPrivateKey):
    def resolve(token: str):
        # What PyJWKClient does: pick the key by the token's kid.
        assert jwt.get_unverified_header(token)["kid"] == "k1"
        return key.public_key()

    return resolve


def test_jwks_path_accepts_idp_token(rsa_key: rsa.RSAPrivateKey) -> None:
    verifier = TokenVerifier(IDP_SETTINGS, key_resolver=_resolver(rsa_key))
    principal = verifier.verify(_idp_token(rsa_key))
    assert principal.sub == "idp-42" and principal.name == "李四" and principal.sees_all_units


async def test_jwks_path_over_http(rsa_key: rsa.RSAPrivateKey) -> None:
    app = build_app(TokenVerifier(IDP_SETTINGS, key_resolver=_resolver(rsa_key)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/cases", headers=bearer(_idp_token(rsa_key)))
        assert response.status_code == 200
        assert_401(await c.get("/cases", headers=bearer(_idp_token(rsa_key, aud="other"))), "invalid_token")


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [({"iss": "https://evil.example"}, "令牌签发方不符"), ({"aud": "other-app"}, "令牌受众不符")],
)
def test_jwks_path_checks_issuer_and_audience(rsa_key: rsa.RSAPrivateKey, overrides: dict, detail: str) -> None:
    verifier = TokenVerifier(IDP_SETTINGS, key_resolver=_resolver(rsa_key))
    with pytest.raises(ProblemError) as excinfo:
        verifier.verify(_idp_token(rsa_key, **overrides))
    assert (excinfo.value.status, excinfo.value.code, excinfo.value.detail) == (401, "invalid_token", detail)


def test_jwks_path_rejects_other_key_and_hmac(rsa_key: rsa.RSAPrivateKey) -> None:
    verifier = TokenVerifier(IDP_SETTINGS, key_resolver=_resolver(rsa_key))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ProblemError):
        verifier.verify(_idp_token(stranger))
    # Algorithm confusion: an HS256 token must not verify in JWKS mode, whatever the key.
    hs = jwt.encode({"sub": "x", "roles": ["admin"], "exp": _exp()}, "k" * 64, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(ProblemError):
        verifier.verify(hs)


def test_jwks_key_lookup_failure_is_401(rsa_key: rsa.RSAPrivateKey) -> None:
    def unknown_kid(_token: str):
        raise jwt.PyJWKClientError('Unable to find a signing key that matches: "k1"')

    with pytest.raises(ProblemError) as excinfo:
        TokenVerifier(IDP_SETTINGS, key_resolver=unknown_kid).verify(_idp_token(rsa_key))
    assert excinfo.value.status == 401


def test_jwks_unreachable_is_503(rsa_key: rsa.RSAPrivateKey) -> None:
    def down(_token: str):
        raise jwt.PyJWKClientConnectionError("Fail to fetch data from the url")

    with pytest.raises(ProblemError) as excinfo:
        TokenVerifier(IDP_SETTINGS, key_resolver=down).verify(_idp_token(rsa_key))
    assert (excinfo.value.status, excinfo.value.code) == (503, "identity_provider_unavailable")


def test_default_resolver_is_built_without_network() -> None:
    # Construction only creates the PyJWKClient; keys are fetched on first verification.
    assert TokenVerifier(IDP_SETTINGS).fetches_keys


# --- production guards -------------------------------------------------------------------


def test_prod_with_dev_secret_refused() -> None:
    with pytest.raises(RuntimeError, match="dev secret"):
        TokenVerifier(Settings(env="prod"))


def test_prod_with_private_secret_allowed() -> None:
    settings = Settings(env="prod", jwt_secret="a-private-secret-from-the-vault-0123456789abcdef")
    token = jwt.encode({"sub": "svc", "roles": ["integration"], "exp": _exp()}, settings.jwt_secret, algorithm="HS256")
    assert TokenVerifier(settings).verify(token).roles == {"integration"}


def test_asymmetric_algorithms_without_jwks_refused() -> None:
    with pytest.raises(RuntimeError, match="JWKS"):
        TokenVerifier(Settings(env="dev", jwt_algorithms=["RS256"]))


def test_mint_dev_token_refused_in_prod() -> None:
    settings = Settings(env="prod", jwt_secret="a-private-secret-from-the-vault-0123456789abcdef")
    with pytest.raises(RuntimeError):
        mint_dev_token(settings, sub="u1", roles=["admin"])


def test_mint_dev_token_validates() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        mint_dev_token(SETTINGS, sub="u1", roles=["handler", "root"])
    with pytest.raises(ValueError):
        mint_dev_token(SETTINGS, sub="u1", roles=[])
    with pytest.raises(ValueError):
        mint_dev_token(SETTINGS, sub="", roles=["handler"])
    with pytest.raises(ValueError):
        mint_dev_token(SETTINGS, sub="u1", roles=["handler"], ttl_seconds=0)


def test_mint_dev_token_claims_follow_settings() -> None:
    settings = Settings(env="dev", jwt_issuer="gongkai-dev", jwt_audience="gongkai")
    now = datetime.now(UTC).replace(microsecond=0)
    token = mint_dev_token(settings, sub="u1", roles=["handler"], unit_codes=["B", "A"], ttl_seconds=600, now=now)
    claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"], audience="gongkai")
    assert claims["iss"] == "gongkai-dev"
    assert claims["unit_codes"] == ["A", "B"]
    assert claims["exp"] - claims["iat"] == 600
    assert TokenVerifier(settings).verify(token).sub == "u1"


def test_openapi_shows_bearer_scheme() -> None:
    schema = build_app(TokenVerifier(SETTINGS)).openapi()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert {"HTTPBearer": []} in schema["paths"]["/cases"]["get"]["security"]
    assert {"HTTPBearer": []} in schema["paths"]["/maybe"]["get"]["security"]
