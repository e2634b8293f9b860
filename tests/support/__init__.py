"""Builders and drivers shared by test modules (test modules never import each other)."""
