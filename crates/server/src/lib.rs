//! qar-server
