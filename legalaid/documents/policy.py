"""``policies/documents.toml``: size limits and the file types each kind of document takes."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from legalaid.policy.loader import PolicyModel
from legalaid.vocabulary.documents import DOCUMENT_KINDS

MB = 1024 * 1024

#: The types the app can check by content (legalaid/documents/filetypes.py).
FILE_TYPES = ("pdf", "jpeg", "png", "heic", "docx", "odt", "text")


class DocumentPolicy(PolicyModel):
    max_file_mb: int = Field(ge=1, le=200)
    max_case_mb: int = Field(ge=1, le=100_000)
    max_files_per_upload: int = Field(ge=1, le=20)
    # DOCX and ODT are ZIP archives: what they may unpack to (a zip bomb is refused).
    max_unpacked_mb: int = Field(ge=1, le=2000)
    max_archive_entries: int = Field(ge=10, le=100_000)
    # Photos are decoded to strip their metadata: larger images are refused.
    max_image_megapixels: int = Field(ge=1, le=400)
    allowed_types: dict[str, tuple[str, ...]]
    # The orphan sweep removes stored files no row holds once they are this old.
    sweep_after_hours: int = Field(default=24, ge=1, le=24 * 30)

    @field_validator("allowed_types")
    @classmethod
    def _known(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown_kinds = sorted(set(value) - set(DOCUMENT_KINDS.codes))
        if unknown_kinds:
            raise ValueError(f"unknown document kinds: {', '.join(unknown_kinds)}")
        missing = sorted(set(DOCUMENT_KINDS.codes) - set(value))
        if missing:
            raise ValueError(f"no allowed types for kinds: {', '.join(missing)}")
        for kind, types in value.items():
            bad = sorted(set(types) - set(FILE_TYPES))
            if bad or not types:
                raise ValueError(f"{kind}: types must be some of {', '.join(FILE_TYPES)}")
        return value

    @model_validator(mode="after")
    def _case_holds_a_file(self) -> DocumentPolicy:
        if self.max_case_mb < self.max_file_mb:
            raise ValueError("max_case_mb must be at least max_file_mb")
        return self

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * MB

    @property
    def max_case_bytes(self) -> int:
        return self.max_case_mb * MB

    @property
    def max_request_bytes(self) -> int:
        """The request cap on upload routes: every file at its limit, and the form beside."""
        return self.max_files_per_upload * self.max_file_bytes + MB
