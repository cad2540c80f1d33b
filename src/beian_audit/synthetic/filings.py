"""The filings table: one row per website from the parts the steps drew.

:func:`_simulate` hands over a dict of parts (per sponsor, per person, per website);
:func:`_assemble_filings` expands them to websites and frees each part once used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.schema import FILING_SCHEMA
from beian_audit.synthetic.access import _Access, _Domains
from beian_audit.synthetic.addresses import _Addresses
from beian_audit.synthetic.contacts import _Phones
from beian_audit.synthetic.defects import _Truth
from beian_audit.synthetic.geography import _Reference
from beian_audit.synthetic.names import _SponsorNames
from beian_audit.synthetic.params import _NATURES
from beian_audit.synthetic.sponsors import _Certificates, _Persons, _Sponsors, _Websites
from beian_audit.synthetic.vectors import _frame, _join, _num, _repeat, _sub, _take
from beian_audit.synthetic.websites import _Texts

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _assemble_filings(parts: dict[str, Any], ref: _Reference) -> pd.DataFrame:
    """The filings table from the parts of :func:`_simulate`, freeing each part once used."""
    sof = parts.pop("sponsor_of")
    wpp = parts.pop("wp_person")
    n, n_s = len(sof), parts.pop("n_sponsors")
    out: dict[str, Any] = {
        "website_id": _join("W", _num(np.arange(1, n + 1), max(8, len(str(n))))),
        "sponsor_id": _join("Z", _num(sof + 1, max(8, len(str(n_s))))),
    }
    s_icp = _sub(parts.pop("s_icp"), sof)
    out["sponsor_icp_number"] = s_icp
    for column, key in (
        ("sponsor_name", "sponsor_name"),
        ("sponsor_cert_type", "cert_type"),
        ("sponsor_cert_number", "cert_number"),
        ("sponsor_cert_address", "cert_addr"),
        ("sponsor_address", "postal"),
        ("investor", "investor"),
    ):
        out[column] = _sub(parts.pop(key), sof)
    out["sponsor_nature"] = _take(_NATURES, parts.pop("w_nature"))
    out["sponsor_province"] = _take(ref.prov_name, parts.pop("s_prov"))
    out["sponsor_city"] = _take(ref.city_name, parts.pop("s_city"))
    out["sponsor_county"] = _take(ref.county_name, parts.pop("s_county"))
    for person, index in (("sponsor_principal", sof), ("website_principal", wpp)):
        out[f"{person}_id_type"] = _repeat("居民身份证", n)
        for column, key in (
            ("name", "p_name"),
            ("id_number", "pid"),
            ("mobile", "mobile"),
            ("email", "email"),
        ):
            out[f"{person}_{column}"] = _sub(
                parts[key] if person == "sponsor_principal" else parts.pop(key), index
            )
    out["sponsor_principal_phone"] = _sub(parts.pop("office"), sof)
    out["website_principal_phone"] = parts.pop("wp_phone")
    out["website_icp_number"] = _join(s_icp, "-", _num(parts.pop("web_seq")))
    w_provider = parts.pop("w_provider")
    out["provider_id"] = _sub(parts.pop("provider_id"), w_provider)
    out["provider_name"] = _sub(parts.pop("provider_name"), w_provider)
    out["server_province"] = _take(ref.prov_name, parts.pop("server_prov"))
    out["approval_date"] = parts.pop("approval").astype("datetime64[ns]")
    for column, key in (
        ("website_name", "website_name"),
        ("home_url", "home_url"),
        ("domain", "domain"),
        ("service_content", "service"),
        ("pre_approval", "pre_approval"),
        ("limit_access", "limit"),
        ("access_mode", "mode"),
        ("ip_addresses", "ips_text"),
        ("material_uploaded", "material"),
        ("resolved_ip", "resolved_text"),
        ("truth_sponsor_ok", "sponsor_ok"),
        ("truth_access_ok", "access_ok"),
        ("truth_defects", "truth_defects"),
    ):
        out[column] = parts.pop(key)
    return _frame(out, FILING_SCHEMA)


# Everything the filings table needs; the table is assembled after _simulate has
# returned, so that its intermediate arrays are freed first.


def _sponsor_parts(
    sponsors: _Sponsors,
    websites: _Websites,
    icp: pa.Array,
    names: _SponsorNames,
    certificates: _Certificates,
    addresses: _Addresses,
    investor: pa.Array,
) -> dict[str, Any]:
    """Per-sponsor parts (places already per website)."""
    sponsor_of = websites.sponsor_of
    return {
        "sponsor_of": sponsor_of,
        "s_prov": sponsors.prov[sponsor_of],
        "s_city": sponsors.city[sponsor_of],
        "s_county": sponsors.county[sponsor_of],
        "s_icp": icp,
        "sponsor_name": names.name,
        "cert_type": certificates.cert_type,
        "cert_number": certificates.cert_number,
        "cert_addr": addresses.certificate,
        "postal": addresses.postal,
        "investor": investor,
        "pid": certificates.person_id,
    }


def _person_parts(
    persons: _Persons, phones: _Phones, email: pa.Array, wp_phone: pa.Array
) -> dict[str, Any]:
    """Per-person parts, and the phone of each website principal."""
    return {
        "wp_person": persons.website_principal,
        "p_name": persons.name,
        "mobile": phones.mobile,
        "office": phones.office,
        "email": email,
        "wp_phone": wp_phone,
    }


def _website_parts(
    websites: _Websites, domains: _Domains, texts: _Texts, access: _Access, truth: _Truth
) -> dict[str, Any]:
    """Per-website parts."""
    return {
        "web_seq": websites.seq,
        "w_nature": websites.nature,
        "w_provider": websites.provider,
        "server_prov": access.server_prov,
        "website_name": texts.website_name,
        "home_url": domains.home_url,
        "domain": domains.domain,
        "service": texts.service,
        "pre_approval": texts.pre_approval,
        "limit": texts.limit,
        "approval": websites.approval,
        "mode": access.mode,
        "ips_text": access.ips_text,
        "material": access.material,
        "resolved_text": access.resolved_text,
        "sponsor_ok": truth.sponsor_ok,
        "access_ok": truth.access_ok,
        "truth_defects": truth.defects,
    }
