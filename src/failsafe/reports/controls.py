"""Framework names and control titles printed in the framework sections.

Titles follow docs/reference risk-catalog §5.2: NIST CSF 2.0 subcategories and SOC 2 criteria
are paraphrased (neither has official short titles we may reproduce), CIS Controls v8 and
ISO/IEC 27001:2022 Annex A titles are exact.
"""

from __future__ import annotations

from failsafe.detections.model import Framework

FRAMEWORK_NAMES: dict[Framework, str] = {
    Framework.NIST_CSF_2: "NIST CSF 2.0",
    Framework.CIS_V8: "CIS Controls v8",
    Framework.SOC2: "SOC 2",
    Framework.ISO_27001_2022: "ISO/IEC 27001:2022",
}

_NIST = {
    "GV.SC-04": "Suppliers are known and prioritised by criticality",
    "GV.SC-06": "Due diligence before entering a supplier relationship",
    "GV.SC-07": "Supplier risks are assessed and monitored",
    "GV.SC-10": "Activities after a supplier relationship ends",
    "ID.AM-02": "Inventories of software, services and systems are maintained",
    "ID.AM-04": "Inventories of supplier services are maintained",
    "ID.AM-08": "Assets are managed through their life cycle",
    "ID.RA-10": "Critical suppliers are assessed before acquisition",
    "PR.AA-01": "Identities and credentials are managed",
    "PR.AA-03": "Users, services and hardware are authenticated",
    "PR.AA-05": "Access permissions follow least privilege and separation of duties",
    "PR.PS-01": "Configuration management practices are applied",
    "PR.PS-05": "Installation and execution of unauthorised software is prevented",
    "PR.IR-03": "Resilience mechanisms are implemented",
    "DE.CM-03": "Personnel activity and technology usage are monitored",
    "DE.CM-06": "External service provider activity is monitored",
}

_CIS = {
    "2.1": "Establish and Maintain a Software Inventory",
    "2.3": "Address Unauthorized Software",
    "2.4": "Utilize Automated Software Inventory Tools",
    "2.5": "Allowlist Authorized Software",
    "3.3": "Configure Data Access Control Lists",
    "4.8": "Uninstall or Disable Unnecessary Services on Enterprise Assets and Software",
    "5.1": "Establish and Maintain an Inventory of Accounts",
    "5.2": "Use Unique Passwords",
    "5.3": "Disable Dormant Accounts",
    "5.4": "Restrict Administrator Privileges to Dedicated Administrator Accounts",
    "5.5": "Establish and Maintain an Inventory of Service Accounts",
    "5.6": "Centralize Account Management",
    "6.1": "Establish an Access Granting Process",
    "6.2": "Establish an Access Revoking Process",
    "6.3": "Require MFA for Externally-Exposed Applications",
    "6.5": "Require MFA for Administrative Access",
    "6.7": "Centralize Access Control",
    "6.8": "Define and Maintain Role-Based Access Control",
    "15.1": "Establish and Maintain an Inventory of Service Providers",
    "15.2": "Establish and Maintain a Service Provider Management Policy",
    "15.3": "Classify Service Providers",
    "15.4": "Ensure Service Provider Contracts Include Security Requirements",
    "15.5": "Assess Service Providers",
    "15.7": "Securely Decommission Service Providers",
}

_SOC2 = {
    "CC3.2": "Risk identification, including vendor threats",
    "CC6.1": "Logical access security: asset inventory, user identification and authentication",
    "CC6.2": "User registration and removal of credentials",
    "CC6.3": "Role-based, least-privilege access",
    "CC6.6": "Protection against threats from outside the system boundary",
    "CC6.7": "Restrictions on moving information",
    "CC6.8": "Prevention of unauthorised software",
    "CC9.2": "Vendor and business-partner risk management",
}

_ISO = {
    "5.9": "Inventory of information and other associated assets",
    "5.10": "Acceptable use of information and other associated assets",
    "5.14": "Information transfer",
    "5.15": "Access control",
    "5.16": "Identity management",
    "5.17": "Authentication information",
    "5.18": "Access rights",
    "5.19": "Information security in supplier relationships",
    "5.20": "Addressing information security within supplier agreements",
    "5.21": "Managing information security in the ICT supply chain",
    "5.23": "Information security for use of cloud services",
    "5.29": "Information security during disruption",
    "5.32": "Intellectual property rights",
    "8.2": "Privileged access rights",
    "8.3": "Information access restriction",
    "8.5": "Secure authentication",
    "8.9": "Configuration management",
    "8.12": "Data leakage prevention",
}

CONTROL_TITLES: dict[Framework, dict[str, str]] = {
    Framework.NIST_CSF_2: _NIST,
    Framework.CIS_V8: _CIS,
    Framework.SOC2: _SOC2,
    Framework.ISO_27001_2022: _ISO,
}


def control_title(framework: Framework, control_id: str) -> str:
    """The printed title of a control; an unknown id prints as itself (never invented)."""
    return CONTROL_TITLES[framework].get(control_id, "")


def control_sort_key(control_id: str) -> tuple[object, ...]:
    """Natural order: 2.10 after 2.9, PR.AA-05 after PR.AA-01."""
    parts: list[object] = []
    for chunk in control_id.replace("-", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)
