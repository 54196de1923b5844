"""Field encryption (字段加密) and masking (脱敏) of identity-document numbers (DESIGN §5).

Identity numbers (身份证件号码) are stored encrypted with AES-256-GCM and shown masked
(``11************1234``, :func:`mask_identity_number`) to every role but the handling unit's.

Keys come from ``Settings.field_encryption_keys``: ``kid:base64key,kid:base64key,…``, each key
32 random bytes in standard base64 (``openssl rand -base64 32``). The first key encrypts; every
listed key decrypts, so a key is rotated (密钥轮换) by putting a new one first and keeping the old
one until every value encrypted with it has been re-encrypted. The default setting is a published
dev-only key; a production deployment that lists it anywhere refuses to start.

A token is ``v1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>`` (unpadded base64url), with a random
96-bit nonce and the column's ``context`` (e.g. ``"requests.applicant.id_number"``) as associated
data: a token copied into another column fails to decrypt instead of revealing its value there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.settings import Settings

TOKEN_VERSION = "v1"
_NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
_KEY_BYTES = 32  # AES-256
# A kid goes into the dot-separated token, so it may contain neither "." nor ":".
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
# The default of Settings.field_encryption_keys; derived, not random, so every dev machine agrees.
DEV_FIELD_KEY = hashlib.sha256(b"gongkai dev field key - not for production").digest()


class CryptoError(ValueError):
    """A token that cannot be decrypted: tampered, unknown key id, or the wrong context (解密失败)."""


class FieldCipher:
    """Encrypts and decrypts single column values (字段加密器); one per process is enough."""

    def __init__(self, settings: Settings) -> None:
        keys = _parse_keys(settings.field_encryption_keys)
        if settings.is_prod and DEV_FIELD_KEY in keys.values():
            raise RuntimeError(
                "refusing to run in production with the published dev field-encryption key: set "
                "GONGKAI_FIELD_ENCRYPTION_KEYS to private keys (kid:base64 of 32 random bytes)"
            )
        self._current_kid = next(iter(keys))
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self._index_key_material = keys[self._current_kid]

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """A fresh token for ``plaintext``; encrypting one value twice gives different tokens."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self._current_kid].encrypt(nonce, plaintext.encode(), _aad(context))
        return f"{TOKEN_VERSION}.{self._current_kid}.{_b64url_encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        """The plaintext of ``token``; raises :class:`CryptoError` when it cannot be trusted."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != TOKEN_VERSION:
            raise CryptoError("not a v1 field-encryption token")
        _, kid, payload = parts
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise CryptoError(f"unknown key id {kid!r}: was its key removed from GONGKAI_FIELD_ENCRYPTION_KEYS?")
        # The decoder skips foreign characters; refuse them so one value has one spelling.
        if not _B64URL.match(payload):
            raise CryptoError("token payload is not base64url")
        try:
            sealed = _b64url_decode(payload)
        except binascii.Error as exc:
            raise CryptoError("token payload is not base64url") from exc
        if len(sealed) < _NONCE_BYTES + 16:
            raise CryptoError("token payload is too short")
        try:
            plaintext = cipher.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], _aad(context))
        except InvalidTag as exc:
            # GCM cannot tell a modified token from one of another column: same error for both.
            raise CryptoError("token was modified or belongs to another context") from exc
        return plaintext.decode()

    def encrypt_bytes(self, plaintext: bytes, *, context: str) -> bytes:
        """:meth:`encrypt` for a byte string (a stored HTTP response): the token, ASCII-encoded."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self._current_kid].encrypt(nonce, plaintext, _aad(context))
        return f"{TOKEN_VERSION}.{self._current_kid}.{_b64url_encode(nonce + sealed)}".encode("ascii")

    def decrypt_bytes(self, token: bytes, *, context: str) -> bytes:
        """The plaintext of an :meth:`encrypt_bytes` token; :class:`CryptoError` when it cannot be trusted."""
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise CryptoError("not a v1 field-encryption token") from exc
        parts = text.split(".")
        if len(parts) != 3 or parts[0] != TOKEN_VERSION:
            raise CryptoError("not a v1 field-encryption token")
        cipher = self._ciphers.get(parts[1])
        if cipher is None:
            raise CryptoError(f"unknown key id {parts[1]!r}")
        if not _B64URL.match(parts[2]):
            raise CryptoError("token payload is not base64url")
        sealed = _b64url_decode(parts[2])
        if len(sealed) < _NONCE_BYTES + 16:
            raise CryptoError("token payload is too short")
        try:
            return cipher.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], _aad(context))
        except InvalidTag as exc:
            raise CryptoError("token was modified or belongs to another context") from exc

    def blind_index(self, plaintext: str, *, context: str) -> str:
        """A keyed hash (盲索引) to find rows by identity number without decrypting them.

        Deterministic by design — equal values give equal indexes, which is what makes lookup
        possible, and also reveals which rows share a value; that is the accepted trade-off. It is
        HMAC-SHA256 (64 hex chars) under a key derived with HKDF from the *current* key and the
        context, so indexes of different columns do not match and a stolen index cannot be
        brute-forced without the key. Rotating the current key changes every index: recompute
        them when re-encrypting. The value is hashed exactly as given; callers normalize first
        (e.g. ``value.strip().upper()`` so a check digit ``x`` matches ``X``).
        """
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"gongkai.blind-index.v1\x00" + _aad(context),
        ).derive(self._index_key_material)
        return hmac.new(key, plaintext.encode(), hashlib.sha256).hexdigest()


def mask_identity_number(value: str) -> str:
    """Masks an identity-document number for display (证件号码脱敏), keeping its length.

    One rule for every document type (居民身份证, 护照, 港澳台通行证, 军官证 …): at most a third of
    the characters is shown, never more, whatever the length — ``len // 3`` characters, a third of
    them (rounded down) from the start and the rest from the end::

        110101199003071234 (18, resident ID)  → 11************1234   6 of 18 shown
        110101900307123    (15, old resident) → 1**********7123      5 of 15
        E12345678          (9, passport)      → E******78            3 of 9
        C1234567           (8)                → ******67              2 of 8
        AB                 (2 or fewer)       → **                    nothing

    Why these: the end is what a person checks against the card in their hand (the last 4 of a
    resident ID, its check digit included), so it gets the larger share; the first 2 of a
    resident ID are only the province, which lets a clerk see that a number was filed under the
    wrong document type without revealing the city, the birth date (characters 7–14) or the
    sequence. The old rule (4 + 4) showed 8 of 9 characters of a passport number. Surrounding
    whitespace is not counted; empty stays empty.
    """
    value = value.strip()
    shown = len(value) // 3
    head = shown // 3
    tail = shown - head
    if shown == 0:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - shown) + value[len(value) - tail :]


# A resident identity number (居民身份证号码: 18 characters, the last a digit or X; or the 15 digits
# of a first-generation card) standing alone in free text.
_RESIDENT_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


def mask_identity_like(text: str) -> str:
    """``text`` with every resident identity number in it masked (:func:`mask_identity_number`):
    for free text a caller may have typed one into (a 12345 order's content)."""
    return _RESIDENT_ID_IN_TEXT.sub(lambda m: mask_identity_number(m.group(0)), text)


def mask_identity_values(value: Any) -> Any:
    """A JSON-like document with identity numbers masked at any depth: every ``id_number`` member,
    and resident identity numbers inside any string."""
    if isinstance(value, str):
        return mask_identity_like(value)
    if isinstance(value, dict):
        return {
            k: mask_identity_number(v) if k == "id_number" and isinstance(v, str) else mask_identity_values(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_identity_values(v) for v in value]
    return value


def _parse_keys(setting: str) -> dict[str, bytes]:
    """``kid:base64key,…`` → {kid: key}, in order (the first is current)."""
    keys: dict[str, bytes] = {}
    for entry in (e.strip() for e in setting.split(",")):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep or not _KID.match(kid):
            raise ValueError(
                "GONGKAI_FIELD_ENCRYPTION_KEYS entries must be kid:base64key, kid of letters, digits, _ or -"
            )
        if kid in keys:
            raise ValueError(f"GONGKAI_FIELD_ENCRYPTION_KEYS lists key id {kid!r} twice")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"GONGKAI_FIELD_ENCRYPTION_KEYS: key {kid!r} is not valid base64") from exc
        if len(key) != _KEY_BYTES:
            raise ValueError(f"GONGKAI_FIELD_ENCRYPTION_KEYS: key {kid!r} must be 32 bytes, got {len(key)}")
        keys[kid] = key
    if not keys:
        raise ValueError("GONGKAI_FIELD_ENCRYPTION_KEYS is empty")
    return keys


def _aad(context: str) -> bytes:
    if not context:
        # An empty context would let a token move between any two columns that forgot theirs.
        raise ValueError("context must name the column, e.g. 'requests.applicant.id_number'")
    return context.encode()


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
