//! The only place with SQL. One `Store` over either SQLite or PostgreSQL through sqlx's `Any`
//! driver: queries are written once in the SQL both databases share (numbered `$1` parameters,
//! integer flags, Unix-second times), and the few that differ (full-text search, claiming
//! outbox rows) ask [`Store::backend`]. Each aggregate has its own file.

mod bulk;
mod comments;
mod editors;
mod exports;
mod imports;
mod outbox;
mod panel;
mod posts;
mod readers;
mod rounds;
mod search;
mod sessions;
mod settings;
mod taxonomy;

pub use bulk::{GeneratedAnswer, GeneratedComment, GeneratedPost};
pub use comments::{CommentRow, ModerationRow, NewComment};
pub use editors::EditorRow;
pub use exports::{PublicEntry, PublicTerm};
pub use imports::{
    ImportCounts, WpAnswer, WpAttachment, WpAuthor, WpComment, WpEntry, WpImport, WpTerm,
};
pub use outbox::{retry_delay, MailKind, OutboxCounts, OutboxRow, OutgoingMail, MAX_ATTEMPTS};
pub use panel::{NewPanelist, PanelistRow};
pub use posts::{
    AdminPostRow, AnswerRow, EditNoteRow, NamedAnswerRow, NewPost, Newsletter, PostRow, SitemapPost,
};
pub use rounds::{
    AnswerEdit, AnswerSubmission, InvitationContext, InvitationRow, NewAnswer, NewQuestion,
    NewRound, QuestionRow, RoundRow, RoundSummary,
};
pub use search::{words as search_words, SearchHit, SearchQuery, MATCH_END, MATCH_START};
pub use taxonomy::{Taxonomy, TermRow};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database address as the operator gave it, checked before anything connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file, created on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL server, `postgres://user@host:port/database`.
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH`, `sqlite:PATH`, `postgres://…` and `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::BadUrl(format!(
                    "'{url}' names no file: write sqlite://PATH, for example sqlite://roundtable.db"
                )));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            if sqlx::postgres::PgConnectOptions::from_str(url).is_err() {
                return Err(StoreError::BadUrl(format!(
                    "'{}' is not a PostgreSQL address: write postgres://USER@HOST:PORT/DATABASE",
                    redact(url)
                )));
            }
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        Err(StoreError::BadUrl(format!(
            "'{}' is not a database address Roundtable knows: use sqlite://PATH or postgres://USER@HOST/DATABASE",
            redact(url)
        )))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// The address with any password replaced, safe for logs and error messages.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => redact(url),
        }
    }
}

/// Hides the password of `scheme://user:password@host`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// What can go wrong in the store, worded for the person who can fix it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    BadUrl(String),
    #[error("cannot create the database file {path}: {reason}")]
    Unwritable { path: String, reason: String },
    #[error("cannot reach the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "the database was written by a newer Roundtable (schema version {found}, this program knows up to {known}): \
         install the newer Roundtable, or point --database-url at another database"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("cannot update the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

impl StoreError {
    /// True when a unique constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sql(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database behind the whole program. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects, checking first that the address is reachable and writable. Creates a missing
    /// SQLite file, never a missing PostgreSQL database.
    pub async fn connect(url: &DatabaseUrl) -> StoreResult<Store> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);

        let backend = url.backend();
        let connect_url = match url {
            DatabaseUrl::Sqlite(path) => {
                check_sqlite_path(path)?;
                format!("sqlite://{}?mode=rwc", path.display())
            }
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let options = AnyConnectOptions::from_str(&connect_url)
            .map_err(|e| StoreError::BadUrl(format!("{}: {e}", url.display())))?
            .disable_statement_logging();
        let max_connections = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout makes a
                        // second writer wait its turn instead of failing.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| match (url, &e) {
                (DatabaseUrl::Sqlite(path), _) => StoreError::Unwritable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                },
                (DatabaseUrl::Postgres(_), _) => StoreError::Unreachable {
                    url: url.display(),
                    reason: short_reason(&e),
                },
            })?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest schema version this program knows.
    pub fn known_schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The newest schema version applied to the database, 0 for an empty one.
    pub async fn schema_version(&self) -> StoreResult<i64> {
        let exists: i64 = match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(&self.pool)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
                )
                .fetch_one(&self.pool)
                .await?
            }
        };
        if exists == 0 {
            return Ok(0);
        }
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = $1")
                .bind(true)
                .fetch_one(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }

    /// Applies pending migrations. Refuses, touching nothing, a schema newer than this program.
    pub async fn migrate(&self) -> StoreResult<()> {
        let found = self.schema_version().await?;
        let known = self.known_schema_version();
        if found > known {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Starts a unit of work. On SQLite the write lock is taken at once, so two writers queue
    /// behind the busy timeout instead of failing halfway.
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool itself, for tests that must do what the store API deliberately cannot
    /// (such as planting a schema version from the future).
    #[doc(hidden)]
    pub fn raw_pool_for_tests(&self) -> &AnyPool {
        &self.pool
    }

    /// The counter that changes whenever anything readers see changes.
    pub async fn content_version(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT version FROM content_version WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A unit of work: everything inside commits together or not at all.
pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// `$start, $start+1, …` for an `IN (…)` list of `count` values.
pub(crate) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Marks public content as changed, inside the caller's unit of work.
pub(crate) async fn bump_content_version(tx: &mut Tx) -> StoreResult<()> {
    sqlx::query("UPDATE content_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Refuses a SQLite path whose folder is missing or read-only, before SQLite tries.
fn check_sqlite_path(path: &Path) -> StoreResult<()> {
    let unwritable = |reason: String| StoreError::Unwritable {
        path: path.display().to_string(),
        reason,
    };
    if path.is_dir() {
        return Err(unwritable("it is a folder; name a file inside it".into()));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(unwritable(format!(
            "the folder {} does not exist; create it first",
            folder.display()
        )));
    }
    let probe = if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(|_| ())
    } else {
        let probe = folder.join(format!(".roundtable-write-test-{}", std::process::id()));
        std::fs::write(&probe, b"").and_then(|_| std::fs::remove_file(&probe))
    };
    probe.map_err(|e| unwritable(format!("{e}; choose a writable place with --database-url")))
}

/// The first line of a driver error, without the noise of nested sources.
fn short_reason(e: &sqlx::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// Seconds since the Unix epoch, the one time format the schema uses.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Writes a boolean as the 0/1 integer both databases store.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_addresses_name_a_file() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://roundtable.db").unwrap(),
            DatabaseUrl::Sqlite("roundtable.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:/tmp/x.db?mode=rwc").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn unknown_schemes_are_refused_without_showing_the_password() {
        let err = DatabaseUrl::parse("mysql://me:secret@db/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sqlite://"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn postgres_addresses_hide_their_password() {
        let url = DatabaseUrl::parse("postgres://me:secret@localhost/rt").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        assert_eq!(url.display(), "postgres://me:***@localhost/rt");
    }
}
