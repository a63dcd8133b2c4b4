//! `qar-server --config FILE` (issue 20, decision 56): settings in a TOML file, one key per
//! flag, named as the flag (`listen = "127.0.0.1:8787"`, `allowed-host = ["qar.example.org"]`;
//! `data_dir` is read as `data-dir`). The file's values become the flags' defaults, so a flag on
//! the command line wins over its environment variable, which wins over the file, which wins
//! over the built-in default. A key that names no flag is refused, never ignored: a misspelt
//! setting must not leave the server running on a default nobody chose.

use std::path::{Path, PathBuf};

/// The environment variable naming the file when `--config` is not given.
pub const CONFIG_ENV: &str = "QAR_CONFIG";

/// The `--config` path among the raw arguments (`--config FILE` or `--config=FILE`), else from
/// `QAR_CONFIG`. Read before clap parses, because the file's values are clap's defaults.
pub fn config_path(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// `cmd` with the file's values as the defaults of its flags.
pub fn with_file_defaults(mut cmd: clap::Command, path: &Path) -> Result<clap::Command, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("could not read the configuration file {shown}: {e}"))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| format!("the configuration file {shown} is not valid TOML: {e}"))?;
    let known: Vec<(String, String, bool)> = cmd
        .get_arguments()
        .filter_map(|a| {
            let long = a.get_long()?;
            let many = matches!(a.get_action(), clap::ArgAction::Append);
            Some((long.to_owned(), a.get_id().as_str().to_owned(), many))
        })
        .filter(|(long, _, _)| !matches!(long.as_str(), "config" | "help" | "version"))
        .collect();
    for (key, value) in table {
        let flag = key.replace('_', "-");
        let Some((_, id, many)) = known.iter().find(|(long, _, _)| *long == flag) else {
            let mut names: Vec<&str> = known.iter().map(|(l, _, _)| l.as_str()).collect();
            names.sort_unstable();
            return Err(format!("unknown setting '{key}' in {shown}: the settings are the flags' names ({})", names.join(", ")));
        };
        let values: Vec<String> = match (&value, many) {
            (toml::Value::Array(items), true) => items.iter().map(scalar).collect::<Option<_>>(),
            (toml::Value::Array(_), false) => None,
            (other, _) => scalar(other).map(|v| vec![v]),
        }
        .ok_or_else(|| {
            format!("setting '{key}' in {shown}: give a text, a number or true/false{}", if *many { ", or a list of them" } else { "" })
        })?;
        // clap keeps defaults as &'static str; the file is read once per process.
        let values: Vec<&'static str> = values.into_iter().map(|v| &*Box::leak(v.into_boxed_str())).collect();
        cmd = cmd.mut_arg(id.as_str(), |a| a.default_values(values));
    }
    Ok(cmd)
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction, Command};

    fn cmd() -> Command {
        Command::new("t")
            .arg(Arg::new("listen").long("listen").default_value("127.0.0.1:8787"))
            .arg(Arg::new("data_dir").long("data-dir").default_value("qar-server-data"))
            .arg(Arg::new("allowed_hosts").long("allowed-host").action(ArgAction::Append))
            .arg(Arg::new("demo").long("demo").action(ArgAction::SetTrue))
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn the_file_sits_between_flags_and_defaults_and_unknown_keys_are_refused() {
        let f =
            file("listen = \"0.0.0.0:9000\"\ndata_dir = \"/var/lib/qar\"\nallowed-host = [\"a.example\", \"b.example\"]\ndemo = true\n");
        let m = with_file_defaults(cmd(), f.path()).unwrap().get_matches_from(["t", "--listen", "127.0.0.1:1"]);
        assert_eq!(m.get_one::<String>("listen").unwrap(), "127.0.0.1:1", "a flag wins over the file");
        assert_eq!(m.get_one::<String>("data_dir").unwrap(), "/var/lib/qar", "the file wins over the default");
        assert_eq!(m.get_many::<String>("allowed_hosts").unwrap().collect::<Vec<_>>(), ["a.example", "b.example"]);
        assert!(m.get_flag("demo"));
        let plain = cmd().get_matches_from(["t"]);
        assert_eq!(plain.get_one::<String>("data_dir").unwrap(), "qar-server-data");

        let e = with_file_defaults(cmd(), file("lisen = \"x\"\n").path()).unwrap_err();
        assert!(e.starts_with("unknown setting 'lisen' in") && e.contains("allowed-host, data-dir, demo, listen"), "{e}");
        let e = with_file_defaults(cmd(), file("listen = [\"a\"]\n").path()).unwrap_err();
        assert!(e.contains("setting 'listen'"), "{e}");
        let e = with_file_defaults(cmd(), file("listen = \n").path()).unwrap_err();
        assert!(e.contains("is not valid TOML"), "{e}");
    }

    #[test]
    fn the_path_comes_from_the_flag() {
        let args: Vec<std::ffi::OsString> = ["qar-server", "--listen", "x", "--config", "/etc/qar/server.toml"].map(Into::into).into();
        assert_eq!(config_path(&args), Some(PathBuf::from("/etc/qar/server.toml")));
        let args: Vec<std::ffi::OsString> = ["qar-server", "--config=/x.toml"].map(Into::into).into();
        assert_eq!(config_path(&args), Some(PathBuf::from("/x.toml")));
    }
}
