-- Migration 12: the host school's headteacher (issue 22). A head's account is an ordinary
-- account (password + TOTP, invited by the hub); this row is the whole of its scope: the one
-- school whose pages it may read and write. Not a global role: `user_roles` names partnership
-- staff only (its CHECK allows admin and hub_coordinator), and a head is not staff.
CREATE TABLE school_heads (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    urn        TEXT NOT NULL REFERENCES schools(urn),
    -- Who invited them (a coordinator of the school's hub or an administrator).
    invited_by TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX school_heads_by_school ON school_heads(urn);
