"""Case documents (issue 17): so far only the streaming file encryption (``streaming``)."""
