"""The demo's data (``service.demo``): a city's units with their own contacts and clerks, applicants
of every type, the stories (when each application came in, by which channel, and what was done,
in working days before the day of seeding), reply texts as offices write them, and next year's
holiday arrangement."""

from __future__ import annotations

from typing import Any


def _unit(code: str, name: str, kind: str, parent: str | None, region: str, contacts: list[tuple[str, ...]]) -> dict:
    roles = ("disclosure_contact", "leader_in_charge", "principal_leader")
    return {
        "unit_code": code,
        "body": {
            "name": name,
            "kind": kind,
            "parent_code": parent,
            "region": region,
            "contacts": [
                {"name": person, "role": role, "title": title, "phone": phone, "email": email}
                for role, (person, title, phone, email) in zip(roles, contacts, strict=False)
            ],
        },
    }


UNITS: list[dict[str, Any]] = [
    _unit(
        "HD-GOV",
        "邯郸市人民政府办公室",
        "government",
        None,
        "130400",
        [
            ("孙丽", "政务公开办科员", "0310-3012301", "gkb@hd.example.gov.cn"),
            ("周建华", "副秘书长", "0310-3012302", None),
            ("郑国强", "秘书长", "0310-3012300", None),
        ],
    ),
    _unit(
        "HD-CZJ",
        "邯郸市财政局",
        "department",
        "HD-GOV",
        "130400",
        [
            ("刘芳", "办公室科员", "0310-3101201", "czj_gk@hd.example.gov.cn"),
            ("马卫东", "副局长", "0310-3101202", None),
            ("高志明", "局长", "0310-3101200", None),
        ],
    ),
    _unit(
        "HD-JYJ",
        "邯郸市教育局",
        "department",
        "HD-GOV",
        "130400",
        [
            ("杨晓婷", "政策法规科副科长", "0310-3205511", "jyj_gk@hd.example.gov.cn"),
            ("韩立新", "副局长", "0310-3205502", None),
        ],
    ),
    _unit(
        "HD-ZRZY",
        "邯郸市自然资源和规划局",
        "department",
        "HD-GOV",
        "130400",
        [
            ("冯磊", "法规科科员", "0310-3338812", "zrzy_gk@hd.example.gov.cn"),
            ("许文博", "副局长", "0310-3338802", None),
            ("谢振宇", "局长", "0310-3338800", None),
        ],
    ),
    _unit(
        "HD-STHJ",
        "邯郸市生态环境局",
        "department",
        "HD-GOV",
        "130400",
        [
            ("曹雪", "综合科科员", "0310-3419905", "sthj_gk@hd.example.gov.cn"),
            ("彭海涛", "副局长", "0310-3419902", None),
        ],
    ),
    _unit(
        "HD-WJW",
        "邯郸市卫生健康委员会",
        "department",
        "HD-GOV",
        "130400",
        [
            ("袁静", "办公室副主任", "0310-3527716", "wjw_gk@hd.example.gov.cn"),
            ("蒋成", "副主任", "0310-3527702", None),
            ("沈红", "主任", "0310-3527700", None),
        ],
    ),
    _unit(
        "CT-GOV",
        "邯郸市丛台区人民政府",
        "government",
        "HD-GOV",
        "130403",
        [
            ("吕博", "区政府办公室科员", "0310-3868801", "ct_gk@ct.example.gov.cn"),
            ("田野", "副区长", "0310-3868802", None),
        ],
    ),
    _unit(
        "CT-LZ",
        "丛台区联纺路街道办事处",
        "township",
        "CT-GOV",
        "130403001",
        [
            ("崔婷婷", "党政办科员", "0310-3955501", None),
            ("潘勇", "副主任", "0310-3955502", None),
        ],
    ),
    _unit(
        "HS-GOV",
        "邯郸市邯山区人民政府",
        "government",
        "HD-GOV",
        "130402",
        [
            ("蔡明亮", "区政府办公室副主任", "0310-4026601", "hs_gk@hs.example.gov.cn"),
            ("魏红梅", "副区长", "0310-4026602", None),
            ("钟伟", "区长", "0310-4026600", None),
        ],
    ),
    _unit(
        "HD-GS",
        "邯郸市供水有限公司",
        "public_enterprise",
        "HD-GOV",
        "130400",
        [
            ("任佳", "客户服务部主管", "0310-4108801", "kf@hdgs.example.com"),
            ("程远", "副总经理", "0310-4108802", None),
        ],
    ),
]

