//! The panel roster as CSV, shared by the admin pages and `roundtable panel export|import`.
//! Import matches rows by email: a new address adds a panelist, a known one updates them.
//! Each row that cannot be used is reported with its line number; the others are imported.
//! A cell a spreadsheet would run as a formula (CSV injection) is written with a leading `'`,
//! which import takes off again, so a roster survives export and import unchanged.

use crate::store::{NewPanelist, PanelistRow, Store, StoreError, StoreResult};

/// The roster's columns, in CSV order.
pub const COLUMNS: [&str; 12] = [
    "name",
    "email",
    "pronouns",
    "title",
    "department",
    "institution",
    "city",
    "library_type",
    "region",
    "status",
    "photo_credit",
    "photo_alt",
];

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RosterReport {
    pub added: usize,
    pub updated: usize,
    /// "Line 4: no name; skipped.", one for each row not imported.
    pub problems: Vec<String>,
}

impl RosterReport {
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} skipped.",
            self.added,
            self.updated,
            self.problems.len()
        )
    }
}

/// A panelist's value for a roster column or form field, empty when unset.
pub fn field_of(p: &PanelistRow, name: &str) -> String {
    let value = match name {
        "name" => Some(&p.name),
        "email" => Some(&p.email),
        "pronouns" => p.pronouns.as_ref(),
        "title" => p.title.as_ref(),
        "department" => p.department.as_ref(),
        "institution" => p.institution.as_ref(),
        "city" => p.city.as_ref(),
        "library_type" => p.library_type.as_ref(),
        "region" => p.region.as_ref(),
        "role_description" => p.role_description.as_ref(),
        "bio" => p.bio.as_ref(),
        "status" => Some(&p.status),
        "photo_credit" => p.photo_credit.as_ref(),
        "photo_alt" => p.photo_alt.as_ref(),
        _ => None,
    };
    value.cloned().unwrap_or_default()
}

/// `applied`, `active` or `retired`, as the static string the store takes.
pub fn status_of(text: &str) -> Option<&'static str> {
    ["applied", "active", "retired"]
        .into_iter()
        .find(|s| *s == text)
}

