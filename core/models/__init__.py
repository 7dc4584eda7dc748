"""The shared debt model. Importing this package registers the debt-model tables on the metadata.

Users and tokens live in ``core.auth.models``; the tenant tree in ``core.tenancy.models``.
"""

from core.models.debt import Category, Debt, Payment, PaymentMethod, Source
from core.models.enterprise import Enterprise, EnterpriseLink, EnterpriseProposal, SizeClass
from core.models.event import Event
from core.models.migration_owner import MigrationOwner

__all__ = [
    "Category",
    "Debt",
    "Enterprise",
    "EnterpriseLink",
    "EnterpriseProposal",
    "Event",
    "MigrationOwner",
    "Payment",
    "PaymentMethod",
    "SizeClass",
    "Source",
]
