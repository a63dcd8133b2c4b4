//! qar-client: everything the laptop does besides drawing. The local store (one SQLite file,
//! WAL, numbered migrations, outbox), the sync client, and `Client`, the facade the app calls.

mod client;
pub mod error;
pub mod model;
pub mod store;
pub mod sync;

pub use client::Client;
pub use error::ClientError;
pub use model::*;
pub use store::{Checkpointer, Store};
