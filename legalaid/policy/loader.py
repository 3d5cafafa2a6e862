"""Read one policy file into a pydantic model, or stop start-up with one clear line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from legalaid.errors import StartupError

M = TypeVar("M", bound=BaseModel)


class PolicyModel(BaseModel):
    """Base for policy files: unknown keys are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: A text of a policy file: stripped, never empty.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Translated(PolicyModel):
    """A text in each of the app's languages; none may be left out."""

    en: Text
    az: Text
    ru: Text

    def get(self, language: str) -> str:
        return {"en": self.en, "az": self.az, "ru": self.ru}.get(language, self.en)


#: The policy files shipped with the package (a network's own folder overrides them).
SHIPPED_POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"


def policy_path(override_dir: Path | None, filename: str) -> Path:
    """The network's own file where its folder has one, else the shipped default."""
    if override_dir is not None and not override_dir.is_dir():
        raise StartupError(f"the policy folder {override_dir} does not exist")
    if override_dir is not None and (override_dir / filename).exists():
        return override_dir / filename
    return SHIPPED_POLICY_DIR / filename


def load_policy(policy_dir: Path | None, filename: str, model: type[M]) -> M:
    path = policy_path(policy_dir, filename)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise StartupError(f"policy file {path} is missing") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise StartupError(f"policy file {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise StartupError(f"policy file {path} is not valid TOML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise StartupError(
            f"policy file {path}: {where}: {first['msg']} ({exc.error_count()} problem(s) in all)"
        ) from exc
