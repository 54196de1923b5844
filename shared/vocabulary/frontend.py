"""Vocabularies of The codes the APIs return to front ends (issue 9): roles, capabilities, actions, event types, timeline kinds …"""

from __future__ import annotations

from typing import Literal

from shared.vocabulary.core import REVIEW_RESULT_LABELS, check_labels

# -- front ends (issue 9): the codes the APIs return that had no Chinese label yet ------------------

# 用户角色 (DESIGN §10 Auth; shared.auth.ROLES holds the same names)
Role = Literal["applicant", "handler", "unit_admin", "office", "assessor", "inspector", "integration", "admin"]
ROLE_LABELS: dict[str, str] = {
    "applicant": "申请人",
    "handler": "承办人",
    "unit_admin": "单位管理员",
    "office": "政务公开主管部门",
    "assessor": "考核人员",
    "inspector": "纪检监察",
    "integration": "系统对接（12345、省级平台）",
    "admin": "系统管理员",
}

# 当前用户可做的事 (GET /api/v1/me): derived from the roles, per unit (shared.me says which role gives which).
Capability = Literal[
    "applications.apply",
    "applications.read",
    "applications.handle",
    "hotline.answer",
    "units.read",
    "units.manage",
    "calendar.manage",
    "reports.read",
    "reports.region",
    "scoring.self_assess",
    "scoring.assess",
    "appraisal.manage",
    "accountability.read",
    "accountability.investigate",
    "notifications.read",
    "integrations.submit",
    "admin.operate",
]
CAPABILITY_LABELS: dict[str, str] = {
    "applications.apply": "提交政府信息公开申请、查看本人申请",
    "applications.read": "查看政府信息公开申请",
    "applications.handle": "办理政府信息公开申请（登记、补正、分派、延期、收费、审查、答复、归档）",
    "hotline.answer": "答复12345工单",
    "units.read": "查看单位名录",
    "units.manage": "维护单位名录",
    "calendar.manage": "维护工作日历（法定节假日、调休）",
    "reports.read": "查看政府信息公开工作年度报告",
    "reports.region": "按行政区划汇总年度报告",
    "scoring.self_assess": "年度考核自查",
    "scoring.assess": "年度考核评分",
    "appraisal.manage": "组织社会评议",
    "accountability.read": "查看责任追究案件",
    "accountability.investigate": "办理责任追究案件",
    "notifications.read": "查看站内通知",
    "integrations.submit": "推送12345工单和省级平台申请",
    "admin.operate": "系统运维（死信重放、补发参考数据、开发时钟）",
}

# 申请状态 (DESIGN §5; services/requests/domain/states.py STATES)
ApplicationState = Literal[
    "submitted",
    "registered",
    "correction_requested",
    "in_progress",
    "consulting",
    "fee_pending",
    "review",
    "replied",
    "archived",
    "withdrawn",
]
APPLICATION_STATE_LABELS: dict[str, str] = {
    "submitted": "待确认收到",
    "registered": "已登记",
    "correction_requested": "待补正",
    "in_progress": "办理中",
    "consulting": "征求意见中",
    "fee_pending": "待缴费",
    "review": "保密审查中",
    "replied": "已答复",
    "archived": "已归档",
    "withdrawn": "已撤回",
}

# 办理操作: POST /api/v1/requests/{id}/<action> (services/requests/domain/states.py TRANSITIONS); the
# lapses are the system's.
APPLICATION_ACTION_LABELS: dict[str, str] = {
    "create": "提交申请",
    "register": "确认收到",
    "request-correction": "补正告知",
    "receive-correction": "收到补正",
    "lapse-correction": "逾期未补正办结",
    "assign": "分派承办人",
    "extend": "延长答复期限",
    "start-consultation": "征求意见",
    "close-consultation": "征求意见结束",
    "fee-notice": "收费通知",
    "fee-payment": "已缴费",
    "lapse-fee": "逾期未缴费办结",
    "request-reasons": "要求说明理由",
    "receive-reasons": "收到理由说明",
    "lapse-reasons": "说明理由期限届满",
    "defer": "确定延迟答复期限",
    "lapse-consultation": "征求意见期限届满",
    "request-review": "提请保密审查",
    "report-up": "报告上一级主管部门",
    "review": "保密审查",
    "reply": "答复",
    "withdraw": "撤回申请",
    "archive": "归档",
}

# 证件类型
IdType = Literal[
    "resident_id", "passport", "hk_macao_permit", "taiwan_permit", "business_license", "social_credit_code", "other"
]
ID_TYPE_LABELS: dict[str, str] = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "business_license": "营业执照",
    "social_credit_code": "统一社会信用代码",
    "other": "其他证件",
}

