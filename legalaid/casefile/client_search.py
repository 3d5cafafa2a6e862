"""Find the user's own clients by name, on the keyed name index of the conflict check.

No plaintext is searched or stored: the typed name is reduced to the same sound
skeletons as the conflict check (Məmmədova, Mammadova and Мамедова are one), hashed with
the blind-index key, and a client matches when every word typed matches a word of her
names. The user's scope (:func:`legalaid.cases.scope.client_condition`) limits the rows.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, func, select

from legalaid.cases.scope import visible_clients
from legalaid.clients.models import Client
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.names import name_keys
from legalaid.viewer import Viewer

#: A client or case number has digits; a name has none.
_LOOKS_LIKE_NUMBER = re.compile(r"\d")


def looks_like_number(term: str) -> bool:
    return bool(_LOOKS_LIKE_NUMBER.search(term))


def clients_named(user: Viewer, term: str) -> Select[Any]:
    """The user's clients whose names contain every word of ``term`` (as name keys)."""
    keys = name_keys(term)
    query = visible_clients(user)
    if not keys:
        return query.where(Client.id.is_(None))
    matching = (
        select(NameKey.client_id)
        .where(NameKey.client_id.is_not(None), NameKey.key.in_(keys))
        .group_by(NameKey.client_id)
        .having(func.count(func.distinct(NameKey.key)) == len(keys))
    )
    return query.where(Client.id.in_(matching))
