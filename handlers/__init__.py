"""The conversation engine, forms, parsing and texts: no channel SDK here."""