# 信息的指定提供载体形式、获取信息的方式 (条例 第二十九条第二款(三))
DeliveryFormat = Literal["paper", "electronic", "other"]
DELIVERY_FORMAT_LABELS: dict[str, str] = {"paper": "纸质", "electronic": "电子", "other": "其他"}
DeliveryMethod = Literal["post", "email", "pickup", "fax", "online", "other"]
DELIVERY_METHOD_LABELS: dict[str, str] = {
    "post": "邮寄",
    "email": "电子邮件",
    "pickup": "当面领取",
    "fax": "传真",
    "online": "网上获取",
    "other": "其他",
}

# 保密审查意见 (seed 001 保密审查制度)
ReviewOpinion = Literal["disclose", "withhold", "refer"]
REVIEW_OPINION_LABELS: dict[str, str] = {"disclose": "同意公开", "withhold": "不予公开", "refer": "需报审"}

# 征求意见对象 (条例 第三十二条 第三方, 第三十四条 其他机关)
ConsultationKind = Literal["third_party", "agency"]
CONSULTATION_KIND_LABELS: dict[str, str] = {"third_party": "第三方", "agency": "其他行政机关"}

# 信息处理费计收方式 (国办函〔2020〕109号) — the values of FeeMethod in services/requests/domain/fees.py
FEE_METHOD_LABELS: dict[str, str] = {"per_application": "按件计收", "per_page": "按量计收"}

# 答复期限的计算过程 (GET /api/v1/requests/{id}/deadline: periods[].kind, skipped[].kind)
DEADLINE_PERIOD_KIND_LABELS: dict[str, str] = {
    "reply_period": "答复期限（条例 第三十三条）",
    "correction_wait": "等待补正，不计入（条例 第三十条）",
    "consultation": "征求意见，不计入（条例 第三十二条、第三十四条）",
    "fee": "缴费期间，不计入（条例 第四十二条）",
    "suspension": "中止，不计入",
    "extension": "延长答复期限（条例 第三十三条）",
    "restart": "收到补正后重新计算（条例 第三十条）",
}
# 跳过或计入的日子 (skipped[].kind, makeup_workdays[].kind)
DAY_KIND_LABELS: dict[str, str] = {"holiday": "法定节假日", "weekend": "周末", "makeup_workday": "调休上班"}

# 12345 工单类别 (services/requests/schemas/intake.py WorkOrderCategory)
WORK_ORDER_CATEGORY_LABELS: dict[str, str] = {
    "disclosure_request": "政府信息公开申请",
    "complaint": "投诉举报",
    "consultation": "咨询",
    "other": "其他",
}

# 年度报告 (国办公开办函〔2021〕30号): table 三's summary rows (the outcome rows are OUTCOME_LABELS) and
# columns, table 四's columns and results.
REPORT_ROW_LABELS: dict[str, str] = {
    "received": "一、本年新收政府信息公开申请数量",
    "carried_over_from_last_year": "二、上年结转政府信息公开申请数量",
    "concluded_total": "三、本年度办理结果 —（七）总计",
    "carried_over_to_next_year": "四、结转下年度继续办理",
}
REPORT_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial_enterprise": "法人或其他组织 — 商业企业",
    "research_institution": "法人或其他组织 — 科研机构",
    "public_welfare_org": "法人或其他组织 — 社会公益组织",
    "legal_service_org": "法人或其他组织 — 法律服务机构",
    "other_org": "法人或其他组织 — 其他",
    "total": "总计",
}
REPORT_TABLE4_COLUMN_LABELS: dict[str, str] = {
    "administrative_review": "行政复议",
    "litigation_direct": "行政诉讼 — 未经复议直接起诉",
    "litigation_after_review": "行政诉讼 — 复议后起诉",
}
REPORT_TABLE4_RESULT_LABELS: dict[str, str] = {**REVIEW_RESULT_LABELS, "total": "总计"}

# Where each outcome comes from (《中华人民共和国政府信息公开条例》2019, 国办公开办函〔2021〕30号 表三).
OUTCOME_SOURCES: dict[str, str] = {
    "disclosed": "条例 第三十六条（一）（二）",
    "partially_disclosed": "条例 第三十七条",
    "withheld.state_secret": "条例 第十四条",
    "withheld.law_prohibited": "条例 第十四条",
    "withheld.security_stability": "条例 第十四条",
    "withheld.third_party_rights": "条例 第十五条",
    "withheld.internal_affairs": "条例 第十六条第一款",
    "withheld.process_info": "条例 第十六条第二款",
    "withheld.enforcement_file": "条例 第十六条第二款",
    "withheld.administrative_query": "条例 第三十六条（七）",
    "unavailable.not_held": "条例 第三十六条（四）",
    "unavailable.needs_creation": "条例 第三十八条",
    "unavailable.still_unclear": "条例 第三十条",
    "not_processed.petition": "条例 第三十九条第一款",
    "not_processed.duplicate": "条例 第三十六条（六）",
    "not_processed.publication": "条例 第三十九条第二款",
    "not_processed.excessive": "条例 第三十五条",
    "not_processed.confirmation": "国办公开办函〔2021〕30号 表三",
    "other.correction_lapsed": "条例 第三十条",
    "other.fee_unpaid": "国办函〔2020〕109号",
    "other.other": "国办公开办函〔2021〕30号 表三",
}

