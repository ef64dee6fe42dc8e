"""`flask campaign simulate` drives a whole campaign through the same services the forms use."""
from sqlalchemy import select

from domain.draw import sample_size
from extensions import db
from models import Campaign, Inspection
from demo.simulate import ratios_for


def test_ratios_yield_exactly_the_requested_number():
    counts = {"A": 846, "B": 671, "C": 344, "D": 139}
    for wanted in (1, 3, 10, 57, 1000, 2000):
        ratios = ratios_for(counts, wanted)
        assert sum(sample_size(counts[c], ratios[c]) for c in counts) == wanted


def test_simulate_command_completes_a_campaign(app):
    result = app.test_cli_runner().invoke(args=["campaign", "simulate", "--enterprises", "6"])
    assert result.exit_code == 0, result.output
    assert "[完成]" in result.output and "completed" in result.output
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        assert campaign.status == "completed"
        assert len(db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)).all()) == 6


def test_simulate_refuses_impossible_sizes(app):
    result = app.test_cli_runner().invoke(args=["campaign", "simulate", "--enterprises", "999999"])
    assert result.exit_code == 1
    assert "抽取户数" in result.output
