"""Enforcement documents (执法文书): numbering, the recorded data they render, PDF rendering, issuing and voiding."""