for _literal, _labels in (
    (Role, ROLE_LABELS),
    (Capability, CAPABILITY_LABELS),
    (ApplicationState, APPLICATION_STATE_LABELS),
    (IdType, ID_TYPE_LABELS),
    (DeliveryFormat, DELIVERY_FORMAT_LABELS),
    (DeliveryMethod, DELIVERY_METHOD_LABELS),
    (ReviewOpinion, REVIEW_OPINION_LABELS),
    (ConsultationKind, CONSULTATION_KIND_LABELS),
):
    check_labels(_literal, _labels)

# 事件类型 (DESIGN §3; the registry shared.events.EVENT_TYPES): as a timeline shows them.
EVENT_TYPE_LABELS: dict[str, str] = {
    "unit.upserted": "单位信息更新",
    "calendar.updated": "节假日安排更新",
    "request.registered": "已登记收到，开始计算答复期限",
    "request.correction_requested": "已通知补正，答复期限停止计算",
    "request.correction_received": "已收到补正，答复期限重新计算",
    "request.extended": "答复期限已延长",
    "request.due_soon": "答复期限即将届满提醒",
    "request.overdue": "逾期未答复",
    "request.replied": "已答复",
    "request.unconfirmed": "申请未及时确认收到",
    "request.report_up_due_soon": "不予公开决定报备即将到期",
    "request.report_up_overdue": "不予公开决定逾期未报备",
    "request.review_decided": "行政复议或行政诉讼已有结果",
    "hotline.complaint_received": "收到12345投诉",
    "hotline.workorder_unanswered": "12345工单未按时答复",
    "scoring.sheet_finalized": "考核结果已审定",
    "scoring.grade_failed": "年度考核不合格",
    "appraisal.result_published": "社会评议结果已公布",
    "appraisal.unit_unsatisfied": "社会评议不满意",
    "accountability.case_opened": "责任追究已立案",
    "accountability.decision_issued": "责任追究已作出决定",
    "accountability.rectification_ordered": "已责令整改",
    "accountability.rectification_overdue": "逾期未整改",
    "accountability.appeal_due_soon": "申诉复查即将到期",
    "notification.failed": "通知发送失败",
}

# -- more codes the APIs return (issue 9: GET /api/v1/labels serves every one) -----------------------

# 办理记录类型 (GET /api/v1/requests/{id}/timeline: kind)
TIMELINE_ENTRY_KIND_LABELS: dict[str, str] = {"action": "办理操作", "event": "事件", "system": "系统处理"}
# 征求意见结束方式 (条例 第三十二条、第三十四条)
CONSULTATION_CLOSED_BY_LABELS: dict[str, str] = {"answer": "被征求方已答复", "lapse": "期满未答复"}
# 节假日安排来源 (GET /api/v1/calendar/{year}: source)
CALENDAR_SOURCE_LABELS: dict[str, str] = {"builtin": "内置（chinesecalendar）", "loaded": "管理员载入"}
# 案件办理操作 (责任追究办法; services/accountability/domain/cases.py CaseAction)
CASE_ACTION_LABELS: dict[str, str] = {
    "investigate": "开始调查",
    "start-hearing": "听取陈述申辩",
    "decide": "作出处理决定",
    "appeal": "提出复核申诉",
    "decide-appeal": "作出复核决定",
    "close": "结案",
    "dismiss": "不予追究",
}
# 立案方式
CASE_OPENED_VIA_LABELS: dict[str, str] = {"manual": "人工立案", "event": "由事件自动立案"}
# 陈述申辩 (seed 004 第二十八条)
STATEMENT_KIND_LABELS: dict[str, str] = {"statement": "陈述申辩", "waiver": "放弃陈述申辩"}
# 考核方案导出格式
SCHEME_FORMAT_LABELS: dict[str, str] = {"yaml": "YAML 文件", "json": "JSON 文件"}
# 评分表操作 (考核办法 第八条; services/scoring/domain/sheets.py SHEET_STEPS)
SHEET_ACTION_LABELS: dict[str, str] = {"self_assess": "提交自查", "review": "提交考核评分", "finalize": "审定"}
# 社会评议活动操作 (社会评议办法; services/appraisal/domain/campaigns.py TRANSITIONS)
CAMPAIGN_ACTION_LABELS: dict[str, str] = {"open": "开始评议", "close": "结束评议", "publish": "公布评议结果"}
