-- Migration 10: mail that is delivered and never lost (issue 22). A row is written in the same
-- transaction as the event that causes it (an invitation, a report submitted, returned, approved
-- or issued, an overdue report, a laptop with old unsent work), so a crash loses none and a
-- retried request adds none: `message_id` is derived from the event and the recipient, and
-- `(event_key, recipient)` is unique. A worker sends due rows and retries with back-off; after
-- the last attempt a row is `dead` until an administrator resends it.
CREATE TABLE mail_outbox (
    -- Hex SHA-256 of event_key and recipient, cut to 32 digits: also the mail's Message-ID.
    message_id      TEXT PRIMARY KEY CHECK (length(message_id) = 32),
    -- The event, e.g. `returned:<review>:<server_seq>`: one event queues one mail per recipient.
    event_key       TEXT NOT NULL,
    -- The template: invitation, report_submitted, report_returned, report_approved,
    -- report_issued, report_overdue, unsent_work.
    template        TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    -- The template's values as JSON, encrypted with the server key (an invitation carries its
    -- one-time code); emptied once the mail is sent.
    params          TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_ms INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    sent_ms         INTEGER,
    -- The last failure as the mail server or the network said it (never a credential).
    last_error      TEXT,
    UNIQUE (event_key, recipient)
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_ms);
