"""Use cases: one module each. A handler takes typed input and returns a ``Reply``."""