# Who handles the applications of each unit: (id, name).
HANDLERS: dict[str, tuple[str, str]] = {
    "HD-GOV": ("sun.li", "孙丽"),
    "HD-CZJ": ("liu.fang", "刘芳"),
    "HD-JYJ": ("yang.xiaoting", "杨晓婷"),
    "HD-ZRZY": ("feng.lei", "冯磊"),
    "HD-STHJ": ("cao.xue", "曹雪"),
    "HD-WJW": ("yuan.jing", "袁静"),
    "CT-GOV": ("lv.bo", "吕博"),
    "CT-LZ": ("cui.tingting", "崔婷婷"),
    "HS-GOV": ("cai.mingliang", "蔡明亮"),
    "HD-GS": ("ren.jia", "任佳"),
}

APPLICANTS: dict[str, dict[str, Any]] = {
    "wang": {
        "type": "natural_person",
        "name": "王建国",
        "id_type": "resident_id",
        "id_number": "130402198805061234",
        "phone": "13803100101",
        "email": "wangjg@example.com",
        "address": "邯郸市丛台区中华北大街100号",
    },
    "chen": {
        "type": "natural_person",
        "name": "陈晓燕",
        "id_type": "resident_id",
        "id_number": "130403199211203456",
        "phone": "13903100202",
        "address": "邯郸市丛台区联纺西路18号院3号楼",
    },
    "zhang": {
        "type": "natural_person",
        "name": "张桂兰",
        "id_type": "resident_id",
        "id_number": "130406196503157822",
        "phone": "15831000303",
        "address": "邯郸市邯山区陵园路52号",
    },
    "li": {
        "type": "commercial_enterprise",
        "name": "李明",
        "organization": "邯郸市宏达建材有限公司",
        "id_type": "social_credit_code",
        "id_number": "91130400MA0ABCDE1X",
        "phone": "0310-5550001",
        "email": "liming@hongda.example.com",
    },
    "zhao": {
        "type": "research_institution",
        "name": "赵敏",
        "organization": "河北工程大学城市治理研究中心",
        "email": "zhaomin@example.edu.cn",
        "phone": "0310-8570123",
    },
    "sun": {
        "type": "legal_service_org",
        "name": "孙志远",
        "organization": "河北冀南律师事务所",
        "id_type": "social_credit_code",
        "id_number": "31130000MD0123456K",
        "phone": "0310-5550002",
        "email": "sunzy@jinan-law.example.com",
    },
    "zhou": {
        "type": "public_welfare_org",
        "name": "周洁",
        "organization": "邯郸市绿色家园环保协会",
        "email": "zhoujie@example.org",
        "phone": "0310-5550003",
    },
    "wu": {"type": "other_org", "name": "吴海", "organization": "丛台区光明小区业主委员会", "phone": "13703100404"},
    "huang": {
        "type": "natural_person",
        "name": "黄磊",
        "id_type": "resident_id",
        "id_number": "130404199001013318",
        "phone": "18603100505",
        "email": "huanglei@example.com",
    },
    "guo": {
        "type": "natural_person",
        "name": "郭秀英",
        "id_type": "resident_id",
        "id_number": "130402195708244527",
        "phone": "13603100606",
        "address": "邯郸市邯山区滏东南大街9号",
    },
    "ma": {
        "type": "commercial_enterprise",
        "name": "马晓峰",
        "organization": "邯郸市恒信物业服务有限公司",
        "id_type": "social_credit_code",
        "id_number": "91130402MA0XYZ987B",
        "phone": "0310-5550004",
    },
}
HONORIFICS = {"wang": "先生", "chen": "女士", "zhang": "女士", "huang": "先生", "guo": "女士"}

