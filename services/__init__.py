"""Use cases, one public function each, grouped by domain topic; the services commit.

The topic modules that plug into the workflow runtime (form handlers, service-task
operations) are imported here so their registrations exist whenever services are used.
"""
from services import campaigns, diagnosis, draw, follow_up, inspections, publication, review  # noqa: F401
from services import referrals  # noqa: F401,E402
from services import script_functions  # noqa: E402,F401  (workdays() for working-day timers)
