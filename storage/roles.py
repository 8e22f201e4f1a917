"""Members' roles, stored as these strings."""

from __future__ import annotations

from typing import Literal, get_args

# kader: reports for their units; ketua: the pokja chair of a Kampung KB, sees all its
# units and gets its recap; plkb: the field officer of a kecamatan, sees all its villages.
Role = Literal["kader", "ketua", "plkb"]
ROLES: tuple[Role, ...] = get_args(Role)


def as_role(stored: str) -> Role:
    """A role read from the database."""
    for role in ROLES:
        if role == stored:
            return role
    raise ValueError(f"unknown role {stored!r}")