LEGAL_BASES: dict[str, str] = {
    "disclosed": "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
    "partially_disclosed": "《中华人民共和国政府信息公开条例》第三十七条、第三十六条第（三）项",
    "withheld.third_party_rights": "《中华人民共和国政府信息公开条例》第十五条、第三十二条、第三十六条第（三）项",
    "unavailable.not_held": "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
    "not_processed.publication": "《中华人民共和国政府信息公开条例》第三十九条第二款",
}
REPLIES: dict[str, str] = {
    "disclosed": "经审查，您申请公开的“{description}”属于本机关公开范围，现按您要求的方式提供，请查收附件。",
    "partially_disclosed": "经审查，您申请公开的“{description}”中涉及个人信息的内容已作区分处理，其余部分予以公开，"
    "现随本告知书一并提供。",
    "withheld.third_party_rights": "经审查，您申请公开的“{description}”涉及第三方商业秘密。本机关已书面征求第三方意见，"
    "第三方不同意公开并说明了理由，且不公开不会对公共利益造成重大影响，本机关决定不予公开。",
    "unavailable.not_held": "经检索本机关档案及相关业务系统，本机关未制作或获取“{description}”，该政府信息不存在。",
    "not_processed.publication": "您申请获取的“{description}”已在《邯郸市人民政府公报》2026年第6期刊载，"
    "可在市图书馆、市政府网站“政府公报”栏目查阅，本机关不再另行提供。",
}

