"""Placeholder until filled."""
