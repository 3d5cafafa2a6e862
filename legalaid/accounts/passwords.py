"""Password hashing (argon2id) and the password rules of ``policies/security.toml``."""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from legalaid.errors import DomainError
from legalaid.policy.security import PasswordPolicy

# (time cost, memory KiB, parallelism). About 210 ms per hash on a 2-core clinic server:
# above the OWASP minimum (m=19456 KiB, t=2, p=1), within the ~300 ms budget of a sign-in.
STRONG = (3, 65536, 1)
# Test suites hash thousands of passwords; the format tests check STRONG separately.
FAST = (1, 8, 1)

_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


class PasswordRejectedError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="password")


@lru_cache(maxsize=2)
def hasher_for(profile: str) -> PasswordHasher:
    time_cost, memory_cost, parallelism = FAST if profile == "fast" else STRONG
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def current_hasher() -> PasswordHasher:
    return hasher_for(current_app.extensions["legalaid.settings"].password_hashing)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def check_new_password(password: str, policy: PasswordPolicy, *, email: str = "") -> None:
    """Length from policy, no composition rules, common and personal passwords refused."""
    if len(password) > policy.max_length:
        raise PasswordRejectedError(
            _("The password is too long: at most %(n)d characters.", n=policy.max_length)
        )
    if len(password) < policy.min_length:
        raise PasswordRejectedError(
            _("The password is too short: at least %(n)d characters.", n=policy.min_length)
        )
    lowered = password.strip().lower()
    if lowered in common_passwords():
        raise PasswordRejectedError(
            _("This password is one of the most common ones. Choose another.")
        )
    if email and (lowered == email.lower() or lowered == email.split("@")[0].lower()):
        raise PasswordRejectedError(_("The password must not be your email address."))
    if guessability(password, email=email) < policy.min_strength:
        raise PasswordRejectedError(
            _(
                "This password is too easy to guess: repeated letters, keyboard rows, words "
                "and names are what attackers try first. Use a few unrelated words."
            )
        )


#: Words about this app that an attacker guessing for it tries first.
_APP_WORDS = ("legalaid", "legal", "aid", "clinic", "azerbaijan", "baku")
#: zxcvbn's own limit; its estimate of the first 72 characters stands for the whole.
_ESTIMATOR_LENGTH = 72


def guessability(password: str, *, email: str = "") -> int:
    """zxcvbn's score, 0 (guessed at once) to 4 (very hard), of ``password``.

    A list-based attack tries repetitions, keyboard walks, dictionary words and the
    service's own name first; the length rule alone lets "aaaaaaaaaaaa" through.
    """
    personal = [part for part in email.lower().replace("@", ".").split(".") if part]
    result = zxcvbn(password[:_ESTIMATOR_LENGTH], user_inputs=[*_APP_WORDS, *personal])
    return int(result["score"])


def hash_password(password: str, policy: PasswordPolicy) -> str:
    # The length check comes first so an oversized password never reaches the hasher.
    if len(password) > policy.max_length:
        raise PasswordRejectedError(
            _("The password is too long: at most %(n)d characters.", n=policy.max_length)
        )
    return current_hasher().hash(password)


def verify_password(stored_hash: str | None, password: str, policy: PasswordPolicy) -> bool:
    """Constant-shape check: an unknown user or an over-long password costs one hash too."""
    hasher = current_hasher()
    if len(password) > policy.max_length:
        return False
    if stored_hash is None:
        _spend_one_hash(hasher, password)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return current_hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=2)
def _dummy_hash(profile_params: tuple[int, int, int]) -> str:
    time_cost, memory_cost, parallelism = profile_params
    return PasswordHasher(time_cost, memory_cost, parallelism=parallelism).hash(
        "legalaid-dummy-password"
    )


def _spend_one_hash(hasher: PasswordHasher, password: str) -> None:
    """Verify against a dummy hash so that "no such user" takes as long as a wrong password."""
    dummy = _dummy_hash((hasher.time_cost, hasher.memory_cost, hasher.parallelism))
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(dummy, password)
