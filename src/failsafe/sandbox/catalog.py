"""Fixed reference data the sandbox tenants are built from (ids as Microsoft and Google use them).

Vendor slugs are the sandbox's guess at the catalog ids the rules will use (docs/rules.md: "a
slug such as ``notion``"): the lower-case vendor name with every run of non-alphanumerics turned
into ``-`` and a trailing ``.ai``/``.com`` kept as ``-ai``. ChatGPT/OpenAI is ``openai``.
"""

from __future__ import annotations

from dataclasses import dataclass

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
MICROSOFT_SERVICES_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"


@dataclass(frozen=True, slots=True)
class Vendor:
    slug: str
    name: str
    domain: str
    category: str


VENDORS: dict[str, Vendor] = {
    v.slug: v
    for v in (
        Vendor("openai", "ChatGPT", "openai.com", "gen-AI"),
        Vendor("otter-ai", "Otter.ai", "otter.ai", "AI notetaker"),
        Vendor("fireflies-ai", "Fireflies.ai", "fireflies.ai", "AI notetaker"),
        Vendor("dropbox", "Dropbox", "dropbox.com", "storage"),
        Vendor("wetransfer", "WeTransfer", "wetransfer.com", "file transfer"),
        Vendor("salesforce", "Salesforce", "salesforce.com", "CRM"),
        Vendor("notion", "Notion", "notion.so", "docs/wiki"),
        Vendor("slack", "Slack", "slack.com", "chat"),
        Vendor("zoom", "Zoom", "zoom.us", "meetings"),
        Vendor("miro", "Miro", "miro.com", "whiteboard"),
        Vendor("canva", "Canva", "canva.com", "design"),
        Vendor("figma", "Figma", "figma.com", "design"),
        Vendor("calendly", "Calendly", "calendly.com", "scheduling"),
    )
}

# Graph application permissions (app roles on the Microsoft Graph service principal).
GRAPH_APP_ROLES: dict[str, str] = {
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Organization.Read.All": "498476ce-e0fe-48b0-b801-37ba7e2685c6",
    "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
    "RoleManagement.Read.Directory": "483bed4a-2ad3-4361-a73b-c83ccdbdc53c",
    "UserAuthenticationMethod.Read.All": "38d9df27-64da-44fd-b7c5-a6fbac20248f",
    "Reports.Read.All": "230c1aed-a721-4c5d-9cb4-a90514e508ef",
    "Mail.ReadBasic.All": "693c5e45-0940-467d-9b8a-1022fb9d42ef",
    "Mail.ReadWrite": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
    "Sites.Selected": "883ea226-0bf2-4a8f-9f9d-92c9162a727d",
}
# Delegated scopes the planted grants use (oauth2PermissionScopes on the Graph SP).
GRAPH_SCOPES: dict[str, str] = {
    "openid": "37f7f235-527c-4136-accd-4a02d197296e",
    "profile": "14dad69e-099b-42c9-810b-d002981feec1",
    "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
    "offline_access": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    "Calendars.Read": "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42",
    "Files.ReadWrite.All": "863451e7-0667-486c-a5d6-d135439485f0",
    "Mail.ReadWrite": "024d486e-b451-40bb-833d-3e66d98c5c73",
}
# What FailSafe's registration is granted in a sandbox tenant unless a spec says otherwise.
DEFAULT_GRANTED_ROLES: tuple[str, ...] = (
    "Organization.Read.All",
    "User.Read.All",
    "AuditLog.Read.All",
    "RoleManagement.Read.Directory",
    "Application.Read.All",
    "Directory.Read.All",
    "Policy.Read.All",
    "Mail.ReadBasic.All",
)


@dataclass(frozen=True, slots=True)
class Sku:
    part_number: str
    sku_id: str
    paid: bool


SKU_SPE_E3 = Sku("SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", True)
SKU_SPE_E5 = Sku("SPE_E5", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", True)
SKU_FLOW_FREE = Sku("FLOW_FREE", "f30db892-07e9-47e9-837c-80727f46fd3d", False)
SERVICE_PLANS: dict[str, tuple[tuple[str, str], ...]] = {
    "SPE_E3": (
        ("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"),
        ("43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"),
        ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"),
    ),
    "SPE_E5": (
        ("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"),
        ("43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"),
        ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"),
        ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"),
    ),
    "FLOW_FREE": (("50e68c76-46c6-4674-81f9-75456511b170", "FLOW_P2_VIRAL"),),
}

# Directory role templates the sandbox activates.
ROLE_TEMPLATES: dict[str, str] = {
    "Global Administrator": GLOBAL_ADMIN,
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
}

# Microsoft first-party enterprise apps present in every tenant.
FIRST_PARTY_APPS: tuple[tuple[str, str], ...] = (
    (GRAPH_APP_ID, "Microsoft Graph"),
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    ("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"),
    ("cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services"),
    ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"),
)
SIGN_IN_APPS: tuple[tuple[str, str], ...] = FIRST_PARTY_APPS[1:]

# Google Workspace.
GOOGLE_PRODUCT = "Google-Apps"
GOOGLE_SKU = ("1010020028", "Google Workspace Business Standard")
GOOGLE_CHROME_CLIENT = ("77185425430.apps.googleusercontent.com", "Google Chrome")
GOOGLE_SCOPE = "https://www.googleapis.com/auth/"

CONSUMER_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com")
FIRST_NAMES = [
    "Adele",
    "Alex",
    "Amara",
    "Ben",
    "Carla",
    "Chen",
    "Dara",
    "Diego",
    "Elif",
    "Emma",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Ivan",
    "Jade",
    "Jonas",
    "Kai",
    "Lena",
    "Liam",
    "Maya",
    "Mateo",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sara",
    "Tariq",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Adams",
    "Baker",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jansen",
    "Khan",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Vargas",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
]
COMPANY_WORDS = [
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Tailspin",
    "Woodgrove",
    "Litware",
    "Proseware",
    "Adatum",
]
COMPANY_KINDS = ["Dental", "Legal", "Logistics", "Design", "Clinics", "Realty", "Labs", "Studio"]
