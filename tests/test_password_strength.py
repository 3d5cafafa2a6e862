"""Passwords that list-based attacks try first are refused, whatever their length
(issue 12, point 6): zxcvbn's score against the minimum of policies/security.toml."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from legalaid.accounts import passwords

GUESSED_FIRST = ["aaaaaaaaaaaa", "qwertyuiopasdfgh", "legalaidlegalaid"]
MESSAGES = {
    "en": "This password is too easy to guess",
    "az": "Bu parolu təxmin etmək çox asandır",
    "ru": "Этот пароль слишком легко угадать",
}


@pytest.mark.parametrize("bad", GUESSED_FIRST)
@pytest.mark.parametrize("language", sorted(MESSAGES))
def test_long_but_guessable_passwords_are_refused_in_every_language(
    app: Flask, bad: str, language: str
) -> None:
    with app.test_request_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        assert len(bad) >= policy.min_length  # the length rule alone let them through
        with force_locale(language), pytest.raises(passwords.PasswordRejectedError) as refused:
            passwords.check_new_password(bad, policy)
        assert MESSAGES[language] in str(refused.value)


def test_the_minimum_strength_comes_from_the_policy(app: Flask) -> None:
    with app.test_request_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        assert policy.min_strength == 3
        lenient = policy.model_copy(update={"min_strength": 0})
        passwords.check_new_password("qwertyuiopasdfgh", lenient)


@pytest.mark.parametrize(
    "good", ["a long enough test passphrase", "plum orbit velvet cascade", "Mən çayı soyuq içirəm"]
)
def test_phrases_of_unrelated_words_pass(app: Flask, good: str) -> None:
    with app.test_request_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        passwords.check_new_password(good, policy, email="lawyer1@example.org")


def test_the_address_book_name_of_the_user_counts_against_her(app: Flask) -> None:
    with app.test_request_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        with pytest.raises(passwords.PasswordRejectedError):
            passwords.check_new_password(
                "sevinjmammadova", policy, email="sevinj.mammadova@example.org"
            )
