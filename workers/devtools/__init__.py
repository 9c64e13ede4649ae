"""Development-only tools: local services, worker processes, corpus, fakes (not in the image)."""
