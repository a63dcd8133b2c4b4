//! PostgreSQL for the tests (issue 20): `./x test` starts a throwaway cluster
//! (`scripts/pg-cluster.sh`) and passes its address in `QAR_TEST_DATABASE_URL`; each test gets a
//! database of its own on it. Under CI the variable must be there: a PostgreSQL test never
//! passes by not running.

/// The cluster's address, or `None` on a developer's machine that started none (said once per
/// test, so a skipped test is visible). Under CI, its absence fails the test.
pub fn cluster_url() -> Option<String> {
    match std::env::var("QAR_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("QAR_TEST_DATABASE_URL is not set: under CI the PostgreSQL tests must run (./x test starts a cluster)")
        }
        _ => {
            eprintln!("note: no QAR_TEST_DATABASE_URL (start one with scripts/pg-cluster.sh): PostgreSQL part skipped");
            None
        }
    }
}

/// A new, empty database on the test cluster; its URL.
pub fn fresh_database(cluster: &str) -> String {
    qar_server::store::pg_testkit::fresh_database(cluster).expect("the test cluster makes a database")
}
