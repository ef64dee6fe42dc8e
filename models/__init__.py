"""SQLAlchemy 2 typed models. Importing this package registers every table on Base.metadata."""
from models.audit import AuditChainHead, AuditRecord
from models.base import Base
from models.case import Case
from models.campaign import Campaign, CampaignDepartment, CampaignStage, Diagnosis, Review
from models.catalogue import ChecklistItem, ChecklistRevision, Industry, Matter
from models.draw import Draw, DrawnEnterprise
from models.enterprise import Enterprise, RecusalRequest
from models.expert import Expert, ExpertConflict
from models.inspection import FollowUp, Inspection, InspectionOfficer, ItemResult, Publication
from models.org import ApiToken, Department, OfficerConflict, Region, User, UserRole
from models.plan import PlanEntry
from models.timer import Notification, Timer
from models.workflow import HumanTask, ProcessDefinition, TaskCandidate, WorkflowInstance

__all__ = [
    "ApiToken", "AuditRecord", "Base", "Campaign", "Case", "CampaignDepartment", "CampaignStage",
    "ChecklistItem", "ChecklistRevision", "Department", "Diagnosis", "Draw", "DrawnEnterprise",
    "Enterprise", "Expert", "ExpertConflict", "FollowUp", "HumanTask", "Industry", "Inspection", "InspectionOfficer",
    "ItemResult", "Matter", "Notification", "OfficerConflict", "PlanEntry", "ProcessDefinition", "Publication", "RecusalRequest", "Region", "Review",
    "TaskCandidate", "Timer", "User", "UserRole", "WorkflowInstance",
]
__all__ += ["AuditChainHead"]
