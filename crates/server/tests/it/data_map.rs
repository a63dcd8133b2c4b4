//! The data map (`docs/data-protection.md`, issue 24) lists every column of both stores. This
//! applies every migration file of the server and of the laptop, in order, to an in-memory
//! SQLite database, reads each table's columns from SQLite itself (`pragma_table_info`), and
//! fails on a column the map does not list, naming it and the file to update, or on a listed
//! column that no longer exists.

use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const MAP_FILE: &str = "docs/data-protection.md";
/// The fence that opens the machine-readable list in the map.
const FENCE: &str = "```data-map";
/// How each column is classed in the map.
const CLASSES: [&str; 4] = ["personal", "free-text", "pseudonymous", "none"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every migration file of a store folder, in number order.
fn migration_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no migrations in {}", dir.display());
    files
}

/// `store.table.column` for every column of every table the migrations make. FTS5 shadow
/// tables (`<fts>_data`, `_idx`, `_docsize`, `_config`, `_content`) are SQLite's own storage of
/// the index, whose columns are listed under the virtual table.
fn columns(store: &str, dir: &Path) -> BTreeSet<String> {
    let conn = Connection::open_in_memory().unwrap();
    for file in migration_files(dir) {
        let sql = std::fs::read_to_string(&file).unwrap();
        conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{} does not apply: {e}", file.display()));
    }
    let mut tables =
        conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").unwrap();
    let tables: Vec<(String, String)> = tables
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let virtual_tables: Vec<&str> =
        tables.iter().filter(|(_, sql)| sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE")).map(|(n, _)| n.as_str()).collect();
    let mut out = BTreeSet::new();
    for (table, _) in &tables {
        let shadow = virtual_tables.iter().any(|v| table.starts_with(&format!("{v}_")));
        if shadow {
            continue;
        }
        // table_xinfo also lists generated columns, which hold data too.
        let mut cols = conn.prepare("SELECT name FROM pragma_table_xinfo(?1)").unwrap();
        for col in cols.query_map([table], |r| r.get::<_, String>(0)).unwrap() {
            out.insert(format!("{store}.{table}.{}", col.unwrap()));
        }
    }
    out
}

/// The columns the map lists, from its fenced `data-map` block: one `store.table.column class`
/// per line.
fn listed() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo_root().join(MAP_FILE)).unwrap();
    let block = text.split_once(FENCE).unwrap_or_else(|| panic!("{MAP_FILE} has no {FENCE} block")).1;
    let block = block.split_once("```").expect("the data-map block is not closed").0;
    let mut out = BTreeSet::new();
    for line in block.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(class), None) = (parts.next(), parts.next(), parts.next()) else {
            panic!("{MAP_FILE}: '{line}' is not 'store.table.column class'");
        };
        assert!(CLASSES.contains(&class), "{MAP_FILE}: '{line}' has class '{class}', not one of {CLASSES:?}");
        assert!(out.insert(name.to_owned()), "{MAP_FILE}: {name} is listed twice");
    }
    out
}

#[test]
fn every_column_of_both_stores_is_in_the_data_map() {
    let root = repo_root();
    let mut actual = columns("server", &root.join("crates/server/src/store/migrations"));
    actual.extend(columns("laptop", &root.join("crates/client/src/store/migrations")));
    let listed = listed();
    let missing: Vec<_> = actual.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&actual).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "{MAP_FILE} is out of step with the migrations.\n\
         Columns the migrations make that the map does not list (add each to the data-map block \
         with its class, and describe it in the tables above if it holds personal data):\n  {}\n\
         Columns the map lists that no migration makes (remove them):\n  {}",
        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        stale.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
    );
}
