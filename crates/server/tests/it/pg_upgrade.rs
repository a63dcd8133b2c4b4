//! A schema upgrade while an older server still runs on the same PostgreSQL database is refused
//! clearly and applies nothing (issue 20, point 5); once the older server has stopped, it goes
//! ahead. A restart that changes no schema (a rolling upgrade) is never held up.

use qar_server::store::db::Connection;
use qar_server::store::pg_testkit::{migrate_database_to, schema_and_instance_name};

fn schema_of(url: &str) -> i64 {
    Connection::connect_postgres(url).unwrap().query_row("SELECT max(number) FROM schema_migrations", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_schema_upgrade_waits_until_every_older_server_has_stopped() {
    let Some(cluster) = crate::pg_support::cluster_url() else { return };
    let url = crate::pg_support::fresh_database(&cluster);
    let (known, this_server) = schema_and_instance_name();
    let older = known - 1;
    assert_eq!(migrate_database_to(&url, older).unwrap(), older);
    // An older server is running: its connections carry the schema it was built for.
    let older_server = Connection::connect_postgres_as(&url, Some(&format!("qar-server schema {older}"))).unwrap();
    let data = tempfile::tempdir().unwrap();
    let refused = qar_server::ServerStore::open_postgres(&url, data.path(), &qar_server::KeySource::DataDir).err().expect("refused");
    let said = refused.to_string();
    assert!(said.contains(&format!("from {older} to {known}")) && said.contains("stop every older server first"), "{said}");
    assert_eq!(schema_of(&url), older as i64, "nothing was applied");

    // A server of this version beside it changes nothing either way (same schema, no upgrade).
    let same = Connection::connect_postgres_as(&url, Some(&this_server)).unwrap();
    drop(older_server);
    let store = qar_server::ServerStore::open_postgres(&url, data.path(), &qar_server::KeySource::DataDir).unwrap();
    assert_eq!(schema_of(&url), known as i64, "upgraded once the older server stopped");
    drop(store);
    // Restarting with the schema unchanged, beside a running server of this version: fine.
    qar_server::ServerStore::open_postgres(&url, data.path(), &qar_server::KeySource::DataDir).unwrap();
    drop(same);
}
