//! What the IPC test files share: calling a command as the webview does, and a real sync server.
#![allow(dead_code)] // each test file uses its own part

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

pub fn invoke(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// A real sync server with demo data on a loopback port, on its own runtime thread.
pub fn server(dir: std::path::PathBuf) -> (String, std::sync::mpsc::Sender<()>) {
    let (url, _admin, stop) = server_with_admin(dir);
    (url, stop)
}

/// The same, with a bearer token of its demo administrator.
pub fn server_with_admin(dir: std::path::PathBuf) -> (String, String, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let cfg = qar_server::ServerConfig { data_dir: dir, listen: "127.0.0.1:0".parse().unwrap(), demo: true, ..Default::default() };
            let srv = qar_server::start(&cfg).await.unwrap();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
            let admin = srv.store().test_token_for_email("admin@example.org", uuid::Uuid::now_v7(), now).unwrap();
            tx.send((srv.url(), admin)).unwrap();
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.unwrap().ok();
            srv.stop().await;
        });
    });
    let (url, admin) = rx.recv().unwrap();
    (url, admin, stop_tx)
}
