//! SQL error messages a database driver wrote into a response: MySQL /
//! MariaDB, PostgreSQL, Microsoft SQL Server, Oracle, SQLite and the
//! JDBC / ODBC / PDO layers above them.
//!
//! Each rule is a whole message shape, never a single word: a phrase only
//! the driver prints (`You have an error in your SQL syntax`), or a code
//! with its punctuation (`ORA-00933:`, `SQLSTATE[42000]`,
//! `ERROR 1064 (42000)`, `near "x": syntax error`). A match runs to the end
//! of its line (at most [`LINE`] bytes), so masking hides the query
//! fragment the message quotes too.

use super::shape::{digits, line_end, run_of, WORD};
use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{find, find_ci};

/// Longest message line a match covers.
const LINE: usize = 256;

/// Phrases (ASCII, lowercase; matched case-insensitively) and their rule.
const PHRASES: &[(&[u8], &str)] = &[
    (
        b"you have an error in your sql syntax",
        "response.sql_error.mysql",
    ),
    (
        b"check the manual that corresponds to your mysql",
        "response.sql_error.mysql",
    ),
    (
        b"check the manual that corresponds to your mariadb",
        "response.sql_error.mysql",
    ),
    (
        b"error:  syntax error at or near",
        "response.sql_error.postgresql",
    ),
    (
        b"unterminated quoted string at or near",
        "response.sql_error.postgresql",
    ),
    (b"pg_query(): query failed", "response.sql_error.postgresql"),
    (
        b"org.postgresql.util.psqlexception",
        "response.sql_error.postgresql",
    ),
    (
        b"unclosed quotation mark after the character string",
        "response.sql_error.mssql",
    ),
    (
        b"microsoft ole db provider for sql server",
        "response.sql_error.mssql",
    ),
    (
        b"[microsoft][odbc sql server driver]",
        "response.sql_error.mssql",
    ),
    (
        b"system.data.sqlclient.sqlexception",
        "response.sql_error.mssql",
    ),
    (
        b"quoted string not properly terminated",
        "response.sql_error.oracle",
    ),
    (b"sqlite3.operationalerror:", "response.sql_error.sqlite"),
    (b"sqlite3::sqlexception", "response.sql_error.sqlite"),
    (b"java.sql.sqlexception:", "response.sql_error.jdbc"),
    (
        b"java.sql.sqlsyntaxerrorexception:",
        "response.sql_error.jdbc",
    ),
    (b"[odbc driver manager]", "response.sql_error.odbc"),
];

/// Appends the SQL error messages in `hay`.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    for &(phrase, rule) in PHRASES {
        let mut from = 0;
        while out.len() < MAX_HITS {
            let Some(at) = hay.get(from..).and_then(|h| find_ci(h, phrase)) else {
                break;
            };
            let start = from + at;
            push(hay, out, rule, start, start + phrase.len());
            from = start + phrase.len();
        }
    }
    coded(hay, out, b"ORA-", oracle, "response.sql_error.oracle");
    coded(hay, out, b"SQLSTATE[", sqlstate, "response.sql_error.pdo");
    coded(hay, out, b"ERROR ", mysql_code, "response.sql_error.mysql");
    coded(
        hay,
        out,
        b"near \"",
        sqlite_near,
        "response.sql_error.sqlite",
    );
}

/// A match from `start` to the end of its line, decided at `decided`.
fn push(hay: &[u8], out: &mut Vec<Leak>, rule: &'static str, start: usize, decided: usize) {
    let end = line_end(hay, start, LINE).max(decided);
    out.push(Leak::new(LeakKind::SqlError, rule, start, end).decided_at(decided));
}

/// Every `anchor` (case-sensitive: drivers print these codes as written)
/// whose text after it passes `shape` is a match.
fn coded(
    hay: &[u8],
    out: &mut Vec<Leak>,
    anchor: &[u8],
    shape: fn(&[u8], usize) -> Option<usize>,
    rule: &'static str,
) {
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(at) = find(hay, from, anchor) else {
            return;
        };
        let after = at + anchor.len();
        let word_before = at > 0 && hay.get(at - 1).is_some_and(|&b| WORD.contains(b));
        if let Some(decided) = shape(hay, after).filter(|_| !word_before) {
            push(hay, out, rule, at, decided);
        }
        from = after;
    }
}

