//! The store's statements are written in the SQL both databases accept. Where SQLite's and
//! PostgreSQL's spelling of the same thing differ, the statement is written SQLite's way and
//! rewritten here for PostgreSQL, once per distinct statement (the result is cached):
//! - parameters: `?1` → `$1`, and a bare `?` → the next number;
//! - `INSERT OR IGNORE INTO …` → `INSERT INTO … ON CONFLICT DO NOTHING`;
//! - `json_each(doc)` → `qar_json_each(doc)` (the elements of a JSON array as text, as SQLite's
//!   `value` column gives them; PostgreSQL's own `json_each` is of objects);
//! - `instr(text, part)` → `strpos(text, part)`;
//! - `LIKE` → `ILIKE` (SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's does not).
//!
//! Text inside quotes ('…' and "…") is never rewritten.

/// The PostgreSQL form of a statement written for SQLite.
pub fn to_postgres(sql: &str) -> String {
    let (sql, ignore) = strip_or_ignore(sql);
    let mut out = String::with_capacity(sql.len() + 24);
    let mut next = 0u32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            c if c.is_ascii_alphabetic() && !out.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_') => {
                let mut word = String::from(c);
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_alphanumeric() || **d == '_') {
                    word.push(*d);
                    chars.next();
                }
                out.push_str(match word.to_ascii_lowercase().as_str() {
                    "json_each" if chars.peek() == Some(&'(') => "qar_json_each",
                    "instr" if chars.peek() == Some(&'(') => "strpos",
                    "like" => "ILIKE",
                    _ => &word,
                });
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                } else if let Ok(n) = digits.parse::<u32>() {
                    next = next.max(n);
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    if ignore {
        add_on_conflict_do_nothing(&mut out);
    }
    out
}

/// `INSERT OR IGNORE` → `INSERT`, and whether it was there.
fn strip_or_ignore(sql: &str) -> (String, bool) {
    let upper = sql.to_ascii_uppercase();
    match upper.find("INSERT OR IGNORE") {
        Some(at) => (format!("{}{}", &sql[..at + "INSERT".len()], &sql[at + "INSERT OR IGNORE".len()..]), true),
        None => (sql.to_owned(), false),
    }
}

/// Adds `ON CONFLICT DO NOTHING` at the end of the statement, before a `RETURNING`.
fn add_on_conflict_do_nothing(sql: &mut String) {
    let trimmed = sql.trim_end().trim_end_matches(';').len();
    sql.truncate(trimmed);
    match sql.to_ascii_uppercase().rfind(" RETURNING ") {
        Some(at) => sql.insert_str(at, " ON CONFLICT DO NOTHING"),
        None => sql.push_str(" ON CONFLICT DO NOTHING"),
    }
}

#[cfg(test)]
mod tests {
    use super::to_postgres;

    #[test]
    fn numbered_and_bare_parameters_are_numbered_for_postgres() {
        assert_eq!(to_postgres("SELECT a FROM t WHERE b = ?1 AND c = ?12"), "SELECT a FROM t WHERE b = $1 AND c = $12");
        assert_eq!(to_postgres("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"), "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
    }

    #[test]
    fn quoted_text_is_left_alone() {
        assert_eq!(
            to_postgres("SELECT json_extract(f, '$.a?1') FROM \"t?\" WHERE x = ?1"),
            "SELECT json_extract(f, '$.a?1') FROM \"t?\" WHERE x = $1"
        );
    }

    #[test]
    fn sqlite_functions_and_like_take_their_postgresql_names() {
        assert_eq!(
            to_postgres("SELECT 1 FROM t WHERE h IN (SELECT value FROM json_each(?1)) AND instr(s, ?2) > 0 AND n LIKE ?3"),
            "SELECT 1 FROM t WHERE h IN (SELECT value FROM qar_json_each($1)) AND strpos(s, $2) > 0 AND n ILIKE $3"
        );
        assert_eq!(to_postgres("SELECT json_each_x, likely, 'like' FROM t"), "SELECT json_each_x, likely, 'like' FROM t");
    }

    #[test]
    fn insert_or_ignore_becomes_on_conflict_do_nothing() {
        assert_eq!(to_postgres("INSERT OR IGNORE INTO t(a) VALUES (?1)"), "INSERT INTO t(a) VALUES ($1) ON CONFLICT DO NOTHING");
        assert_eq!(
            to_postgres("insert or ignore into t(a) values (?1) RETURNING a;"),
            "insert into t(a) values ($1) ON CONFLICT DO NOTHING RETURNING a"
        );
    }
}
