"""Hostile and broken clients: what they send, what they get, what operators see."""
