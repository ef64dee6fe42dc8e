"""The built-in body of each document kind, a Jinja template over the document's frozen data (records.py).

One line of output is one paragraph of the document (empty lines are dropped); a line starting with `## ` is a heading. The header
(authority, title, number) and the footer (record hash, the enterprise's signatures) are not part of the
body: no template can leave the number or the hash off a document. An admin can save a region's own version
(services.documents.templates); these are what a region without one gets, and what a new one starts from.
SAMPLES are the data a saved template is tried on before it is accepted.
"""
BODIES = {
    "inspection_record": """\
检查日期：{{ inspected_on or '—' }}    检查方式：{{ method or '—' }}
检查人员：{% for o in officers %}{{ o.name }}（{{ o.department }}，执法证号 {{ o.cert_no or '—' }}）{% if not loop.last %}、{% endif %}{% endfor %}
{% for block in departments %}
## {{ block.department }} 检查情况
{% for f in block.findings %}
{{ loop.index }}. {{ f.item }} —— {{ f.result }}{% if f.note %}（{{ f.note }}）{% endif %}
{% endfor %}
{% endfor %}
## 检查结果：{{ result or '—' }}
{% if summary %}
现场情况：{{ summary }}
{% endif %}
## 检查人员签字
{% for s in signoffs %}
检查人员：{{ s.name }}  签字时间：{{ s.signed_at }}
{% endfor %}
""",
    "rectification_order": """\
经 {{ inspected_on or '—' }} 检查，你单位存在下列问题：
{% for p in problems %}
{{ loop.index }}. {{ p.item }}（{{ p.department }}：{{ p.matter }}；依据：{{ p.legal_basis }}）
{% endfor %}
现责令你单位于 {{ deadline or '—' }}{% if working_days %}（{{ working_days }} 个工作日）{% endif %}前改正，并将整改情况报送本机关。逾期不改正的，依法处理。
""",
    "result_notice": """\
检查日期：{{ inspected_on or '—' }}    检查部门：{{ departments | join('、') }}
检查结果：{{ result or '—' }}
{% if handling %}
处置：{{ handling }}
{% endif %}
公示日期：{{ published_on or '—' }}。如对检查结果有异议，可在公示期内通过企业服务页面提出。
""",
    "reinspection_opinion": """\
本机关于 {{ inspected_on or '—' }} 检查发现你单位存在下列问题，责令于 {{ deadline }} 前改正：
{% for p in problems %}
{{ loop.index }}. {{ p.item }}（{{ p.department }}：{{ p.matter }}）
{% endfor %}
## 整改情况
{{ rectification or '—' }}{% if rectified_on %}（{{ rectified_on }}）{% endif %}
## 复查情况
{{ reinspection }}
## 复查意见
{{ conclusion }}{% if reinspected_on %}。复查日期：{{ reinspected_on }}{% endif %}
""",
    "case_transfer": """\
{{ authority }}：
本机关在 {{ campaign.title }}（{{ campaign.code }}）中于 {{ inspected_on or '—' }} 检查发现 {{ enterprise.name }} 存在下列问题：
{% for p in problems %}
{{ loop.index }}. {{ p.item }}（{{ p.department }}：{{ p.matter }}；依据：{{ p.legal_basis }}）
{% endfor %}
{% if reason %}
移送理由：{{ reason }}
{% endif %}
依照有关规定，现将该案件移送你机关依法处理，请于收到后书面回复。移送日期：{{ sent_on }}
""",
    "referral_letter": """\
{{ to_department }}：
{{ from_department }} 于 {{ inspected_on or '—' }} 在联合检查中发现 {{ enterprise.name }} 的下列问题，属你部门职责范围：
{{ finding }}
{% if evidence %}
## 附件（证据）
{% for e in evidence %}
{{ loop.index }}. {{ e.name }}  SHA-256：{{ e.sha256 }}
{% endfor %}
{% endif %}
请于 {{ due_on }} 前签收并依法处理。移交日期：{{ created_on }}
""",
}

_BASE = {"enterprise": {"name": "示例商贸有限公司", "uscc": "91310115MA1K3CUM7M", "address": "示例路 1 号"},
         "campaign": {"code": "2026-001", "title": "示例行业联合检查"}, "inspected_on": "2026-03-02",
         "result": "发现问题待后续处理"}
_PROBLEM = {"item": "灭火器在有效期内", "matter": "消防安全检查", "legal_basis": "《消防法》第十六条",
            "result": "不符合", "failed": True, "note": "2 具过期", "department": "消防救援大队"}
SAMPLES = {
    "inspection_record": _BASE | {
        "method": "实地检查", "summary": "现场已拍照",
        "departments": [{"department": "消防救援大队", "findings": [{k: v for k, v in _PROBLEM.items()
                                                                     if k != "department"}]}],
        "officers": [{"name": "张三", "department": "市场监管局", "cert_no": "42000000001"}],
        "signoffs": [{"name": "张三", "signed_at": "2026-03-02 10:00"}]},
    "rectification_order": _BASE | {"problems": [_PROBLEM], "deadline": "2026-03-20", "working_days": 10},
    "result_notice": _BASE | {"published_on": "2026-03-10", "handling": "责令整改", "departments": ["市场监管局"]},
    "reinspection_opinion": _BASE | {
        "problems": [_PROBLEM], "deadline": "2026-03-20", "rectification": "已更换灭火器", "rectified_on": "2026-03-15",
        "reinspection": "现场复查，已整改", "rectified": True, "conclusion": "整改到位，予以销号",
        "reinspected_on": "2026-03-18"},
    "case_transfer": _BASE | {"subject_id": 1, "authority": "县公安局", "reason": "涉嫌犯罪", "sent_on": "2026-03-12",
                              "problems": [_PROBLEM]},
    "referral_letter": _BASE | {
        "subject_id": 1, "from_department": "市场监管局", "to_department": "消防救援大队", "finding": "安全出口堵塞",
        "due_on": "2026-03-09", "created_on": "2026-03-02",
        "evidence": [{"name": "出口.jpg", "sha256": "0" * 64}]},
}
