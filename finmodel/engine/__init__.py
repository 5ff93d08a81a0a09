"""Vectorised models: every function works on rows (paths or outcome combinations) x months."""
