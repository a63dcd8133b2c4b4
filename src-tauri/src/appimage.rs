//! `qarfield://` links for the AppImage (issue 21). The .deb, .rpm, NSIS, MSI and .app tell the
//! operating system about the scheme when they are installed; an AppImage is never installed, so
//! nobody does. Started from an AppImage, the app registers the scheme for the person itself
//! (tauri-plugin-deep-link writes `~/.local/share/applications/qar-field-handler.desktop`, whose
//! `Exec` is the AppImage file, and makes it the handler with `xdg-mime`), so the link in an
//! invitation e-mail opens the app. Each start registers again: the file may have been moved.

use std::ffi::OsStr;
use std::path::Path;
use tauri::{AppHandle, Runtime};

/// Whether this start registers the scheme: on Linux, from an AppImage only. The AppImage runtime
/// sets `APPIMAGE` (the file) and `APPDIR` (where it is mounted, and the binary lives). Both are
/// inherited by every program an AppImage starts, so a .deb-installed QAR Field opened from, say,
/// an AppImage terminal also sees them: it must not make that other AppImage the handler of
/// invitation links. Only a binary inside `APPDIR` is the AppImage's own.
pub fn registers_scheme_at_start(os: &str, appimage: Option<&OsStr>, appdir: Option<&OsStr>, exe: &Path) -> bool {
    let (Some(appimage), Some(appdir)) = (appimage, appdir) else {
        return false;
    };
    os == "linux" && Path::new(appimage).is_absolute() && Path::new(appdir).is_absolute() && exe.is_absolute() && exe.starts_with(appdir)
}

/// Registers `qarfield://` when [`registers_scheme_at_start`] says so, off the start-up path
/// (`xdg-mime` is a shell script). A failure is logged and the app carries on: the person can
/// still paste the invitation code, which carries the server's address.
pub fn register_scheme_if_appimage<R: Runtime>(app: &AppHandle<R>) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            tracing::warn!("could not tell where the app runs from ({e}); qarfield:// links not registered");
            return;
        }
    };
    let appimage = std::env::var_os("APPIMAGE");
    let appdir = std::env::var_os("APPDIR");
    if !registers_scheme_at_start(std::env::consts::OS, appimage.as_deref(), appdir.as_deref(), &exe) {
        return;
    }
    let app = app.clone();
    std::thread::spawn(move || {
        use tauri_plugin_deep_link::DeepLinkExt;
        match app.deep_link().register_all() {
            Ok(()) => tracing::info!("qarfield:// links registered for this AppImage"),
            Err(e) => tracing::warn!(
                "could not register qarfield:// links for this AppImage ({e}); invitation links will not open the app, pasting the code still works"
            ),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::registers_scheme_at_start;
    use std::ffi::OsStr;
    use std::path::Path;

    const APPIMAGE: &str = "/home/sam/Downloads/QAR_Field_0.3.0_amd64.AppImage";
    const APPDIR: &str = "/tmp/.mount_QAR_FiAbC123";
    const EXE_IN_APPIMAGE: &str = "/tmp/.mount_QAR_FiAbC123/usr/bin/qar-field";

    fn decide(os: &str, appimage: Option<&str>, appdir: Option<&str>, exe: &str) -> bool {
        registers_scheme_at_start(os, appimage.map(OsStr::new), appdir.map(OsStr::new), Path::new(exe))
    }

    #[test]
    fn an_appimage_on_linux_registers() {
        assert!(decide("linux", Some(APPIMAGE), Some(APPDIR), EXE_IN_APPIMAGE));
    }

    #[test]
    fn an_installed_app_does_not_register_its_installer_did() {
        assert!(!decide("linux", None, None, "/usr/bin/qar-field"));
    }

    #[test]
    fn an_installed_app_started_by_another_appimage_does_not_register() {
        // The other AppImage's variables are inherited, but this binary is not inside it.
        assert!(!decide("linux", Some("/home/sam/Apps/Terminal.AppImage"), Some("/tmp/.mount_TerminXyz"), "/usr/bin/qar-field"));
        // A folder whose name merely starts like the mount point is not inside it either.
        assert!(!decide("linux", Some(APPIMAGE), Some(APPDIR), "/tmp/.mount_QAR_FiAbC123-other/usr/bin/qar-field"));
    }

    #[test]
    fn half_or_relative_appimage_variables_do_not_register() {
        assert!(!decide("linux", Some(APPIMAGE), None, EXE_IN_APPIMAGE));
        assert!(!decide("linux", None, Some(APPDIR), EXE_IN_APPIMAGE));
        assert!(!decide("linux", Some(""), Some(APPDIR), EXE_IN_APPIMAGE));
        assert!(!decide("linux", Some("QAR_Field.AppImage"), Some(APPDIR), EXE_IN_APPIMAGE));
        assert!(!decide("linux", Some(APPIMAGE), Some(""), EXE_IN_APPIMAGE));
    }

    #[test]
    fn other_systems_never_register_at_start() {
        // Their installers register the scheme (NSIS and MSI in the registry, the .app's Info.plist).
        assert!(!decide("windows", Some(APPIMAGE), Some(APPDIR), EXE_IN_APPIMAGE));
        assert!(!decide("macos", Some(APPIMAGE), Some(APPDIR), EXE_IN_APPIMAGE));
    }
}
