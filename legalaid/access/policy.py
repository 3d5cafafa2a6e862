"""``policies/access.toml``: roles, their permissions, and the permission of each endpoint."""

from __future__ import annotations

from pydantic import model_validator

from legalaid.policy.loader import PolicyModel
from legalaid.vocabulary.roles import ROLES

#: Anyone, signed in or not.
PUBLIC = "public"
#: Any fully signed-in user, whatever her role.
SIGNED_IN = "signed_in"
#: The API: authenticated by a personal access token in the view
#: (:func:`legalaid.api.auth.token_required`), never by the session, whatever its role.
API_TOKEN = "api_token"  # noqa: S105 - a policy level, not a secret
LEVELS = (PUBLIC, SIGNED_IN, API_TOKEN)
#: The attribute that marks a view as checking the token itself (start-up requires it on
#: every ``api_token`` endpoint).
TOKEN_VIEW_MARK = "legalaid_api_token"  # noqa: S105 - an attribute name, not a secret


class AccessPolicy(PolicyModel):
    roles: dict[str, tuple[str, ...]]
    endpoints: dict[str, str]

    @model_validator(mode="after")
    def _consistent(self) -> AccessPolicy:
        unknown_roles = sorted(set(self.roles) - set(ROLES.codes))
        if unknown_roles:
            raise ValueError(f"unknown role(s) in [roles]: {', '.join(unknown_roles)}")
        granted = {permission for permissions in self.roles.values() for permission in permissions}
        for endpoint, needed in self.endpoints.items():
            if needed not in LEVELS and needed not in granted:
                raise ValueError(
                    f"endpoint '{endpoint}' needs permission '{needed}', which no role has"
                )
        return self

    def permissions_of(self, role: str) -> frozenset[str]:
        return frozenset(self.roles.get(role, ()))

    def allows(self, role: str | None, endpoint: str) -> bool:
        needed = self.endpoints.get(endpoint)
        if needed is None:
            return False
        if needed == PUBLIC:
            return True
        if role is None or needed == API_TOKEN:
            return False
        return needed == SIGNED_IN or needed in self.permissions_of(role)

    def is_api_token(self, endpoint: str) -> bool:
        return self.endpoints.get(endpoint) == API_TOKEN
