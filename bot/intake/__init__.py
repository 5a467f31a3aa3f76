"""Intake: interviews from any source, validated and kept in step with their prompts."""
