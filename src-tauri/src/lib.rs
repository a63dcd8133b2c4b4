//! qar-app: the Tauri shell. Commands translate IPC calls to `qar_client::Client` calls and
//! errors to `{code, message}`; no domain rule and no SQL live here.

mod admin_commands;
mod appimage;
mod attachment_commands;
mod background;
mod commands;
mod error;
mod help_commands;
mod invite_commands;
pub mod links;
pub mod logging;
pub mod protect;
mod register_commands;
mod report_commands;
mod spelling;
pub mod startup_probe;
pub mod updates;
mod window_close;

pub use commands::AppState;
pub use error::IpcError;

use std::path::PathBuf;
use tauri::{Manager, Runtime};

/// Where the app stores its data and which server it syncs with. Environment overrides exist
/// for the run script and the end-to-end tests (a throwaway data folder, a loopback server).
pub struct Settings {
    pub data_dir: Option<PathBuf>,
    pub server_url: String,
    /// Longest pause between retries while the server is unreachable (tests shorten it).
    pub retry_max: std::time::Duration,
}

impl Settings {
    pub fn from_env() -> Settings {
        Settings {
            data_dir: std::env::var_os("QAR_DATA_DIR").map(PathBuf::from),
            server_url: std::env::var("QAR_SERVER_URL").unwrap_or_else(|_| "http://127.0.0.1:8787".into()),
            retry_max: std::env::var("QAR_SYNC_RETRY_MAX_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(background::RETRY_MAX, std::time::Duration::from_millis),
        }
    }
}

/// Every command the UI may call. Shared by the app and the IPC tests.
pub fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::list_reviews,
        commands::create_review,
        commands::get_review,
        commands::list_evidence,
        commands::add_evidence,
        commands::update_evidence_field,
        commands::delete_evidence,
        commands::transition_review,
        commands::set_estimate,
        commands::list_estimates,
        commands::save_plan_activity,
        commands::delete_plan_activity,
        commands::list_plan,
        commands::previous_review,
        commands::school_statement,
        commands::save_progress,
        commands::search_evidence,
        commands::framework,
        commands::activity_types,
        commands::sync_status,
        commands::sync_now,
        commands::session,
        commands::sign_in,
        commands::sign_out,
        commands::review_detail,
        commands::changes_since_return,
        commands::report_template,
        commands::list_report_sections,
        commands::save_report_section,
        commands::set_report_photos,
        commands::list_comments,
        commands::resolve_comment,
        commands::submit_check,
        commands::approve_review,
        commands::return_review,
        commands::list_conflicts,
        commands::resolve_conflict,
        commands::wipe_check,
        commands::local_copy,
        commands::drop_local_copy,
        commands::keep_issued_days,
        commands::set_keep_issued_days,
        attachment_commands::check_attachment,
        attachment_commands::attach_file,
        attachment_commands::list_attachments,
        attachment_commands::list_review_attachments,
        attachment_commands::set_attachment_caption,
        attachment_commands::delete_attachment,
        attachment_commands::open_attachment,
        attachment_commands::open_attachment_thumbnail,
        admin_commands::admin_list_hubs,
        admin_commands::admin_create_hub,
        admin_commands::admin_set_report_deadline,
        admin_commands::admin_set_accuracy_window,
        admin_commands::admin_assign_schools,
        admin_commands::admin_search_schools,
        admin_commands::admin_list_users,
        admin_commands::admin_invite,
        admin_commands::admin_set_roles,
        admin_commands::admin_deactivate_user,
        admin_commands::schedule_review,
        admin_commands::set_review_team,
        admin_commands::hub_overview,
        admin_commands::hub_insights,
        admin_commands::change_visit,
        admin_commands::adopt_review,
        admin_commands::admin_set_home_school,
        admin_commands::admin_import_schools,
        report_commands::report_preview,
        report_commands::report_photo,
        report_commands::export_report,
        report_commands::issue_report,
        report_commands::report_versions,
        register_commands::search_register,
        register_commands::register_facets,
        register_commands::register_entry,
        register_commands::ask_to_visit,
        protect::vault_status,
        protect::unlock_store,
        protect::start_afresh,
        protect::unlock_idle,
        protect::export_unsent,
        protect::import_handover,
        protect::wipe_laptop,
        invite_commands::redeem_invitation,
        invite_commands::confirm_invitation,
        updates::check_for_update,
        updates::install_update,
        help_commands::app_info,
        help_commands::diagnostics,
        links::take_invitation_link,
        links::read_invitation_code,
        window_close::close_window,
        window_close::keep_window_open,
        startup_probe::startup_drawn,
    ]
}

