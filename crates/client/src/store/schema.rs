use qar_dbkit::Migration;

/// The client's schema, in order. Append only: a released migration never changes.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration { number: 1, name: "reviews, evidence, outbox, audit", sql: include_str!("migrations/0001_init.sql") },
    Migration { number: 2, name: "evidence detail and full-text search", sql: include_str!("migrations/0002_evidence_detail.sql") },
    Migration { number: 3, name: "estimates and roles", sql: include_str!("migrations/0003_estimates_and_roles.sql") },
    Migration {
        number: 4,
        name: "report sections, comments, conflicts",
        sql: include_str!("migrations/0004_report_comments_conflicts.sql"),
    },
    Migration { number: 5, name: "issued report versions", sql: include_str!("migrations/0005_report_versions.sql") },
    Migration {
        number: 6,
        name: "visit days and school context of scheduled reviews",
        sql: include_str!("migrations/0006_scheduled_reviews.sql"),
    },
    Migration { number: 7, name: "time of approval", sql: include_str!("migrations/0007_approval_time.sql") },
    Migration { number: 8, name: "records and fields of newer servers", sql: include_str!("migrations/0008_forward_compat.sql") },
    Migration { number: 9, name: "the visit plan", sql: include_str!("migrations/0009_visit_plan.sql") },
    Migration { number: 10, name: "encrypted attachment files", sql: include_str!("migrations/0010_attachment_files.sql") },
    Migration { number: 11, name: "attachments and their upload queue", sql: include_str!("migrations/0011_attachments.sql") },
    Migration { number: 12, name: "the report as returned", sql: include_str!("migrations/0012_returned_report.sql") },
    Migration { number: 13, name: "copy of the register of Areas of Excellence", sql: include_str!("migrations/0013_register_copy.sql") },
    Migration { number: 14, name: "the previous review and progress since it", sql: include_str!("migrations/0014_previous_review.sql") },
    Migration { number: 15, name: "issued reviews dropped from this laptop", sql: include_str!("migrations/0015_dropped_reviews.sql") },
    Migration { number: 16, name: "photos in the report", sql: include_str!("migrations/0016_report_photos.sql") },
    Migration { number: 17, name: "the host school's statement", sql: include_str!("migrations/0017_school_statement.sql") },
    Migration { number: 18, name: "photo thumbnails", sql: include_str!("migrations/0018_attachment_thumbnails.sql") },
    Migration { number: 19, name: "live notes by review", sql: include_str!("migrations/0019_live_notes_index.sql") },
];
