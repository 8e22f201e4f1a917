"""SQLModel tables and queries."""
