//! The command line as an operator meets it: help, adding an editor, and bad input that must
//! end in one clear line, a non-zero exit and untouched data.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn roundtable(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(args)
        .current_dir(dir)
        .env_remove("ROUNDTABLE_DATABASE_URL")
        .env_remove("ROUNDTABLE_ADDR")
        .env_remove("ROUNDTABLE_BASE_URL")
        .env("ROUNDTABLE_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the roundtable binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Asserts a failure printed as exactly one line that mentions `needle`, with no panic.
fn assert_one_line_error(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "expected failure, got success; stderr: {stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "expected one line, got: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_explains_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable(&["--help"], "", dir.path());
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "user"] {
        assert!(help.contains(command), "{help}");
    }
    let serve = String::from_utf8_lossy(&roundtable(&["serve", "--help"], "", dir.path()).stdout)
        .to_string();
    assert!(
        serve.contains("--demo") && serve.contains("--addr") && serve.contains("--database-url"),
        "{serve}"
    );
    let version = roundtable(&["--version"], "", dir.path());
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_unknown_flag_is_one_line_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable(&["serve", "--colour"], "", dir.path());
    assert_one_line_error(&out, "--colour");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--help"));
}

#[test]
fn a_malformed_database_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable(
        &["migrate", "--database-url", "mysql://root:hunter2@db/x"],
        "",
        dir.path(),
    );
    assert_one_line_error(&out, "sqlite://");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("hunter2"),
        "passwords are never printed"
    );
}

#[test]
fn an_unwritable_database_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable(
        &[
            "migrate",
            "--database-url",
            "sqlite:///no/such/folder/rt.db",
        ],
        "",
        dir.path(),
    );
    assert_one_line_error(&out, "does not exist");
}

#[test]
fn an_unreachable_postgres_server_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // Port 9 (discard) has nothing listening on this machine.
    let out = roundtable(
        &[
            "migrate",
            "--database-url",
            "postgres://nobody@127.0.0.1:9/none",
        ],
        "",
        dir.path(),
    );
    assert_one_line_error(&out, "cannot reach the database");
}

#[test]
fn a_port_in_use_is_reported_and_the_database_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    assert!(roundtable(&["migrate"], "", dir.path()).status.success());
    let before = std::fs::read(dir.path().join("roundtable.db")).unwrap();
    let out = roundtable(
        &["serve", "--addr", &addr, "--base-url", "http://127.0.0.1"],
        "",
        dir.path(),
    );
    assert_one_line_error(&out, "--addr");
    assert_eq!(
        std::fs::read(dir.path().join("roundtable.db")).unwrap(),
        before
    );
}

#[test]
fn adding_an_editor_reads_the_password_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable(
        &["user", "add", "ed@example.org"],
        "a long enough password\n",
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ed@example.org"));
    let again = roundtable(
        &["user", "add", "ed@example.org"],
        "a long enough password\n",
        dir.path(),
    );
    assert_one_line_error(&again, "already exists");
}

#[test]
fn a_missing_password_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_one_line_error(
        &roundtable(&["user", "add", "ed@example.org"], "", dir.path()),
        "no password",
    );
    assert_one_line_error(
        &roundtable(&["user", "add", "ed@example.org"], "short\n", dir.path()),
        "too short",
    );
    assert_one_line_error(
        &roundtable(
            &["user", "add", "not-an-address"],
            "whatever it is\n",
            dir.path(),
        ),
        "email",
    );
}

#[tokio::test]
async fn a_database_from_a_newer_roundtable_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roundtable.db");
    let store = roundtable::cli::open_store(&roundtable::store::DatabaseUrl::Sqlite(db.clone()))
        .await
        .unwrap();
    let future = store.known_schema_version() + 1;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from the future', $2, $3, 0)",
    )
    .bind(future)
    .bind(true)
    .bind(vec![0u8; 48])
    .execute(store.raw_pool_for_tests())
    .await
    .unwrap();
    // Fold the write-ahead log into the file, so the file alone holds the database.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    store.close().await;
    let before = std::fs::read(&db).unwrap();
    let out = roundtable(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--base-url",
            "http://127.0.0.1",
        ],
        "",
        dir.path(),
    );
    assert_one_line_error(&out, "newer Roundtable");
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the database file changed"
    );
}

#[test]
fn an_editors_password_can_be_replaced_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = roundtable(
        &["user", "password", "nobody@example.org"],
        "a long enough password\n",
        dir.path(),
    );
    assert_one_line_error(&unknown, "user add");
    let added = roundtable(
        &["user", "add", "ed@example.org"],
        "a long enough password\n",
        dir.path(),
    );
    assert!(added.status.success());
    let changed = roundtable(
        &["user", "password", "ed@example.org"],
        "another long password\n",
        dir.path(),
    );
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    assert!(String::from_utf8_lossy(&changed.stdout).contains("changed"));
}

#[test]
fn generate_refuses_an_absurd_size_in_one_line_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable(
        &[
            "--database-url",
            "sqlite://g.db",
            "generate",
            "--posts",
            "5000000",
        ],
        "",
        dir.path(),
    );
    assert_one_line_error(&out, "at most 1000000");
    assert!(!dir.path().join("g.db").exists());
}

#[test]
fn generate_refuses_a_database_with_a_column_unless_appending() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--database-url",
        "sqlite://g.db",
        "generate",
        "--posts",
        "2",
    ];
    let first = roundtable(&args, "", dir.path());
    assert!(first.status.success(), "{first:?}");
    assert!(String::from_utf8_lossy(&first.stdout).contains("generated 2 posts"));
    let again = roundtable(&args, "", dir.path());
    assert_one_line_error(&again, "--append");
    let mut append = args.to_vec();
    append.push("--append");
    let appended = roundtable(&append, "", dir.path());
    assert!(appended.status.success(), "{appended:?}");
}

#[test]
fn panel_erase_removes_a_panelist_and_names_an_unknown_address_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let roster =
        "name,email,title,status\nAna Named,ana@panel.example.org,Head of Circulation,active\n";
    std::fs::write(dir.path().join("roster.csv"), roster).unwrap();
    assert!(
        roundtable(&["panel", "import", "roster.csv"], "", dir.path())
            .status
            .success()
    );
    let unknown = roundtable(
        &[
            "panel",
            "erase",
            "nobody@example.org",
            "--answers",
            "anonymous",
        ],
        "",
        dir.path(),
    );
    assert_one_line_error(&unknown, "No panelist has the address nobody@example.org");
    let erased = roundtable(
        &[
            "panel",
            "erase",
            "ana@panel.example.org",
            "--answers",
            "remove",
        ],
        "",
        dir.path(),
    );
    let said = String::from_utf8_lossy(&erased.stdout);
    assert!(
        erased.status.success(),
        "{}",
        String::from_utf8_lossy(&erased.stderr)
    );
    assert!(
        said.starts_with("erased ana@panel.example.org: 0 answers removed"),
        "{said}"
    );
    assert!(
        said.contains("backups made before still hold them"),
        "{said}"
    );
    assert!(roundtable(&["panel", "export", "out.csv"], "", dir.path())
        .status
        .success());
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(!out.contains("ana@"), "{out}");
}
