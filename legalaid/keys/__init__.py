"""The `legalaid keys` commands: they drive the foundation's key ring and rotation
(`crypto/`) over every model's encrypted columns (`legalaid.models.metadata`) and check
afterwards that every document still opens (`documents/keys.py`)."""
