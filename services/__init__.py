"""Use cases, one public function each, grouped by domain topic; the services commit.

The topic modules that plug into the workflow runtime (form handlers, service-task
operations) are imported here so their registrations exist whenever services are used.
"""
from services import (campaigns, diagnosis, draw, follow_up, inspections, publication, referrals,  # noqa: F401
                      review, script_functions)
