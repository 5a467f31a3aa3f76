"""Persistence: SQLModel tables, repository functions and migrations. Imports nothing from the project."""
