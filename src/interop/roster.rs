//! The panel roster as CSV, shared by the admin pages and `roundtable panel export|import`.
//! Import matches rows by email: a new address adds a panelist, a known one updates them.
//! Each row that cannot be used is reported with its line number; the others are imported.

use crate::store::{NewPanelist, PanelistRow, Store, StoreError, StoreResult};

/// The roster's columns, in CSV order.
pub const COLUMNS: [&str; 10] = [
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

/// The whole roster as CSV: active panelists, then requests to join, then retired ones.
pub async fn export(store: &Store) -> StoreResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| StoreError::Conflict(format!("cannot write CSV: {e}"));
    writer.write_record(COLUMNS).map_err(csv_error)?;
    for status in ["active", "applied", "retired"] {
        for p in store.panelists(status).await? {
            writer
                .write_record(COLUMNS.iter().map(|c| field_of(&p, c)))
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

/// Imports CSV text with a header row naming at least `name` and `email`.
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
                .map(str::to_string)
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
        let new = NewPanelist {
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
        let result = match store.panelist_by_email(&new.email).await? {
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