/// The app's plugins and the state its help and update commands need; shared with the IPC tests.
pub fn with_plugins<R: Runtime>(builder: tauri::Builder<R>, log: logging::LogFile) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::PendingUpdate::default())
        .manage(links::PendingLink::default())
        .manage(log)
}

/// The OS log folder, or `QAR_LOG_DIR`.
fn log_dir<R: Runtime>(app: &tauri::App<R>) -> tauri::Result<PathBuf> {
    match std::env::var_os(logging::LOG_DIR_ENV).filter(|d| !d.is_empty()) {
        Some(d) => Ok(PathBuf::from(d)),
        None => app.path().app_log_dir(),
    }
}

pub fn run() {
    // First, so the cold-start figures count everything the shell does.
    let probe = startup_probe::StartupProbe::from_env();
    let log = logging::init();
    let settings = Settings::from_env();
    let mut builder = tauri::Builder::default();
    // One app per person: a second start (a clicked invitation link, say) hands its link to the
    // first and focuses it. Registered first, as the plugin asks. Not when QAR_DATA_DIR is set:
    // tests and automation run several apps side by side, each with its own folder.
    if settings.data_dir.is_none() {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| links::focus_main(app)));
    }
    let result = with_plugins(builder.plugin(tauri_plugin_deep_link::init()), log.clone())
        .invoke_handler(invoke_handler())
        .manage(window_close::CloseState::default())
        .on_window_event(window_close::on_window_event)
        .setup(move |app| {
            app.manage(probe);
            app.state::<startup_probe::StartupProbe>().mark("setup");
            match log_dir(app) {
                Ok(dir) => {
                    if let Err(e) = log.attach(&dir) {
                        tracing::warn!("{e}; logging to standard error only");
                    }
                }
                Err(e) => tracing::warn!("no log folder on this system ({e}); logging to standard error only"),
            }
            tracing::info!(version = %app.package_info().version, "QAR Field starting");
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        links::receive(&handle, url.as_str());
                    }
                });
                // Started by a link: the operating system passed it on the command line.
                if let Ok(Some(urls)) = app.deep_link().get_current() {
                    for url in urls {
                        links::receive(app.handle(), url.as_str());
                    }
                }
                // An AppImage was never installed: nothing told the desktop about qarfield://.
                appimage::register_scheme_if_appimage(app.handle());
            }
            spelling::enable(app.handle());
            let data_dir = match settings.data_dir.clone() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            tracing::info!(data_dir = %data_dir.display(), server = %settings.server_url, "opening local store");
            std::fs::create_dir_all(&data_dir)?;
            let vault = qar_client::vault::Vault::with_os_keychain(&data_dir.join(qar_client::client_store_file()));
            let gate = protect::Gate::new(vault, &data_dir, &settings.server_url, settings.retry_max, protect::idle_lock_secs_from_env());
            app.manage(gate);
            let passphrase = std::env::var("QAR_STORE_PASSPHRASE").ok();
            protect::Gate::unlock_at_startup(app.handle(), passphrase, |app| {
                app.state::<startup_probe::StartupProbe>().mark("store_unlocked");
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        // Without a store there is nothing safe to show; say why on the terminal and exit.
        eprintln!("QAR Field could not start: {e}");
        std::process::exit(1);
    }
}
