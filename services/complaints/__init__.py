"""Complaints and reports (投诉举报): registered, triaged within working days, answered; escalated when late."""
