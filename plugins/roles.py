"""Role groups the built-in plugins grant their permissions to."""

ALL_ROLES = [
    "platform_admin",
    "office_admin",
    "unit_clerk",
    "unit_head",
    "soe_group_admin",
    "leader",
    "auditor",
]
WRITERS = ["platform_admin", "office_admin", "unit_clerk", "unit_head", "soe_group_admin"]
OFFICE = ["platform_admin", "office_admin"]
