"""Field encryption (AES-GCM under a rotating key ring) and keyed blind indexes."""
