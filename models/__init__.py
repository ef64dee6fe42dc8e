"""SQLAlchemy 2 typed models. Importing this package registers every table on Base.metadata."""
from models.audit import AuditChainHead, AuditCheckpoint, AuditRecord
from models.base import Base
from models.calendar import CalendarOverride, CalendarYear
from models.campaign import Campaign, CampaignDepartment, CampaignStage
from models.case import Case
from models.catalogue import ChecklistItem, ChecklistRevision, Industry, Matter
from models.document import Document, DocumentCounter, DocumentPrefix, DocumentSignature, DocumentTemplate
from models.draw import Draw, DrawnEnterprise, RedrawRequest, SeedContribution
from models.enterprise import DirectoryImport, Enterprise, EnterpriseVersion, RecusalRequest
from models.enterprise_requests import (ClaimEvidence, CreditRepair, RecusalApplication, RectificationClaim,
                                         SatisfactionRating, SelfCheck)
from models.expert import Expert, ExpertConflict
from models.diagnosis import Diagnosis
from models.follow_up import CreditCommitment, FollowUp, HandlingDecision, ServiceRecord, Transfer
from models.inspection import (Evidence, Inspection, InspectionDraft, InspectionOfficer, InspectionRevision,
                               InspectionSignoff, ItemResult)
from models.notification import Notification, NotificationReceipt
from models.org import ApiToken, Delegation, Department, OfficerConflict, Region, User, UserRole
from models.plan import PlanEntry
from models.publication import Publication
from models.portal import LoginCode, Objection, OutboxMessage
from models.referral import Referral
from models.review import Review, ReviewScheme
from models.timer import Timer, WorkerHeartbeat
from models.workflow import HumanTask, ProcessDefinition, ProcessDraft, TaskCandidate, WorkflowInstance

__all__ = [
    "ApiToken", "AuditRecord", "Base", "CalendarOverride", "CalendarYear", "Campaign", "CampaignDepartment",
    "CampaignStage", "Case", "ChecklistItem", "ChecklistRevision", "CreditCommitment", "Department", "Diagnosis",
    "DirectoryImport", "Draw", "DrawnEnterprise", "Enterprise", "EnterpriseVersion", "Evidence", "Expert", "ExpertConflict", "FollowUp", "HandlingDecision",
    "HumanTask", "Industry", "Inspection", "InspectionDraft", "InspectionOfficer", "InspectionRevision",
    "InspectionSignoff", "ItemResult", "Matter", "Notification", "NotificationReceipt", "OfficerConflict",
    "PlanEntry", "ProcessDefinition", "ProcessDraft", "Publication", "RecusalRequest", "RedrawRequest", "Referral",
    "Region", "Review", "ReviewScheme", "ServiceRecord", "TaskCandidate", "Timer", "Transfer", "User", "UserRole",
    "WorkerHeartbeat", "WorkflowInstance",
]
__all__ += ["AuditChainHead", "AuditCheckpoint", "Delegation", "Document", "DocumentCounter", "DocumentPrefix",
            "LoginCode", "Objection", "OutboxMessage"]
__all__ += ["ClaimEvidence", "CreditRepair", "RecusalApplication", "RectificationClaim", "SatisfactionRating", "SelfCheck"]
from models.availability import ClockSetting, CompletionKey  # noqa: E402 - appended by the availability work

__all__ += ["ClockSetting", "CompletionKey"]
from models.key_list import CampaignKeyList, KeyList, KeyListEntry  # noqa: E402 - key-object lists (issue 17)

__all__ += ["CampaignKeyList", "KeyList", "KeyListEntry"]
from models.complaint import Complaint, ComplaintAttachment  # noqa: E402 - complaints (issue 17)

__all__ += ["Complaint", "ComplaintAttachment"]

__all__ += ["DocumentSignature", "DocumentTemplate"]

from models.portal import ObjectionEvidence  # noqa: E402 - appended by the objection evidence work

__all__ += ["ObjectionEvidence", "SeedContribution"]

from models.theme import InvitationRule, NamedArea, ThemedAction  # noqa: E402 - issue 17: campaign kinds

__all__ += ["InvitationRule", "NamedArea", "ThemedAction"]

from models.diagnosis_opinion import DiagnosisOpinion  # noqa: E402 - appended by the 会诊 work
from models.leniency import LeniencyGrant  # noqa: E402
from models.case import CaseDepartment  # noqa: E402

__all__ += ["CaseDepartment", "DiagnosisOpinion", "LeniencyGrant"]
