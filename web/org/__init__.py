"""Organisation pages (/org): regions, departments, accounts and the org-chart import for admins (their
subtree); 代办 (delegations) for everyone. Also the must-change-password gate after an admin's reset."""
from web.org.routes import bp
from web.org import accounts, delegations  # noqa: F401 - they register their routes on bp

__all__ = ["bp"]