# (received, working days ago), then the steps: (working days ago, step[, arguments]).
STORIES: list[dict[str, Any]] = [
    {
        "unit": "HD-CZJ",
        "channel": "online",
        "applicant": "huang",
        "received": 0,
        "minute": 12,
        "description": "2026年市级政府性基金预算调整方案及其说明",
    },
    {
        "unit": "HD-WJW",
        "channel": "fax",
        "applicant": "sun",
        "received": 1,
        "description": "2026年市级医疗机构药品集中采购中标价格清单",
        "delivery": {"format": "paper", "method": "post"},
    },
    {
        "unit": "HD-JYJ",
        "channel": "mail",
        "applicant": "guo",
        "received": 4,
        "steps": [(3, "register")],
        "description": "2026年邯山区小学招生划片范围及确定依据",
        "delivery": {"format": "paper", "method": "post"},
    },
    {
        "unit": "CT-GOV",
        "channel": "registered_mail",
        "applicant": "wu",
        "received": 2,
        "description": "光明小区老旧小区改造项目的立项批复及资金安排",
        "delivery": {"format": "paper", "method": "post"},
    },
    {
        "unit": "HD-ZRZY",
        "channel": "in_person",
        "applicant": "zhang",
        "received": 6,
        "steps": [(4, "correction", {"note": "请写明所需信息对应的地块位置或宗地编号，以及文件的大致形成年份"})],
        "description": "我家附近那块地的规划文件",
        "delivery": {"format": "paper", "method": "pickup"},
    },
    {
        "unit": "HD-STHJ",
        "channel": "in_person",
        "applicant": "zhou",
        "received": 8,
        "steps": [(7, "assign")],
        "description": "2026年第三季度重点排污单位自行监测数据及超标处理情况",
    },
    {
        "unit": "HD-ZRZY",
        "channel": "online",
        "applicant": "li",
        "received": 12,
        "steps": [
            (11, "register"),
            (11, "assign"),
            (9, "consult", {"party": "邯郸市鼎盛置业有限公司", "kind": "third_party"}),
        ],
        "description": "丛台区滏河北大街东侧地块国有建设用地使用权出让合同及规划条件",
    },
    {
        "unit": "HD-JYJ",
        "channel": "in_person",
        "applicant": "zhao",
        "received": 10,
        "steps": [(9, "assign"), (6, "fee", {"method": "per_page", "pages": 150})],
        "description": "2019年至2026年全市义务教育阶段学校教师编制及实际在岗人数统计表",
    },
    {
        "unit": "HD-CZJ",
        "channel": "in_person",
        "applicant": "sun",
        "received": 34,
        "outcome": "disclosed",
        "steps": [
            (33, "assign"),
            (30, "fee", {"method": "per_page", "pages": 45}),
            (27, "paid"),
            (20, "review", {"opinion": "disclose"}),
            (19, "reply"),
        ],
        "description": "2025年度市本级部门决算公开表（全部部门）",
    },
    {
        "unit": "HD-GS",
        "channel": "registered_mail",
        "applicant": "ma",
        "received": 14,
        "steps": [(13, "assign"), (2, "review", {"opinion": "refer", "reason": "涉及供水管网布局，报请市保密办审查"})],
        "description": "主城区供水管网改造工程施工图及管网布局",
    },
    {
        "unit": "HD-CZJ",
        "channel": "online",
        "applicant": "wang",
        "received": 30,
        "outcome": "disclosed",
        "steps": [(29, "register"), (29, "assign"), (21, "review", {"opinion": "disclose"}), (20, "reply")],
        "description": "2026年度市本级一般公共预算支出执行情况（含“三公”经费）",
    },
    {
        "unit": "HS-GOV",
        "channel": "in_person",
        "applicant": "chen",
        "received": 45,
        "outcome": "withheld.third_party_rights",
        "steps": [
            (44, "assign"),
            (27, "review", {"opinion": "withhold", "reason": "涉及第三方商业秘密"}),
            (26, "reply"),
            (10, "appeal"),
        ],
        "description": "邯山区陵园路片区征收项目中某公司的补偿评估报告",
    },
    {
        "unit": "HD-WJW",
        "channel": "online",
        "applicant": "huang",
        "received": 50,
        "outcome": "unavailable.not_held",
        "steps": [(50, "register"), (49, "assign"), (26, "review", {"opinion": "withhold"}), (25, "reply")],
        "description": "2018年全市民营医院医疗纠纷调解案卷",
    },
    {
        "unit": "CT-LZ",
        "channel": "in_person",
        "applicant": "wu",
        "received": 70,
        "outcome": "partially_disclosed",
        "steps": [(69, "assign"), (52, "review", {"opinion": "disclose"}), (51, "reply"), (45, "archive")],
        "description": "联纺路街道2026年低保对象名单及审批材料",
    },
    {
        "unit": "HD-STHJ",
        "channel": "mail",
        "applicant": "guo",
        "received": 9,
        "steps": [(8, "register"), (6, "withdraw", {"reason": "申请人来电表示已从区分局获得相关信息，书面撤回申请"})],
        "description": "滏阳河邯山段2026年水质监测报告",
        "delivery": {"format": "paper", "method": "post"},
    },
    {
        "unit": "HS-GOV",
        "channel": "in_person",
        "applicant": "zhang",
        "received": 26,
        "steps": [(25, "assign")],
        "description": "邯山区2026年城中村改造征收补偿安置方案",
    },
    {
        "unit": "HD-ZRZY",
        "channel": "in_person",
        "applicant": "sun",
        "received": 24,
        "steps": [
            (23, "assign"),
            (6, "extend", {"days": 15, "reason": "申请内容涉及2015年以来多个年度的档案，需调档核实"}),
        ],
        "description": "2015年以来市区范围内划拨用地批准文件目录",
    },
    {
        "unit": "HD-GS",
        "channel": "hotline_12345",
        "applicant": "chen",
        "received": 3,
        "ref": "12345-HD-",
        "steps": [(2, "register"), (2, "assign")],
        "description": "2026年居民生活用水价格调整的成本监审报告",
    },
    {
        "unit": "HD-JYJ",
        "channel": "provincial",
        "applicant": "zhao",
        "received": 5,
        "ref": "HBZW-GK-",
        "steps": [(4, "register"), (4, "assign")],
        "description": "2026年全市普通高中招生计划及各校分配名额",
    },
    {
        "unit": "CT-GOV",
        "channel": "fax",
        "applicant": "li",
        "received": 16,
        "outcome": "not_processed.publication",
        "steps": [(15, "register"), (15, "assign"), (12, "review", {"opinion": "withhold"}), (12, "reply")],
        "description": "丛台区2026年国民经济和社会发展统计公报",
    },
    {
        "unit": "CT-LZ",
        "channel": "in_person",
        "applicant": "guo",
        "received": 15,
        "steps": [
            (13, "correction", {"note": "请补充申请人身份证明复印件，并写明所需文件的名称"}),
            (9, "corrected"),
            (9, "assign"),
        ],
        "description": "联纺路街道2026年公益性岗位招聘公告及录用名单",
    },
]

# Next year's arrangement, for the demo: the statutory days of 《全国年节及纪念日放假办法》 (2025) with
# the days off given for those on a weekend. The State Council's notice replaces it when loaded.
NEXT_YEAR_CALENDARS: dict[int, tuple[list[dict[str, str]], list[dict[str, str]]]] = {
    2027: (
        [
            {"day": "2027-01-01", "name": "元旦"},
            *({"day": f"2027-02-{d:02d}", "name": "春节"} for d in range(5, 11)),
            {"day": "2027-04-05", "name": "清明节"},
            *({"day": f"2027-05-0{d}", "name": "劳动节"} for d in range(1, 5)),
            {"day": "2027-06-09", "name": "端午节"},
            {"day": "2027-09-15", "name": "中秋节"},
            *({"day": f"2027-10-0{d}", "name": "国庆节"} for d in range(1, 6)),
        ],
        [],
    )
}
