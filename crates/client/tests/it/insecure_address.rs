//! Issue 15 item 7: the app refuses to send a password, an authenticator code, an invitation's
//! new password or a token over plain http:// to any address but this laptop's own, and it
//! refuses before a single byte leaves.

use qar_client::sync::{check_secure_address, LoginBody, SyncClient};
use qar_client::{Client, ClientError, SignIn};
use std::net::{IpAddr, TcpListener, UdpSocket};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// This machine's own address on its network (not loopback), found without sending anything:
/// connecting a UDP socket only picks the route.
fn network_address() -> Option<IpAddr> {
    let s = UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

fn assert_insecure(e: ClientError) {
    assert_eq!(e.code(), "insecure_server", "{e:?}");
    assert_eq!(e.to_string(), "This server address is not secure (http://). Ask your hub for the address that starts with https://");
}

/// Waits up to `within` for a connection on the listener.
fn connection_arrives(listener: &TcpListener, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if listener.accept().is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_to_a_network_address_is_refused_before_anything_is_sent() {
    // A listener on every interface stands in for a server reached over the network.
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let host = network_address().map_or_else(|| "qar.example.org".to_owned(), |ip| ip.to_string());
    let url = format!("http://{host}:{port}");

    // Sign-in, through the app's facade.
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path(), &url).unwrap();
    let sign_in = SignIn {
        server_url: url.clone(),
        email: "anika.marsh@example.org".into(),
        password: "correct horse battery staple".into(),
        totp_code: "123456".into(),
        device_name: None,
    };
    assert_insecure(client.sign_in(&sign_in).await.unwrap_err());
    // Invitations: the new password and the authenticator code.
    assert_insecure(Client::redeem_invitation(&url, "aaaaa-bbbbb-ccccc-ddddd", "a long new passphrase").await.unwrap_err());
    assert_insecure(Client::confirm_invitation(&url, "aaaaa-bbbbb-ccccc-ddddd", "123456").await.unwrap_err());
    // Everything that carries a token.
    let with_token = SyncClient::with_token(&url, "qar1_secret-token");
    let body = LoginBody {
        email: "a@example.org".into(),
        password: "pw".into(),
        totp_code: "1".into(),
        device_id: Uuid::now_v7(),
        device_name: String::new(),
    };
    assert_insecure(with_token.login(&body).await.err().expect("refused"));
    assert_insecure(with_token.push(Uuid::now_v7(), vec![], None).await.unwrap_err());
    assert_insecure(with_token.pull(0, 10, Uuid::now_v7(), 0).await.unwrap_err());
    assert_insecure(with_token.logout().await.unwrap_err());
    assert_insecure(with_token.approve("r", "h").await.unwrap_err());
    assert!(!connection_arrives(&listener, Duration::from_millis(300)), "nothing may reach the server");

    // The same listener over loopback is reached: the check above could have seen a connection.
    let local = SyncClient::new(&format!("http://127.0.0.1:{port}"));
    let pending = tokio::spawn(async move { local.health().await });
    assert!(connection_arrives(&listener, Duration::from_secs(5)), "a loopback address is allowed");
    pending.abort();
}

#[test]
fn only_https_or_this_laptop_itself_is_accepted() {
    for ok in [
        "https://qar.example.org",
        "https://203.0.113.7:8443",
        "http://127.0.0.1:8787",
        "http://127.3.2.1",
        "http://localhost:8787",
        "http://LOCALHOST",
        "http://[::1]:8787",
    ] {
        check_secure_address(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for refused in [
        "http://qar.example.org",
        "http://192.168.1.20:8787",
        "http://[2001:db8::1]:8787",
        "http://localhost.example.org",
        "http://127.0.0.1.nip.io",
        "ftp://qar.example.org",
        "not an address",
    ] {
        assert_eq!(check_secure_address(refused).unwrap_err().code(), "insecure_server", "{refused}");
    }
}
