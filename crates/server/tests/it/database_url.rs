//! `qar-server --database-url` (issue 20): the URL comes from the flag, else `QAR_DATABASE_URL`,
//! else the configuration file; a database that cannot be reached stops the server with a clear
//! error naming where it looked, and the URL's password is never printed.

use std::process::Command;

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs `qar-server` (serve) with these arguments and environment; its exit code and stderr.
fn serve(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qar-server"));
    cmd.arg("--data-dir").arg(dir.path()).args(["--listen", "127.0.0.1:0"]).args(args).env_remove("QAR_DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_unreachable_database_stops_the_server_clearly_without_its_password_and_the_flag_wins() {
    let [from_flag, from_env, from_file] = [closed_port(), closed_port(), closed_port()];
    let url = |port: u16| format!("postgres://qar:s3cret-Pa55@127.0.0.1:{port}/qar_field");
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("server.toml");
    std::fs::write(&config, format!("database-url = \"{}\"\n", url(from_file))).unwrap();
    let config = config.display().to_string();
    let flag_url = url(from_flag);

    let cases = [
        (vec!["--config", &config, "--database-url", &flag_url], vec![("QAR_DATABASE_URL", url(from_env))], from_flag),
        (vec!["--config", &config], vec![("QAR_DATABASE_URL", url(from_env))], from_env),
        (vec!["--config", &config], vec![], from_file),
    ];
    for (args, env, port) in cases {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (code, err) = serve(&args, &env);
        assert_eq!(code, Some(1), "{err}");
        assert!(
            err.contains(&format!("could not reach the PostgreSQL database postgres://qar@127.0.0.1:{port}/qar_field"))
                && err.contains("--database-url (or QAR_DATABASE_URL)"),
            "the error names the database it tried (port {port}) and where the setting comes from: {err}"
        );
        assert!(!err.contains("s3cret-Pa55"), "the password was printed: {err}");
    }
}
