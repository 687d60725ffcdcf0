"""Maintainer tools: not part of what learners import."""
