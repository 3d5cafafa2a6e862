"""Hold a form posted after expiry, and hand it back once to the user who sent it."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from legalaid.audit.service import Actor, record_event
from legalaid.database import begin_writing, utcnow
from legalaid.held_forms.models import HeldForm

#: Long enough to sign in again with a second factor; short enough that an unattended
#: screen does not keep a client's details on the server.
HOLD_MINUTES = 10
#: A held form is only text fields; anything larger is not kept (uploads never are).
MAX_HELD_CHARACTERS = 256 * 1024
#: Never held: the old CSRF token (a fresh one is issued after sign-in) and the one-time
#: submission token (the page that sends the form again gets its own).
NOT_HELD = frozenset({"csrf_token", "submission_token"})
#: The names of the files she had chosen, kept (encrypted, with the rest) under a name no
#: form uses, so that the page that gives the form back can say which to choose again.
FILE_NAME_FIELD = "__held_file_name__"
#: Posted with a form sent again after sign-in whose files could not be kept: the page
#: that receives it says "choose the file again", not only "choose a file".
FILES_NOT_KEPT = "files_not_kept"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ReturnedForm:
    path: str
    fields: list[tuple[str, str]]
    had_files: bool
    #: The names of the files chosen when it was sent (the files themselves are not kept).
    file_names: list[str]


def hold(
    session: Session,
    *,
    user_id: int,
    role: str,
    path: str,
    fields: list[tuple[str, str]],
    had_files: bool,
) -> str | None:
    """Keep ``fields`` for ``user_id``; the random id to put in her cookie, or None."""
    kept = [(name, value) for name, value in fields if name not in NOT_HELD]
    text = json.dumps(kept, ensure_ascii=False)
    if not kept or len(text) > MAX_HELD_CHARACTERS or len(path) > 500:
        return None
    now = utcnow()
    session.execute(delete(HeldForm).where(HeldForm.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        HeldForm(
            token_hash=_hash(token),
            user_id=user_id,
            path=path,
            fields=text,
            had_files=had_files,
            created_at=now,
            expires_at=now + timedelta(minutes=HOLD_MINUTES),
        )
    )
    session.flush()
    record_event(
        session, "held_form.kept", object_type="user", object_id=user_id, actor=Actor(user_id, role)
    )
    return token


def take(session: Session, token: str, *, user_id: int) -> ReturnedForm | None:
    """The held form, once, if it is this user's and has not expired; it is gone after."""
    # Read under the write lock (a GET reads on a snapshot): two tabs resuming at once must
    # not both find the row and both get the form back.
    begin_writing(session)
    row = session.get(HeldForm, _hash(token))
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.user_id != user_id or row.expires_at <= utcnow():
        return None
    record_event(session, "held_form.returned", object_type="user", object_id=user_id)
    pairs = [(str(name), str(value)) for name, value in json.loads(row.fields)]
    return ReturnedForm(
        path=row.path,
        fields=[(name, value) for name, value in pairs if name != FILE_NAME_FIELD],
        had_files=row.had_files,
        file_names=[value for name, value in pairs if name == FILE_NAME_FIELD],
    )


def discard(session: Session, token: str) -> None:
    session.execute(delete(HeldForm).where(HeldForm.token_hash == _hash(token)))
