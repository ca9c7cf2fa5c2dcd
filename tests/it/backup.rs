//! `roundtable backup` and `roundtable restore`, run as an operator would, on both databases:
//! a restored database holds exactly what was backed up.

use std::process::Command;

use roundtable::store::{Backend, DatabaseUrl, Store};

use crate::helpers::TestDb;

async fn counts(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "posts",
        "answers",
        "comments",
        "panelists",
        "questions",
        "editors",
        "search_documents",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(store.raw_pool_for_tests())
            .await
            .unwrap();
        out.push(n);
    }
    out
}

pub fn url_text(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(address) => address.clone(),
    }
}

fn roundtable(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(args)
        .env("ROUNDTABLE_LOG", "off")
        .output()
        .expect("the roundtable binary runs")
}

async fn a_restored_backup_holds_what_was_backed_up(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    roundtable::demo::load(&store).await.unwrap();
    let before = counts(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("column.backup");
    let url = url_text(&db.url);
    // The backup is taken while the database is in use.
    let out = roundtable(&["backup", file.to_str().unwrap(), "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = roundtable(&["backup", file.to_str().unwrap(), "--database-url", &url]);
    assert!(
        !again.status.success()
            && String::from_utf8_lossy(&again.stderr).contains("already exists")
    );

    sqlx::query("DELETE FROM comments")
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    assert_ne!(counts(&store).await, before);
    store.close().await;

    let out = roundtable(&["restore", file.to_str().unwrap(), "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored = db.store().await;
    assert_eq!(counts(&restored).await, before);
    restored.close().await;
}

#[tokio::test]
async fn a_restored_backup_holds_what_was_backed_up_on_sqlite() {
    a_restored_backup_holds_what_was_backed_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_restored_backup_holds_what_was_backed_up_on_postgres() {
    a_restored_backup_holds_what_was_backed_up(Backend::Postgres).await;
}

#[test]
fn restoring_something_that_is_not_a_backup_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("notes.txt");
    std::fs::write(&bogus, "not a database").unwrap();
    let target = dir.path().join("rt.db");
    let out = roundtable(&[
        "restore",
        bogus.to_str().unwrap(),
        "--database-url",
        &format!("sqlite://{}", target.display()),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(!target.exists(), "nothing was written");
}
