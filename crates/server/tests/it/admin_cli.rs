//! `create-admin` and `import-users`: as library functions, and once each through the binary.

use qar_server::admin::{self, AdminError, LineOutcome};
use qar_server::auth::crypto::totp_code;
use qar_server::auth::{LoginRequest, Role};
use qar_server::store::directory::DirectoryError;
use qar_server::ServerStore;
use std::process::{Command, Stdio};
use uuid::Uuid;

const T: u64 = 1_795_000_000_000;

fn store() -> (tempfile::TempDir, ServerStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = crate::common::open_store(dir.path());
    (dir, s)
}

fn sign_in(s: &ServerStore, c: &admin::IssuedCredentials, at: u64) -> qar_server::auth::LoginGrant {
    let req = LoginRequest {
        email: c.email.clone(),
        password: c.password.clone().unwrap(),
        totp_code: totp_code(&c.totp_secret, at).unwrap(),
        device_id: Uuid::now_v7(),
        device_name: String::new(),
    };
    s.login(&req, at).unwrap()
}

const PEOPLE: &str = "\
name,email,role,hub
Priya Shah,Priya.Shah@example.org,lead_reviewer,Riverside & Fells Hub
\"Okafor, Dr Chidi\",chidi.okafor@example.org,reviewer,Northern Lights Hub
Sam Bad,not-an-email,reviewer,
Jo Boss,jo.boss@example.org,boss,
,missing.name@example.org,reviewer,
Hana Coordinator,hana@example.org,hub_coordinator,
Too Few,too.few@example.org
Dr Anika Marsh,anika.marsh@example.org,lead_reviewer,hub-riverside-fells
Ruth Lane,ruth.lane@example.org,hub_coordinator,northern lights hub
Priya Again,priya.shah@example.org,reviewer,
";

#[test]
fn import_reports_each_bad_row_by_line_and_imports_the_good_ones() {
    let (_d, s) = store();
    s.seed_demo(T).unwrap();
    let report = admin::import_users(&s, PEOPLE.as_bytes(), T).unwrap();
    let got: Vec<(u64, LineOutcome)> = report.lines.iter().map(|l| (l.line, l.outcome.clone())).collect();
    let rejected = |line: u64| match &got.iter().find(|(l, _)| *l == line).unwrap().1 {
        LineOutcome::Rejected(why) => why.clone(),
        other => panic!("line {line}: {other:?}"),
    };
    assert_eq!(got.len(), 10, "{got:?}");
    assert_eq!(got[0], (2, LineOutcome::Added));
    assert_eq!(got[1], (3, LineOutcome::Added), "a quoted name with a comma is one value");
    assert!(rejected(4).contains("'not-an-email' is not an email address"), "{}", rejected(4));
    assert!(rejected(5).contains("unknown role 'boss'"), "{}", rejected(5));
    assert_eq!(rejected(6), "no name");
    assert!(rejected(7).contains("needs the hub"), "{}", rejected(7));
    assert_eq!(rejected(8), "expected 4 values, found 2");
    assert_eq!(got[7], (9, LineOutcome::Unchanged), "the demo's Anika, as she is");
    assert_eq!(got[8], (10, LineOutcome::Added), "the hub made on line 3, matched by name in any case");
    assert!(rejected(11).contains("already on line 2"), "{}", rejected(11));
    assert_eq!(report.summary(), "3 added, 0 updated, 1 unchanged, 6 rejected");

    assert_eq!(report.hubs_created.len(), 1);
    let (northern, name) = &report.hubs_created[0];
    assert_eq!(name, "Northern Lights Hub");

    // New people got a sign-in that works; Anika already had one and got none.
    let emails: Vec<&str> = report.credentials.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(emails, ["priya.shah@example.org", "chidi.okafor@example.org", "ruth.lane@example.org"]);
    let chidi = sign_in(&s, &report.credentials[1], T);
    assert_eq!(chidi.user.name, "Okafor, Dr Chidi");
    let ruth = sign_in(&s, &report.credentials[2], T);
    assert_eq!(ruth.user.roles, vec![Role::HubCoordinator { hub_id: northern.clone() }]);

    // Running the same file again changes nothing and issues nothing.
    let again = admin::import_users(&s, PEOPLE.as_bytes(), T + 1000).unwrap();
    assert_eq!(again.summary(), "0 added, 0 updated, 4 unchanged, 6 rejected");
    assert!(again.credentials.is_empty() && again.hubs_created.is_empty());
    let lines = |r: &admin::ImportReport| r.lines.iter().map(|l| l.line).collect::<Vec<_>>();
    assert_eq!(lines(&again), lines(&report));

    // A changed row updates the person.
    let moved = "name,email,role,hub\nChidi Okafor,chidi.okafor@example.org,lead_reviewer,Riverside & Fells Hub\n";
    let out = admin::import_users(&s, moved.as_bytes(), T).unwrap();
    assert_eq!(out.lines[0].outcome, LineOutcome::Updated(vec!["name", "role", "hub"]));
}

#[test]
fn a_file_without_the_right_header_is_refused_whole() {
    let (_d, s) = store();
    for bad in ["name,email,role\nA,a@example.org,reviewer\n", "name,email,role,hub,age\n", "full name,email,role,hub\n"] {
        assert!(matches!(admin::import_users(&s, bad.as_bytes(), T), Err(AdminError::Refused(_))), "{bad}");
    }
    // Columns in another order, any case, are fine.
    let ok = "Hub,ROLE,Email,Name\n,reviewer,x.y@example.org,X Y\n";
    assert_eq!(admin::import_users(&s, ok.as_bytes(), T).unwrap().summary(), "1 added, 0 updated, 0 unchanged, 0 rejected");
}

