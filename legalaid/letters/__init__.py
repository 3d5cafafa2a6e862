"""Letters filled from a case with the DOCX templates of ``policies/templates/``."""
