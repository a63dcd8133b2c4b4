//! TLS to PostgreSQL (issue 20, decision 101): with `sslmode=require` every connection of the
//! store (writer, reader, feed listener) is encrypted and the database's certificate is checked
//! against the CA named by `sslrootcert`; an unknown CA is refused; without `require` nothing is
//! encrypted and nothing unverified is accepted. Runs on the suite's throwaway cluster, which this
//! test gives a certificate and turns TLS on for.

use qar_server::store::db::Connection;
use std::path::Path;

/// A CA and a certificate for 127.0.0.1 it signed, written where the cluster can read them; the
/// CA's file for the client.
fn certificates(dir: &Path) -> std::path::PathBuf {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("server.crt"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    // As root, scripts/pg-cluster.sh runs PostgreSQL as `postgres`, which must own its key.
    if std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n")) {
        let uid = std::process::Command::new("id").args(["-u", "postgres"]).output().unwrap();
        let uid: u32 = String::from_utf8_lossy(&uid.stdout).trim().parse().expect("the postgres user exists");
        std::os::unix::fs::chown(dir.join("server.key"), Some(uid), None).unwrap();
    }
    dir.join("ca.pem")
}

/// Whether the connection asking is encrypted, and with which protocol.
fn tls_of(conn: &Connection) -> (i64, String) {
    conn.query_row("SELECT CASE WHEN ssl THEN 1 ELSE 0 END, coalesce(version, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

#[test]
fn the_store_reaches_postgresql_over_verified_tls_when_the_url_requires_it() {
    let Some(cluster) = crate::pg_support::cluster_url() else { return };
    let db = crate::pg_support::fresh_database(&cluster);
    let certs = tempfile::tempdir().unwrap();
    let ca = certificates(certs.path());
    let admin = Connection::connect_postgres(&cluster).unwrap();
    let dir = certs.path().display();
    // One statement at a time: ALTER SYSTEM refuses to run inside a (multi-statement) transaction.
    for setting in [format!("ssl_cert_file = '{dir}/server.crt'"), format!("ssl_key_file = '{dir}/server.key'"), "ssl = on".to_owned()] {
        admin.execute_batch(&format!("ALTER SYSTEM SET {setting}")).unwrap();
    }
    admin.execute_batch("SELECT pg_reload_conf()").unwrap();
    let require = format!("{db}?sslmode=require&sslrootcert={}", ca.display());
    // A reload is taken up by new connections a moment later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let conn = loop {
        match Connection::connect_postgres(&require) {
            Ok(conn) => break conn,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => panic!("TLS to the cluster: {e}"),
        }
    };
    let (encrypted, version) = tls_of(&conn);
    assert_eq!(encrypted, 1, "sslmode=require: encrypted");
    assert!(version.starts_with("TLSv1."), "{version}");

    // The store: its writer, its reader and its feed listener all over TLS.
    let data = tempfile::tempdir().unwrap();
    let store = qar_server::ServerStore::open_postgres(&require, data.path(), &qar_server::KeySource::DataDir).unwrap();
    store.seed_demo(qar_server::store::now_ms()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300)); // the listener connects on its own
    let database = db.rsplit('/').next().unwrap();
    let (plain, encrypted): (i64, i64) = conn
        .query_row(
            "SELECT count(*) FILTER (WHERE NOT s.ssl), count(*) FILTER (WHERE s.ssl)
             FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid WHERE a.datname = ?1",
            [database],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(plain, 0, "no connection of the store is plain");
    assert!(encrypted >= 4, "this check, the writer, the reader and the feed listener: {encrypted}");
    drop(store);

    // A certificate from a CA the server was not told of: refused, saying why.
    let stranger = tempfile::tempdir().unwrap();
    let other_ca = certificates(stranger.path());
    let e = Connection::connect_postgres(&format!("{db}?sslmode=verify-full&sslrootcert={}", other_ca.display())).err().unwrap();
    assert!(e.to_string().contains("certificate"), "{e}");
    // Without `require`: plain, never unverified TLS.
    assert_eq!(tls_of(&Connection::connect_postgres(&db).unwrap()).0, 0);

    for setting in ["ssl", "ssl_cert_file", "ssl_key_file"] {
        admin.execute_batch(&format!("ALTER SYSTEM RESET {setting}")).unwrap();
    }
    admin.execute_batch("SELECT pg_reload_conf()").unwrap();
}