/// What starts a formula in a spreadsheet (OWASP's list for CSV injection): a roster opened
/// in one must not run `=HYPERLINK(…)` typed into a join form.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when the cell, past any quotes it starts with, starts like a formula. Quotes are
/// skipped so that a value which itself starts with `'=` gets a quote of its own on export:
/// import takes one quote off, and the value comes back whole.
fn formula_like(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell as the export writes it: `'` in front of one that would be a formula, which makes
/// spreadsheets show it as the text it is.
fn neutralised(cell: String) -> String {
    if formula_like(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as import stores it: the quote [`neutralised`] added taken off again. A quote
/// before anything else (`'80s`) is part of the value and stays.
fn restored(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// The whole roster as CSV: active panelists, then requests to join, then retired ones.
/// Cells that would be formulas in a spreadsheet start with `'`.
pub async fn export(store: &Store) -> StoreResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| StoreError::Conflict(format!("cannot write CSV: {e}"));
    writer.write_record(COLUMNS).map_err(csv_error)?;
    for status in ["active", "applied", "retired"] {
        for p in store.panelists(status).await? {
            writer
                .write_record(COLUMNS.iter().map(|c| neutralised(field_of(&p, c))))
                .map_err(csv_error)?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| StoreError::Conflict(format!("cannot write CSV: {e}")))
}

/// Explains a refused row in the editor's words, or passes on a real failure.
fn refusal(e: StoreError) -> StoreResult<String> {
    match e {
        StoreError::Conflict(message) => Ok(message),
        e if e.is_unique_violation() => {
            Ok("another panelist already has that email address".into())
        }
        e => Err(e),
    }
}

/// Imports CSV text with a header row naming at least `name` and `email`. A cell the export
/// guarded against formulas (`'=…`, `'+…` and so on) loses that first quote.
pub async fn import(store: &Store, text: &str) -> StoreResult<RosterReport> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut report = RosterReport::default();
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(str::to_lowercase).collect::<Vec<_>>(),
        Err(e) => {
            report
                .problems
                .push(format!("The header row could not be read: {e}"));
            return Ok(report);
        }
    };
    let missing: Vec<&str> = ["name", "email"]
        .into_iter()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        report.problems.push(format!(
            "The header row needs the columns {}.",
            missing.join(" and ")
        ));
        return Ok(report);
    }
    let library_types: Vec<String> = store
        .library_types()
        .await?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(format!("Line {line}: {e}; skipped."));
                continue;
            }
        };
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(|v| restored(v).to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(name) = get("name") else {
            report
                .problems
                .push(format!("Line {line}: no name; skipped."));
            continue;
        };
        let library_type = get("library_type");
        if let Some(t) = library_type.as_ref().filter(|t| !library_types.contains(t)) {
            report.problems.push(format!(
                "Line {line}: '{t}' is not a library type ({}); skipped.",
                library_types.join(", ")
            ));
            continue;
        }
        let known = store
            .panelist_by_email(&get("email").unwrap_or_default())
            .await?;
        // The photo's words: from the row when the roster has their column, else as they were
        // (an upload is never touched by an import).
        let has = |name: &str| headers.iter().any(|h| h == name);
        let kept = |column: &str, current: fn(&PanelistRow) -> &Option<String>| {
            if has(column) {
                get(column)
            } else {
                known.as_ref().and_then(|p| current(p).clone())
            }
        };
        let new = NewPanelist {
            photo_url: known.as_ref().and_then(|p| p.photo_url.clone()),
            photo_credit: kept("photo_credit", |p| &p.photo_credit),
            photo_alt: kept("photo_alt", |p| &p.photo_alt),
            name,
            email: get("email").unwrap_or_default(),
            pronouns: get("pronouns"),
            title: get("title"),
            department: get("department"),
            institution: get("institution"),
            city: get("city"),
            library_type,
            region: get("region"),
            status: get("status")
                .as_deref()
                .and_then(status_of)
                .unwrap_or("active"),
            ..NewPanelist::default()
        };
        let result = match known {
            Some(p) => store.update_panelist(p.id, &new).await.map(|_| false),
            None => store.create_panelist(&new).await.map(|_| true),
        };
        match result {
            Ok(true) => report.added += 1,
            Ok(false) => report.updated += 1,
            Err(e) => report
                .problems
                .push(format!("Line {line}: {}; skipped.", refusal(e)?)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_get_a_quote_on_export() {
        for cell in [
            "=HYPERLINK(\"http://evil.example\")",
            "+1 555 0100",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=already quoted",
            "''@twice",
        ] {
            assert_eq!(neutralised(cell.into()), format!("'{cell}"), "{cell:?}");
        }
        for cell in [
            "Jan Smith",
            "",
            "'80s music",
            "a=b",
            "x-y",
            "jan@example.org",
            "'",
        ] {
            assert_eq!(neutralised(cell.into()), cell, "{cell:?}");
        }
    }

    #[test]
    fn import_takes_the_export_quote_off_and_nothing_else() {
        assert_eq!(restored("'=1+2"), "=1+2");
        assert_eq!(restored("'@home"), "@home");
        assert_eq!(restored("'\tx"), "\tx");
        assert_eq!(restored("''=x"), "'=x");
        // Quotes that are part of the value, and formulas as they were typed, stay.
        assert_eq!(restored("'80s music"), "'80s music");
        assert_eq!(restored("'"), "'");
        assert_eq!(restored("=1+2"), "=1+2");
    }

    #[test]
    fn every_value_survives_export_then_import() {
        for value in [
            "=1+2", "'=1+2", "''=1+2", "'", "''", "'80s", "-", "@", "\t=", "plain", "",
        ] {
            assert_eq!(restored(&neutralised(value.into())), value, "{value:?}");
        }
    }
}
