"""Field encryption and masking of identity-document numbers (DESIGN §5)."""

from __future__ import annotations

import base64

import pytest

from shared.crypto import (
    DEV_FIELD_KEY,
    CryptoError,
    FieldCipher,
    mask_identity_like,
    mask_identity_number,
    mask_identity_values,
)
from shared.settings import Settings

CONTEXT = "requests.applicant.id_number"
ID_NUMBER = "110101199003071234"
OLD_KEY = base64.b64encode(bytes(range(32))).decode()
NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()


def cipher(keys: str | None = None, env: str = "test") -> FieldCipher:
    values: dict[str, object] = {"env": env}
    if keys is not None:
        values["field_encryption_keys"] = keys
    return FieldCipher(Settings(_env_file=None, **values))  # type: ignore[arg-type]


def flip(token: str, index: int) -> str:
    """The token with one byte of its payload changed."""
    prefix, payload = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[index] ^= 0x01
    return f"{prefix}.{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


def test_encrypted_value_decrypts_to_itself() -> None:
    c = cipher()
    for value in (ID_NUMBER, "E12345678", "", "港澳居民来往内地通行证 H0123456789"):
        token = c.encrypt(value, context=CONTEXT)
        if value:
            assert value not in token
        assert c.decrypt(token, context=CONTEXT) == value