/// `ORA-` then five digits and `:` (`ORA-01756: quoted string …`).
fn oracle(hay: &[u8], i: usize) -> Option<usize> {
    (digits(hay, i, 6) == i + 5 && hay.get(i + 5) == Some(&b':')).then_some(i + 6)
}

/// `SQLSTATE[` then five letters or digits and `]` (PDO, also ODBC's
/// `SQLSTATE=`-free form) followed by `:` (`SQLSTATE[42000]: Syntax error`).
fn sqlstate(hay: &[u8], i: usize) -> Option<usize> {
    (run_of(hay, i, 6, &WORD) == i + 5
        && hay.get(i + 5) == Some(&b']')
        && hay.get(i + 6) == Some(&b':'))
    .then_some(i + 7)
}

/// `ERROR ` then a four-digit code and a five-character SQLSTATE in
/// parentheses (`ERROR 1064 (42000): You have …`), the mysql client's form.
fn mysql_code(hay: &[u8], i: usize) -> Option<usize> {
    (digits(hay, i, 5) == i + 4
        && hay.get(i + 4..i + 6) == Some(b" (")
        && run_of(hay, i + 6, 6, &WORD) == i + 11
        && hay.get(i + 11) == Some(&b')'))
    .then_some(i + 12)
}

/// `near "` then a token of at most 64 bytes and `": syntax error`
/// (SQLite's message).
fn sqlite_near(hay: &[u8], i: usize) -> Option<usize> {
    let close = hay.get(i..)?.iter().take(65).position(|&b| b == b'"')?;
    (hay.get(i + close..i + close + 15) == Some(b"\": syntax error")).then_some(i + close + 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(hay: &[u8]) -> Vec<&'static str> {
        let mut out = Vec::new();
        scan(hay, &mut out);
        out.iter().map(|l| l.rule).collect()
    }

    #[test]
    fn driver_messages() {
        let cases: &[(&[u8], &str)] = &[
            (b"You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version", "response.sql_error.mysql"),
            (b"ERROR 1064 (42000): bad", "response.sql_error.mysql"),
            (b"ERROR:  syntax error at or near \"'\"", "response.sql_error.postgresql"),
            (b"Unclosed quotation mark after the character string ''.", "response.sql_error.mssql"),
            (b"<b>ORA-01756: quoted string not properly terminated</b>", "response.sql_error.oracle"),
            (b"SQLSTATE[42000]: Syntax error or access violation", "response.sql_error.pdo"),
            (b"Error: near \"'\": syntax error", "response.sql_error.sqlite"),
            (b"java.sql.SQLSyntaxErrorException: ORA-00933", "response.sql_error.jdbc"),
            (b"[ODBC Driver Manager] Data source name not found", "response.sql_error.odbc"),
        ];
        for (hay, rule) in cases {
            assert!(
                rules(hay).contains(rule),
                "{}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    #[test]
    fn words_alone_are_not_messages() {
        for hay in [
            &b"Our SQL syntax guide explains errors; see the manual."[..],
            b"ORA-123 is a flight number; KORA-12345: no",
            b"ERROR 404 (not found)",
            b"SQLSTATE is a five-character code",
            b"the house near \"the lake\" is for sale",
        ] {
            assert!(rules(hay).is_empty(), "{}", String::from_utf8_lossy(hay));
        }
    }

    #[test]
    fn the_match_runs_to_the_end_of_the_line() {
        let hay = b"x\nORA-00933: SQL command not properly ended\nnext";
        let mut out = Vec::new();
        scan(hay, &mut out);
        assert_eq!(
            &hay[out[0].start..out[0].end],
            b"ORA-00933: SQL command not properly ended"
        );
    }
}
