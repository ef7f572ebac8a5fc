from __future__ import annotations

import re

from failsafe.connections.manifest import GOOGLE_SCOPE_PREFIX, PERMISSIONS

# A segment that grants change: Mail.ReadWrite, Mail.Send, Sites.Manage.All, gmail.modify ...
WRITE = re.compile(
    r"^(\w*write\w*|send|manage|fullcontrol|full_access|modify|compose|insert)$", re.IGNORECASE
)
# The only two Google scopes without a read-only variant, each justified in the manifest.
GOOGLE_EXCEPTIONS = {
    GOOGLE_SCOPE_PREFIX + "apps.licensing",
    GOOGLE_SCOPE_PREFIX + "admin.directory.user.security",
}


def test_no_write_permission_or_scope_is_ever_requested() -> None:
    for permission in PERMISSIONS:
        if permission.provider == "microsoft":
            # Resource.Access[.Scope]: every segment after the resource must be read-only.
            for segment in permission.name.split(".")[1:]:
                assert not WRITE.search(segment), permission.name
            assert permission.name.split(".")[1] in ("Read", "ReadBasic"), permission.name
        else:
            assert permission.name.startswith(GOOGLE_SCOPE_PREFIX)
            for segment in permission.name.removeprefix(GOOGLE_SCOPE_PREFIX).split("."):
                assert not WRITE.search(segment), permission.name
            if permission.name in GOOGLE_EXCEPTIONS:
                assert permission.no_read_only_variant, permission.name
            else:
                assert permission.name.endswith((".readonly", "gmail.metadata")), permission.name


def test_the_pattern_catches_writes() -> None:
    for name in ("ReadWrite", "Send", "Manage", "FullControl", "modify", "compose"):
        assert WRITE.search(name)
    assert not WRITE.search("RoleManagement") and not WRITE.search("rolemanagement")


def test_google_full_mail_scopes_are_absent() -> None:
    names = {p.name for p in PERMISSIONS}
    assert GOOGLE_SCOPE_PREFIX + "gmail.readonly" not in names
    assert "https://mail.google.com/" not in names


def test_every_entry_says_why_and_where() -> None:
    for permission in PERMISSIONS:
        assert permission.reason and permission.sections