#[test]
fn create_admin_refuses_a_second_admin_unless_forced() {
    let (_d, s) = store();
    let first = admin::create_admin(&s, "Root@Example.org", "Ada Root", None, false, T).unwrap();
    assert_eq!(first.email, "root@example.org");
    assert!(first.otpauth_uri.starts_with("otpauth://totp/QAR%20Field:root%40example.org?secret="));
    assert_eq!(sign_in(&s, &first, T).user.roles, vec![Role::Admin]);

    let second = admin::create_admin(&s, "other@example.org", "Other Admin", None, false, T);
    match second {
        Err(AdminError::Refused(why)) => assert!(why.contains("already exists (root@example.org)"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let forced = admin::create_admin(&s, "other@example.org", "Other Admin", Some("a chosen passphrase".into()), true, T).unwrap();
    assert_eq!(forced.password, None, "a chosen password is not shown back");
    assert_eq!(s.active_admin_emails().unwrap(), ["root@example.org", "other@example.org"]);
    // Refused before hashing anything: a short chosen password, a bad email.
    assert!(admin::create_admin(&s, "x@example.org", "X", Some("short".into()), true, T).is_err());
    assert!(admin::create_admin(&s, "not-an-email", "X", None, true, T).is_err());
    // The store refuses too, whoever calls it.
    assert!(matches!(s.create_admin("z@example.org", "Z", "$argon2id$v=19$x", "A", false, T), Err(DirectoryError::Refused(_))));
}

fn qar_server(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qar-server"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_binary_creates_one_admin_and_imports_users() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let (code, out, err) = qar_server(&["create-admin", "--data-dir", data, "--email", "cp.admin@example.org", "--name", "CP Admin"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Initial password (shown once, not stored): "), "{out}");
    assert!(out.contains("otpauth://totp/QAR%20Field:cp.admin%40example.org?secret="), "{out}");

    let (code, out, err) = qar_server(
        &["create-admin", "--data-dir", data, "--email", "second@example.org", "--name", "Second", "--password-stdin"],
        Some("a long enough passphrase\n"),
    );
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("an administrator already exists (cp.admin@example.org)"), "{err}");
    let (code, out, err) = qar_server(
        &["create-admin", "--data-dir", data, "--email", "second@example.org", "--name", "Second", "--password-stdin", "--force"],
        Some("a long enough passphrase\n"),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("Initial password"), "a chosen password is not printed: {out}");

    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "name,email,role,hub\nNew Person,new.person@example.org,reviewer,Some Hub\nBad,bad,reviewer,\n").unwrap();
    let creds = dir.path().join("creds.csv");
    let args = ["import-users", "--data-dir", data, csv.to_str().unwrap(), "--credentials-out", creds.to_str().unwrap()];
    let (code, out, err) = qar_server(&args, None);
    assert_eq!(code, 2, "a rejected row makes the exit status 2: {out}{err}");
    assert!(out.contains("line 2: added new.person@example.org"), "{out}");
    assert!(out.contains("line 3: rejected bad: 'bad' is not an email address"), "{out}");
    assert!(out.contains("created hub 'Some Hub'"), "{out}");
    assert!(!out.contains("otpauth://"), "credentials go to the file, not the screen: {out}");
    let written = std::fs::read_to_string(&creds).unwrap();
    assert!(written.starts_with("name,email,initial_password,totp_secret,otpauth_uri\nNew Person,new.person@example.org,"), "{written}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The credentials file is never overwritten.
    let (code, _, err) = qar_server(&args, None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("must not exist yet"), "{err}");
    // Without the rejected row, a re-run is clean and idempotent.
    std::fs::write(&csv, "name,email,role,hub\nNew Person,new.person@example.org,reviewer,Some Hub\n").unwrap();
    let (code, out, _) = qar_server(&["import-users", "--data-dir", data, csv.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("line 2: unchanged new.person@example.org") && out.contains("0 added, 0 updated, 1 unchanged, 0 rejected"),
        "{out}"
    );
}

/// `mail-dead` and `mail-resend` through the binary (issue 22): an undelivered invitation is
/// listed with its message id and recipient, not its code, and queued again by that id.
#[test]
fn undelivered_mail_is_listed_and_resent_from_the_command_line() {
    use qar_server::store::mail_outbox::Attempt;
    let (dir, s) = store();
    s.test_user("user-admin", "Ada Admin", &[Role::Admin]).unwrap();
    let admin = qar_server::AuthDevice { user_id: "user-admin".into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] };
    let new = qar_server::store::invitations::NewInvitation {
        email: "cli.person@example.org".into(),
        name: "Cli Person".into(),
        role: qar_server::store::invitations::InviteRole::Reviewer,
        home_school_urn: None,
    };
    let issued = s.invite(&admin, &new, T).unwrap();
    let due = s.due_mail(T, 10).unwrap();
    assert_eq!(due.len(), 1);
    s.mail_attempted(&due[0].message_id, Attempt::Dead, T, Some("550 no such mailbox")).unwrap();
    let id = due[0].message_id.clone();
    drop(s);

    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qar-server")).args(args).arg("--data-dir").arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let listed = run(&["mail-dead"]);
    assert!(listed.contains(&id) && listed.contains("cli.person@example.org") && listed.contains("550 no such mailbox"), "{listed}");
    assert!(!listed.contains(&issued.code), "the code is not shown: {listed}");
    assert_eq!(run(&["mail-resend", &id]).trim(), format!("{id}: queued again for cli.person@example.org"));
    assert_eq!(run(&["mail-dead"]).trim(), "No undelivered mail.");
    assert_eq!(run(&["mail-resend", &id]).trim(), format!("{id}: left as it is (pending)"), "a second resend changes nothing");
}
