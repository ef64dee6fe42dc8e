"""Use cases, one public function each, grouped by domain topic; the services commit.

The topic modules that plug into the workflow runtime (form handlers, service-task
operations) are imported here so their registrations exist whenever services are used.
"""
from services import audit_checkpoints  # noqa: F401 - the daily checkpoint timer
from services.draw import stage  # noqa: F401
from services.stages import (diagnosis, follow_up, initiation, inspections, publication,  # noqa: F401
                             referrals, review)
from services.workflow import script_functions  # noqa: F401
