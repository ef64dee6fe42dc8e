"""SQLAlchemy 2 typed models. Importing this package registers every table on Base.metadata."""
from models.audit import AuditRecord
from models.base import Base
from models.campaign import Campaign, CampaignDepartment, CampaignStage, Diagnosis, Review
from models.catalogue import ChecklistItem, ChecklistRevision, Industry, Matter
from models.draw import Draw, DrawnEnterprise
from models.enterprise import Enterprise
from models.inspection import FollowUp, Inspection, InspectionOfficer, ItemResult, Publication
from models.org import ApiToken, Department, Region, User, UserRole
from models.plan import PlanEntry
from models.workflow import HumanTask, ProcessDefinition, TaskCandidate, WorkflowInstance

__all__ = [
    "ApiToken", "AuditRecord", "Base", "Campaign", "CampaignDepartment", "CampaignStage",
    "ChecklistItem", "ChecklistRevision", "Department", "Diagnosis", "Draw", "DrawnEnterprise",
    "Enterprise", "FollowUp", "HumanTask", "Industry", "Inspection", "InspectionOfficer",
    "ItemResult", "Matter", "PlanEntry", "ProcessDefinition", "Publication", "Region", "Review",
    "TaskCandidate", "User", "UserRole", "WorkflowInstance",
]
