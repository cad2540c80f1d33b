"""The canonical filing table: one column per field of an ICP filing.

Each :class:`Column` has an English snake_case ``name`` (the canonical header),
Chinese label(s), aliases (other English spellings and the public-query JSON keys
such as ``unitName`` or ``serviceLicence``), a dtype kind, whether it is
required, the block of the filing it belongs to (DOMAIN.md §1) and, for personal
data, the kind of masking it gets (see :mod:`beian_audit.privacy`).

Strings are pandas' Arrow-backed ``string[pyarrow]``; flags are the nullable
``boolean``; dates are ``datetime64[ns]``.

Examples
--------
>>> from beian_audit.schema import FILING_SCHEMA, header_map
>>> FILING_SCHEMA["sponsor_name"].labels_zh[0]
'主办单位名称'
>>> header_map()["serviceLicence"]
'website_icp_number'
>>> [c.name for c in FILING_SCHEMA.required]
['website_id', 'sponsor_name', 'sponsor_nature', 'website_icp_number', 'domain', 'provider_id']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import pandas as pd

__all__ = [
    "ACCESSED_SITES_SCHEMA",
    "FILING_SCHEMA",
    "PROVIDER_SCHEMA",
    "Column",
    "Schema",
    "canonical_dtype",
    "header_map",
    "normalise_header",
]

Kind = Literal["string", "boolean", "date", "integer", "float"]
Block = Literal["key", "sponsor", "website", "access", "material", "observation", "truth"]
Personal = Literal["name", "id", "phone", "email", "address", "ip"] | None

STRING_DTYPE = pd.StringDtype("pyarrow")


def canonical_dtype(kind: Kind) -> object:
    """Return the pandas dtype used for a column kind.

    Examples
    --------
    >>> canonical_dtype("string").storage
    'pyarrow'
    >>> canonical_dtype("boolean")
    BooleanDtype
    """
    return {
        "string": STRING_DTYPE,
        "boolean": pd.BooleanDtype(),
        "date": "datetime64[ns]",
        "integer": pd.Int64Dtype(),
        "float": pd.Float64Dtype(),
    }[kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """One canonical column.

    ``identifier`` columns are normalised on read (NFKC, so full-width digits and
    letters become ASCII; all whitespace removed). Other string columns are NFKC
    normalised and stripped.
    """

    name: str
    labels_zh: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    kind: Kind = "string"
    required: bool = False
    block: Block = "sponsor"
    personal: Personal = None
    identifier: bool = False
    description: str = ""

    @property
    def dtype(self) -> object:
        return canonical_dtype(self.kind)

    @property
    def label_zh(self) -> str:
        return self.labels_zh[0]


@dataclass(frozen=True, slots=True)
class Schema:
    """An ordered collection of :class:`Column` with lookup by name."""

    title: str
    columns: tuple[Column, ...]
    _by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    def __getitem__(self, name: str) -> Column:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def personal_columns(self) -> dict[str, str]:
        """Map each personal column to its masking kind."""
        return {c.name: c.personal for c in self.columns if c.personal}

    def to_frame(self) -> pd.DataFrame:
        """The schema as a table (name, Chinese label, aliases, kind, required …).

        Examples
        --------
        >>> FILING_SCHEMA.to_frame().loc[0, "name"]
        'website_id'
        """
        return pd.DataFrame(
            {
                "name": [c.name for c in self.columns],
                "label_zh": [c.label_zh for c in self.columns],
                "aliases": ["; ".join(c.labels_zh[1:] + c.aliases) for c in self.columns],
                "kind": [c.kind for c in self.columns],
                "required": [c.required for c in self.columns],
                "block": [c.block for c in self.columns],
                "personal": [c.personal or "" for c in self.columns],
                "description": [c.description for c in self.columns],
            }
        )


#: Header spellings of the principal's contact fields met in provincial exports,
#: spreadsheets and forms. ``{who}`` is the principal (主体负责人 / 网站负责人);
#: the unprefixed spellings (``手机号码``, ``E-mail`` …) go to the sponsor's
#: principal, the person a filing names first.
_PERSON_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("{who}姓名", "{who}名称", "{who}名字"),
    "id_type": ("{who}证件类型", "{who}证件种类"),
    "id_number": ("{who}证件号码", "{who}身份证号码", "{who}身份证号", "{who}身份证",
                  "{who}证件号", "{who}有效证件号码", "{who}证件号码（身份证）"),
    "mobile": ("{who}手机号码", "{who}手机", "{who}手机号", "{who}移动电话", "{who}移动电话号码",
               "{who}手机号码（移动电话）"),
    "phone": ("{who}办公电话", "{who}应急电话", "{who}电话", "{who}联系电话", "{who}固定电话",
              "{who}办公室电话", "{who}电话号码"),
    "email": ("{who}电子邮件", "{who}电子邮箱", "{who}邮箱", "{who}邮件", "{who}邮箱地址",
              "{who}电子邮件地址", "{who}email", "{who}E-mail"),
}  # fmt: skip
_SPONSOR_PRINCIPAL_EXTRA: dict[str, tuple[str, ...]] = {
    "name": ("负责人姓名", "负责人", "联系人姓名", "联系人", "负责人名称",
             "contact", "contact_name", "contact person", "principal", "principal_name",
             "person in charge", "responsible person", "leader_name"),
    "id_type": ("负责人证件类型", "联系人证件类型", "id_type", "id type"),
    "id_number": ("负责人身份证号码", "负责人身份证号", "负责人证件号码", "负责人证件号",
                  "负责人身份证", "联系人身份证号码", "联系人身份证号", "联系人证件号码",
                  "身份证号码", "身份证号", "身份证", "公民身份号码", "居民身份证号码",
                  "id number", "id_number", "id no", "id no.", "id card", "id_card",
                  "idcard", "id card number", "identity number", "identity card number",
                  "national id", "resident id", "passport number", "principal_id_number",
                  "contact_id_number"),
    "mobile": ("负责人手机号码", "负责人手机", "负责人手机号", "负责人移动电话",
               "联系人手机号码", "联系人手机", "联系人手机号", "联系人移动电话",
               "手机号码", "手机号", "手机", "移动电话", "移动电话号码", "联系手机",
               "mobile", "mobile phone", "mobile number", "mobile no", "mobile no.",
               "mobile_phone", "cellphone", "cell phone", "cell", "cell number",
               "principal_mobile", "contact_mobile"),
    "phone": ("负责人电话", "负责人联系电话", "负责人办公电话", "联系人电话",
              "联系人联系电话", "联系人办公电话", "联系电话", "办公电话", "电话号码", "固定电话",
              "电话", "应急电话", "phone", "phone number", "phone no", "phone no.",
              "telephone", "telephone number", "tel", "tel.", "office phone", "landline",
              "contact phone", "contact_phone", "principal_phone"),
    "email": ("负责人电子邮件", "负责人电子邮箱", "负责人邮箱", "联系人电子邮件",
              "联系人电子邮箱", "联系人邮箱", "联系邮箱", "电子邮箱", "电子邮件", "邮箱",
              "邮箱地址", "电子邮件地址", "电子信箱", "email", "e-mail", "e_mail", "mail",
              "email address", "e-mail address", "mail address", "contact email",
              "contact_email", "principal_email"),
}  # fmt: skip
_WEBSITE_PRINCIPAL_EXTRA: dict[str, tuple[str, ...]] = {
    "name": ("网站联系人", "网站联系人姓名"),
    "id_number": ("网站联系人身份证号码", "网站联系人证件号码"),
    "mobile": ("网站联系人手机号码", "网站联系人手机"),
    "phone": ("网站联系人电话", "网站联系人联系电话"),
    "email": ("网站联系人电子邮件", "网站联系人邮箱", "网站联系邮箱"),
}
_PERSONAL_KIND = {"name": "name", "id_number": "id", "mobile": "phone", "phone": "phone",
                  "email": "email"}  # fmt: skip


def _person(prefix: str, who_zh: str, block: Block) -> list[Column]:
    """The contact set of a principal (负责人): name, ID, mobile, office phone, email."""
    sponsor = prefix == "sponsor_principal"
    extra = _SPONSOR_PRINCIPAL_EXTRA if sponsor else _WEBSITE_PRINCIPAL_EXTRA
    columns = []
    for field_, patterns in _PERSON_LABELS.items():
        labels = tuple(p.format(who=who_zh) for p in patterns)
        more = extra.get(field_, ())
        zh = tuple(a for a in more if not a.isascii())
        en = tuple(a for a in more if a.isascii())
        if sponsor and field_ == "name":
            en = ("leaderName", *en)
        columns.append(
            Column(
                name=f"{prefix}_{field_}",
                labels_zh=labels + zh,
                aliases=en,
                block=block,
                personal=_PERSONAL_KIND.get(field_),  # type: ignore[arg-type]
                identifier=field_ == "id_number",
            )
        )
    return columns


FILING_SCHEMA = Schema(
    "filing",
    (
        Column(
            name="website_id",
            labels_zh=("网站编号", "记录编号", "网站ID"),
            aliases=("websiteId", "record_id", "id"),
            required=True,
            block="key",
            identifier=True,
            description="Unique key of the website filing.",
        ),
        Column(
            name="sponsor_id",
            labels_zh=("主体编号", "主体ID"),
            aliases=("sponsorId", "mainId"),
            block="key",
            identifier=True,
            description="Key of the sponsor; several websites may share one sponsor.",
        ),
        Column(
            name="sponsor_icp_number",
            labels_zh=("主体备案号", "主办单位备案号"),
            aliases=("mainLicence", "main_licence"),
            identifier=True,
            description="Sponsor filing number, e.g. 京ICP备10046444号.",
        ),
        Column(
            name="sponsor_name",
            labels_zh=("主办单位名称", "主办者名称", "主办单位"),
            aliases=("unitName", "unit_name"),
            required=True,
            personal="name",
        ),
        Column(
            name="sponsor_nature",
            labels_zh=("主办单位性质", "主办者性质", "单位性质"),
            aliases=("natureName", "nature_name", "nature"),
            required=True,
            description="企业, 个人, 事业单位, 政府机关, 社会团体, ...",
        ),
        Column(
            name="sponsor_cert_type",
            labels_zh=("主办单位证件类型", "主办者证件类型", "证件类型"),
            aliases=("certificate_type",),
        ),
        Column(
            name="sponsor_cert_number",
            labels_zh=("主办单位证件号码", "主办者证件号码", "证件号码"),
            aliases=("certificate_number",),
            personal="id",
            identifier=True,
        ),
        Column(
            name="sponsor_cert_address",
            labels_zh=("主办单位证件住所", "证件住所"),
            personal="address",
        ),
        Column(
            name="sponsor_address",
            labels_zh=("主办单位通信地址", "通信地址", "通讯地址"),
            aliases=("address",),
            personal="address",
        ),
        Column(name="sponsor_province", labels_zh=("主办单位所在省", "所在省", "省份")),
        Column(name="sponsor_city", labels_zh=("主办单位所在市", "所在市", "城市")),
        Column(name="sponsor_county", labels_zh=("主办单位所在县", "所在县", "所在区县")),
        Column(name="investor", labels_zh=("投资者或上级主管单位", "投资人或主管单位")),
        *_person("sponsor_principal", "主体负责人", "sponsor"),
        Column(
            name="website_name",
            labels_zh=("网站名称",),
            aliases=("serviceName", "service_name"),
            block="website",
        ),
        Column(
            name="website_icp_number",
            labels_zh=("网站备案号", "网站备案/许可证号", "备案号"),
            aliases=("serviceLicence", "service_licence", "icp_number"),
            required=True,
            block="website",
            identifier=True,
            description="Website filing number, e.g. 京ICP备10046444号-9.",
        ),
        Column(
            name="home_url",
            labels_zh=("网站首页网址", "首页网址", "首页URL"),
            aliases=("homeUrl",),
            block="website",
        ),
        Column(
            name="domain",
            labels_zh=("网站域名", "域名"),
            aliases=("domain_name",),
            required=True,
            block="website",
            identifier=True,
        ),
        Column(
            name="service_content",
            labels_zh=("网站服务内容", "服务内容"),
            aliases=("contentTypeName",),
            block="website",
        ),
        Column(name="pre_approval", labels_zh=("前置审批项", "前置审批"), block="website"),
        Column(
            name="limit_access",
            labels_zh=("是否限制接入",),
            aliases=("limitAccess",),
            block="website",
        ),
        *_person("website_principal", "网站负责人", "website"),
        Column(
            name="approval_date",
            labels_zh=("审核通过日期", "审核通过时间"),
            aliases=("updateRecordTime", "update_record_time"),
            kind="date",
            block="website",
        ),
        Column(
            name="provider_id",
            labels_zh=("接入服务商编号", "接入企业编号", "接入商编号"),
            aliases=("providerId", "access_provider_id"),
            required=True,
            block="access",
            identifier=True,
        ),
        Column(
            name="provider_name",
            labels_zh=("接入服务商名称", "接入企业名称", "接入服务商"),
            aliases=("providerName",),
            block="access",
        ),
        Column(name="access_mode", labels_zh=("接入方式",), block="access"),
        Column(
            name="server_province",
            labels_zh=("服务器放置地", "服务器所在省"),
            block="access",
        ),
        Column(
            name="ip_addresses",
            labels_zh=("网站IP地址", "IP地址"),
            aliases=("ips", "ip"),
            block="access",
            personal=None,
            description="Filed IP addresses, separated by ';'.",
        ),
        Column(
            name="material_uploaded",
            labels_zh=("核验材料已上传", "真实性核验材料已上传"),
            kind="boolean",
            block="material",
            description="Verification material uploaded electronically (task 2).",
        ),
        Column(
            name="resolved_ip",
            labels_zh=("域名解析IP", "解析IP"),
            block="observation",
            identifier=True,
            description="IP the domain resolves to when verified; empty when it does not resolve.",
        ),
        Column(
            name="truth_sponsor_ok",
            labels_zh=("真实_主体信息准确",),
            kind="boolean",
            block="truth",
            description="Synthetic ground truth: the sponsor block is correct.",
        ),
        Column(
            name="truth_access_ok",
            labels_zh=("真实_接入信息准确",),
            kind="boolean",
            block="truth",
            description="Synthetic ground truth: the access block is correct.",
        ),
        Column(
            name="truth_defects",
            labels_zh=("真实_缺陷",),
            block="truth",
            description="Synthetic ground truth: injected defect codes separated by ';'.",
        ),
    ),
)

PROVIDER_SCHEMA = Schema(
    "provider",
    (
        Column(
            name="provider_id",
            labels_zh=("接入服务商编号",),
            required=True,
            block="key",
            identifier=True,
        ),
        Column(name="provider_name", labels_zh=("接入服务商名称",), required=True, block="access"),
        Column(
            name="licence",
            labels_zh=("经营许可证编号", "许可证号"),
            block="access",
            identifier=True,
        ),
        Column(name="home_province", labels_zh=("所在省",), block="access"),
        Column(
            name="ip_ranges",
            labels_zh=("IP地址段",),
            block="access",
            description="Announced IP ranges (CIDR) separated by ';'.",
        ),
        Column(
            name="integration_passed",
            labels_zh=("已通过联调",),
            kind="boolean",
            block="access",
        ),
    ),
)

ACCESSED_SITES_SCHEMA = Schema(
    "accessed_site",
    (
        Column(
            name="site_id", labels_zh=("网站标识",), required=True, block="key", identifier=True
        ),
        Column(name="domain", labels_zh=("域名",), required=True, block="website", identifier=True),
        Column(name="ip", labels_zh=("IP地址",), block="access", identifier=True),
        Column(
            name="provider_id",
            labels_zh=("接入服务商编号",),
            required=True,
            block="access",
            identifier=True,
        ),
        Column(name="truth_filed", labels_zh=("真实_已备案",), kind="boolean", block="truth"),
    ),
)


_HEADER_JUNK = re.compile(r"[\s_\-:：()（）*＊]+")
_HEADER_REMARK = re.compile(r"[(（][^()（）]*[)）]\s*$")


def normalise_header(header: object) -> str:
    """Normalise a header for matching: NFKC, lower case, drop a trailing remark
    in brackets, spaces and punctuation.

    Examples
    --------
    >>> normalise_header(" 主办单位名称（必填） ")
    '主办单位名称'
    >>> normalise_header("Unit_Name")
    'unitname'
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return _HEADER_JUNK.sub("", _HEADER_REMARK.sub("", text))


@cache
def _header_map(schema_title: str) -> dict[str, str]:
    schema = {
        "filing": FILING_SCHEMA,
        "provider": PROVIDER_SCHEMA,
        "accessed_site": ACCESSED_SITES_SCHEMA,
    }[schema_title]
    out: dict[str, str] = {}
    for col in schema:
        for alias in (col.name, *col.labels_zh, *col.aliases):
            out.setdefault(normalise_header(alias), col.name)
            out.setdefault(alias, col.name)
    return out


def header_map(schema: Schema = FILING_SCHEMA) -> dict[str, str]:
    """Map every known header spelling (and its normalised form) to a canonical name.

    Examples
    --------
    >>> header_map()["主办单位名称"]
    'sponsor_name'
    """
    return dict(_header_map(schema.title))
