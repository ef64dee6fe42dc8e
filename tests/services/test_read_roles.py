"""Reads that need a role check it in the service, with the user passed in: a page or an API endpoint added later
gets the same answer without repeating the check."""
import pytest

from services.draw import redraw
from services.errors import Forbidden
from services.stages import plans, review
from services.workflow import calendar
from tests.services.draw_support import user

READS = {
    "plan form": lambda who: plans.form_options(who),
    "redraw requests": lambda who: redraw.pending_requests(who),
    "review weights form": lambda who: review.weights_to_edit(who),
    "working-day calendar": lambda who: calendar.maintenance_view(who, 2026),
}


@pytest.mark.parametrize("read", READS, ids=list(READS))
def test_an_official_is_refused_and_the_supervisor_reads(app, read):
    with app.app_context():
        with pytest.raises(Forbidden):
            READS[read](user("scjg_01"))
        assert READS[read](user("supervisor")) is not None


def test_the_designers_reads_are_for_designers(app):
    from services.designer import decisions, processes
    with app.app_context():
        reads = [processes.process_ids, processes.drafts, processes.modeler_options, processes.decision_files,
                 decisions.overview, lambda who: processes.versions(who, "campaign")]
        for read in reads:
            with pytest.raises(Forbidden):
                read(user("scjg_01"))
            assert read(user("designer")) is not None
