"""Request and response models of the units directory (单位名录): ``/api/v1/units``."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.requests.schemas.examples import UNIT_EXAMPLE
from shared.vocabulary import ContactRole, UnitKind

UNIT_CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
# 行政区划代码: 6 digits (county level and above), 9 (township, 乡镇/街道) or 12 (village).
REGION_PATTERN = r"^\d{6}(\d{3}){0,2}$"
PHONE_PATTERN = r"^[0-9+\-() ]{3,30}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UnitContactIO(BaseModel):
    """联系人 / a unit's contact person: its 政务公开 liaison, its leaders, or someone else."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=50, description="姓名 / name")
    # Stored contacts written before roles existed read as "other": never mistaken for a leader.
    role: ContactRole = Field(
        "other",
        description=(
            "角色：disclosure_contact 政务公开联络员、principal_leader 主要负责人、leader_in_charge 分管负责人、"
            "other 其他（默认） / role"
        ),
    )
    title: str | None = Field(None, max_length=50, description="职务 / title")
    phone: str | None = Field(None, pattern=PHONE_PATTERN, description="电话 / phone")
    email: str | None = Field(None, max_length=200, pattern=EMAIL_PATTERN, description="邮箱 / e-mail")


class UnitIn(BaseModel):
    """单位（新建或整体替换） / a unit, created or replaced whole by PUT."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "邯郸市财政局",
                    "kind": "department",
                    "parent_code": "HD-GOV",
                    "region": "130400",
                    "contacts": [
                        {"name": "刘芳", "role": "disclosure_contact", "title": "办公室科员", "phone": "0310-3101201"},
                        {"name": "马卫东", "role": "leader_in_charge", "title": "副局长", "phone": "0310-3101202"},
                    ],
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200, description="单位名称 / name")
    kind: UnitKind = Field(
        description="单位类型：政府 government、部门 department、乡镇 township、国有企业 public_enterprise、其他 other"
    )
    parent_code: str | None = Field(
        None, pattern=UNIT_CODE_PATTERN, description="上级单位代码，须已存在；顶级单位为空 / parent unit, must exist"
    )
    region: str = Field(
        pattern=REGION_PATTERN, description="行政区划代码（6、9 或 12 位数字） / administrative division code"
    )
    contacts: list[UnitContactIO] = Field(default_factory=list, max_length=20, description="联系人 / contact persons")
    active: bool = Field(True, description="是否有效；停用的单位不再出现在申请人的选择中 / false: retired unit")


class UnitOut(BaseModel):
    """单位 / a unit of the directory."""

    model_config = ConfigDict(json_schema_extra={"examples": [UNIT_EXAMPLE]})

    unit_code: str = Field(description="单位代码 / unit code")
    name: str = Field(description="单位名称 / name")
    kind: UnitKind = Field(description="单位类型 / kind")
    parent_code: str | None = Field(description="上级单位代码 / parent unit code")
    region: str = Field(description="行政区划代码 / administrative division code")
    contacts: list[UnitContactIO] | None = Field(
        description=(
            "联系人（含电话、邮箱）；仅政务公开主管部门、管理员、考核与纪检人员及本单位工作人员可见，"
            "其他调用方（含未登录的公众）为 null / contact persons, shown to staff only (null otherwise)"
        )
    )
    active: bool = Field(description="是否有效 / active")
    version: int = Field(description="版本号，即 ETag / version, the ETag")
    created_at: AwareDatetime = Field(description="创建时间（UTC） / created")
    updated_at: AwareDatetime = Field(description="最后修改时间（UTC） / last changed")


class ImportRowError(BaseModel):
    """导入文件中的一处错误 / one error of an import file."""

    row: int = Field(description="行号（表头为第 1 行） / spreadsheet row number, the header being row 1")
    field: str = Field(description="列（英文字段名） / the column, by its English name")
    message: str = Field(description="说明 / what is wrong")


class ImportResult(BaseModel):
    """导入结果 / what an import did (all rows or none)."""

    rows: int = Field(description="数据行数 / data rows read")
    created: int = Field(description="新建单位数 / units created")
    updated: int = Field(description="修改单位数 / units changed")
    unchanged: int = Field(description="未变化单位数 / units already as in the file")
    ignored_columns: list[str] = Field(default_factory=list, description="未识别而忽略的列 / columns not recognised")
