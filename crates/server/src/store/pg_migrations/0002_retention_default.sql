-- The partnership's shipped retention policy, as SQLite migration 11 writes it: migration 1
-- made the table but left it empty, so the policy list showed nothing (the purge itself used the
-- same defaults). A database that has a policy row for the partnership keeps it.
INSERT INTO retention_policy(hub_id, evidence_months, report_years, cancelled_days, grace_days, updated_ms, updated_by)
    VALUES ('', 12, 6, 90, 30, 0, '')
    ON CONFLICT (hub_id) DO NOTHING;