def test_token_format_is_version_kid_and_base64url_payload() -> None:
    token = cipher(f"k2024:{OLD_KEY}").encrypt(ID_NUMBER, context=CONTEXT)
    version, kid, payload = token.split(".")
    assert (version, kid) == ("v1", "k2024")
    # 12-byte nonce + 18 bytes of ciphertext + 16-byte tag, unpadded.
    assert len(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == 12 + 18 + 16
    assert "=" not in payload


def test_two_encryptions_of_one_value_differ() -> None:
    c = cipher()
    assert c.encrypt(ID_NUMBER, context=CONTEXT) != c.encrypt(ID_NUMBER, context=CONTEXT)


@pytest.mark.parametrize("index", [0, 11, 12, 20, -1])  # nonce, first ciphertext byte, tag
def test_tampered_token_is_refused(index: int) -> None:
    c = cipher()
    token = c.encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(CryptoError):
        c.decrypt(flip(token, index), context=CONTEXT)


def test_token_moved_to_another_column_is_refused() -> None:
    c = cipher()
    token = c.encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(CryptoError):
        c.decrypt(token, context="requests.applicant.phone")


@pytest.mark.parametrize(
    "token",
    ["", "v1.dev", "v2.dev.AAAA", "v1.dev.!!!!", "v1.dev.AAAA", "v1.dev.A", "v1.dev.AA AA.x"],
)
def test_garbled_token_is_refused(token: str) -> None:
    with pytest.raises(CryptoError):
        cipher().decrypt(token, context=CONTEXT)


def test_token_of_unknown_key_id_is_refused() -> None:
    token = cipher(f"old:{OLD_KEY}").encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(CryptoError, match="unknown key id 'old'"):
        cipher(f"new:{NEW_KEY}").decrypt(token, context=CONTEXT)


def test_rotation_encrypts_with_the_first_key_and_still_decrypts_with_the_old() -> None:
    old_token = cipher(f"old:{OLD_KEY}").encrypt(ID_NUMBER, context=CONTEXT)
    rotated = cipher(f"new:{NEW_KEY}, old:{OLD_KEY}")
    assert rotated.decrypt(old_token, context=CONTEXT) == ID_NUMBER
    new_token = rotated.encrypt(ID_NUMBER, context=CONTEXT)
    assert new_token.startswith("v1.new.")
    assert rotated.decrypt(new_token, context=CONTEXT) == ID_NUMBER


def test_default_setting_is_the_derived_dev_key() -> None:
    kid, encoded = Settings(_env_file=None).field_encryption_keys.split(":")  # type: ignore[call-arg]
    assert (kid, base64.b64decode(encoded)) == ("dev", DEV_FIELD_KEY)


def test_production_refuses_the_dev_key_even_as_an_old_key() -> None:
    dev = base64.b64encode(DEV_FIELD_KEY).decode()
    with pytest.raises(RuntimeError, match="dev field-encryption key"):
        cipher(env="prod")
    with pytest.raises(RuntimeError, match="dev field-encryption key"):
        cipher(f"prod1:{NEW_KEY},dev:{dev}", env="prod")
    cipher(f"prod1:{NEW_KEY}", env="prod")  # a private key is fine


@pytest.mark.parametrize(
    "keys, message",
    [
        ("", "empty"),
        ("nokid", "kid:base64key"),
        ("a.b:" + OLD_KEY, "kid:base64key"),
        ("k:not base64!", "not valid base64"),
        ("k:" + base64.b64encode(bytes(16)).decode(), "must be 32 bytes"),
        (f"k:{OLD_KEY},k:{NEW_KEY}", "twice"),
    ],
)
def test_malformed_key_setting_is_refused(keys: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cipher(keys)


def test_empty_context_is_refused() -> None:
    with pytest.raises(ValueError, match="context"):
        cipher().encrypt(ID_NUMBER, context="")


def test_blind_index_is_stable_and_survives_reencryption() -> None:
    c = cipher()
    index = c.blind_index(ID_NUMBER, context=CONTEXT)
    assert index == cipher().blind_index(ID_NUMBER, context=CONTEXT)
    assert len(index) == 64 and int(index, 16) >= 0
    assert index != c.blind_index("110101199003071235", context=CONTEXT)


def test_blind_index_differs_by_context_and_key() -> None:
    c = cipher()
    index = c.blind_index(ID_NUMBER, context=CONTEXT)
    assert index != c.blind_index(ID_NUMBER, context="accountability.subject.id_number")
    assert index != cipher(f"k:{OLD_KEY}").blind_index(ID_NUMBER, context=CONTEXT)


@pytest.mark.parametrize(
    "value, masked",
    [
        ("110101199003071234", "11************1234"),  # 18-digit 居民身份证: 6 of 18 shown
        ("11010119900307123X", "11************123X"),
        ("110101900307123", "1**********7123"),  # 15-digit first-generation card: 5 of 15
        ("E12345678", "E******78"),  # passport, 9 characters: 3 (was 8: E123*5678, issue 8)
        ("H0123456789", "H********89"),  # 港澳居民来往内地通行证, 11: 3
        ("12345678", "******78"),  # 8: 2
        ("ABC", "**C"),
        ("AB", "**"),
        ("A", "*"),
        ("", ""),
    ],
)
def test_masking_reveals_at_most_a_third_of_any_document_number(value: str, masked: str) -> None:
    """Issue 8, finding 3: one rule for every document type, at most a third of the characters."""
    assert mask_identity_number(value) == masked
    assert len(masked) == len(value)
    assert len(value) - masked.count("*") <= len(value) / 3


def test_masking_a_masked_number_changes_nothing_and_free_text_is_masked_too() -> None:
    assert mask_identity_number("11************1234") == "11************1234"
    assert (
        mask_identity_like("身份证 110101199003071234，电话 13800138000")
        == "身份证 11************1234，电话 13800138000"
    )
    assert mask_identity_values({"applicant": {"id_number": "E12345678"}, "notes": ["110101900307123"]}) == {
        "applicant": {"id_number": "E******78"},
        "notes": ["1**********7123"],
    }


def test_bytes_encrypted_under_one_context_do_not_decrypt_under_another() -> None:
    c = cipher()
    token = c.encrypt_bytes(b'{"query_code": "ABCD1234"}', context="gongkai.idempotency.response:k1")
    assert b"ABCD1234" not in token and token.startswith(b"v1.")
    assert c.decrypt_bytes(token, context="gongkai.idempotency.response:k1") == b'{"query_code": "ABCD1234"}'
    with pytest.raises(CryptoError):
        c.decrypt_bytes(token, context="gongkai.idempotency.response:k2")
    with pytest.raises(CryptoError):
        c.decrypt_bytes(b"\xff" + token, context="gongkai.idempotency.response:k1")
