"""Complaint and report pages (投诉举报)."""
