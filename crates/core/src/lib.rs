//! qar-core: the QAR domain, shared by the laptop client and the sync server so both apply
//! exactly the same rules. Pure: no IO, no SQL, no HTTP, no clock reads (time is passed in).

pub mod accuracy_check;
pub mod attachment;
pub mod calendar;
pub mod citation;
pub mod entities;
pub mod error;
pub mod error_code;
pub mod evidence;
pub mod fields;
pub mod file_names;
pub mod framework;
pub mod hlc;
pub mod insights;
pub mod invitation_link;
pub mod lifecycle;
pub mod op_permission;
pub mod password;
pub mod permissions;
pub mod previous_review;
pub mod protocol;
pub mod register;
pub mod report_deadline;
pub mod report_diff;
pub mod report_photos;
pub mod report_template;
pub mod retention;
pub mod review;
pub mod school;
pub mod school_statement;
pub mod subject;
pub mod sync;
pub mod tables;
pub mod upcast;
pub mod visit_days;
pub mod visit_plan;
pub mod whole_number;
pub mod year_group;

pub use error::ValidationError;
pub use error_code::ErrorCode;
pub use evidence::ActivityType;
pub use fields::{validate_field, EntityKind};
pub use framework::{framework, Area, Framework, ScaleValue, CURRENT_FRAMEWORK};
pub use hlc::{Hlc, HlcClock};
pub use permissions::{allowed_actions, decide, Action, Actor, Decision, DenialReason, Denied, ReviewFacts};
pub use review::ReviewState;
pub use school::Urn;

/// Version of the op/field schema this build writes. The server accepts every version from
/// [`upcast::OLDEST_SUPPORTED_SCHEMA`] to this one and upcasts older ops ([`upcast`]);
/// docs/compatibility.md has the table. 2: evidence year groups are normalised; 3: subjects.
pub const SCHEMA_VERSION: u32 = 3;
