//! The only place with SQL. One `Store` over either SQLite or PostgreSQL through sqlx's `Any`
//! driver: queries are written once in the SQL both databases share (numbered `$1` parameters,
//! integer flags, Unix-second times), and the few that differ (full-text search, claiming
//! outbox rows) ask [`Store::backend`]. Each aggregate has its own file.

mod answers;
mod bulk;
mod comments;
mod editors;
mod erasure;
mod exports;
mod forms;
mod imports;
mod media;
mod outbox;
mod panel;
mod posts;
mod projection;
mod proposals;
mod readers;
mod revisions;
mod rounds;
mod search;
mod series;
mod sessions;
mod settings;
mod taxonomy;
mod withdrawals;
mod writing;
mod yours;

pub use answers::AnswerRow;
pub use bulk::{GeneratedAnswer, GeneratedComment, GeneratedPost};
pub use comments::{CommentRow, FeedCommentRow, ModerationRow, NewComment};
pub use editors::EditorRow;
pub use erasure::{ErasedAnswers, Erasure};
pub use exports::{PublicEntry, PublicTerm};
pub use imports::{
    ImportCounts, WpAnswer, WpAttachment, WpAuthor, WpComment, WpEntry, WpImporter, WpTerm,
};
pub use media::{media_path, MediaFile, PhotoSet};
pub use outbox::{retry_delay, MailKind, OutboxCounts, OutboxRow, OutgoingMail, MAX_ATTEMPTS};
pub use panel::{NewPanelist, PanelistRow};
pub use posts::{
    AdminPostRow, EditNoteRow, NamedAnswerRow, NewPost, Newsletter, NoteRow, PostKind, PostList,
    PostRow, SitemapPost,
};
pub use projection::{answer_anchor, PublicAnswerRow};
pub use proposals::{Decision, ProposalRow, PublishedAnswer};
pub use revisions::{RevisionRow, Snapshot, SnapshotAnswer};
pub use rounds::{
    AnswerEdit, AnswerSubmission, InvitationContext, InvitationMail, InvitationRow, NewAnswer,
    NewQuestion, NewRound, QuestionRow, RoundRow, RoundSummary,
};
pub use search::{words as search_words, SearchHit, SearchQuery, MATCH_END, MATCH_START};
pub use series::{SeriesRow, SeriesStyle};
pub use sessions::{SessionRow, SignInPlace};
pub use taxonomy::{Taxonomy, TermRow};
pub use writing::{PostDraft, Retired};
pub use yours::YourAnswerRow;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

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

    /// True when the database could not be reached or stopped answering: the server is down
    /// or restarting, the connection was cut, or (SQLite) another writer held the lock past
    /// the busy timeout. Nothing was saved, and the same request may work in a moment; the
    /// pool replaces dead connections by itself.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unreachable { .. } => true,
            StoreError::Sql(e) => match e {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db) => {
                    if let Some(e) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                        // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
                        matches!(sqlite_primary_code(e), Some(5 | 6))
                    } else if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                    {
                        let code = e.code();
                        // Class 08: connection exception; 57P01-57P03: the server is shutting
                        // down, crashed, or not accepting connections yet; 53300: too many
                        // connections.
                        code.starts_with("08")
                            || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
                    } else {
                        false
                    }
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// True when the database has no room left to write: the disk is full (SQLite's
    /// SQLITE_FULL, PostgreSQL's `disk_full`). Reads still work; writes work again once space
    /// is freed, without a restart.
    pub fn is_storage_full(&self) -> bool {
        let StoreError::Sql(sqlx::Error::Database(db)) = self else {
            return false;
        };
        if let Some(e) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
            sqlite_primary_code(e) == Some(13)
        } else if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            e.code() == "53100"
        } else {
            false
        }
    }
}

/// The primary result code of a SQLite error (the low byte of its extended code).
fn sqlite_primary_code(e: &sqlx::sqlite::SqliteError) -> Option<i64> {
    use sqlx::error::DatabaseError;
    e.code()?.parse::<i64>().ok().map(|code| code & 0xff)
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database behind the whole program. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    versions: Arc<VersionCache>,
}

/// How long this process trusts the content version it last read when it has written nothing
/// since: the bound on how stale a page can be after another process (a second `serve`, a
/// command-line import) changed the database. Writes of this process are seen at once.
pub const VERSION_TTL: Duration = Duration::from_millis(250);

/// The content version as last read, so that a page served from the cache costs no query.
#[derive(Default)]
struct VersionCache {
    /// Changes whenever a unit of work of this process starts or ends.
    epoch: AtomicU64,
    /// Units of work in progress: while one is open, the version is always read afresh.
    open: AtomicUsize,
    /// `(version, when it was read, epoch at the time)`.
    last: Mutex<Option<(i64, Instant, u64)>>,
    /// The settings (settings changes bump the version).
    settings: PerVersion<Settings>,
    /// The tags and the categories in use, with their counts: every search page lists the
    /// tags, and counting them reads every tagged post.
    used_tags: PerVersion<UsedTerms>,
    used_categories: PerVersion<UsedTerms>,
    /// The panelists with a public page: each has a page and two feeds, and the static export
    /// asks for all of them.
    public_panelists: PerVersion<Arc<[PanelistRow]>>,
}

/// A value as read at one content version, shared until the version changes.
struct PerVersion<T>(Mutex<Option<(i64, T)>>);

impl<T> Default for PerVersion<T> {
    fn default() -> Self {
        PerVersion(Mutex::new(None))
    }
}

/// Terms with how many published posts each files.
pub type UsedTerms = Arc<[(TermRow, i64)]>;

/// The site's settings by name, shared read-only.
pub type Settings = Arc<HashMap<String, String>>;

impl Store {
    /// Connects, checking first that the address is reachable and writable. Creates a missing
    /// SQLite file, never a missing PostgreSQL database.
    pub async fn connect(url: &DatabaseUrl) -> StoreResult<Store> {
        /// A connection idle this long is pinged before it is lent (see below).
        const IDLE_PING_AFTER: Duration = Duration::from_secs(1);

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
        // PostgreSQL runs a process per connection, with its own caches of the catalog and of
        // each prepared statement's plan: connections beyond what the cores can run at once
        // only add context switches and cold caches (16 on 2 cores made the static export
        // 15 % slower than 6).
        // Each SQLite connection works in a thread of its own: one per core reads at full
        // speed, plus one for the single writer. None maps the file into memory: each map
        // counts in the process's memory once per connection (a server on 50,000 posts peaked
        // at 269 MB with a 256 MB map, 69 MB without), and with mimalloc the static export
        // is barely slower without one.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let max_connections = match backend {
            Backend::Sqlite => (cores as u32 + 1).clamp(3, 8),
            Backend::Postgres => (3 * cores as u32).clamp(4, 24),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection before lending it and again when it comes back: on
            // PostgreSQL that is two more round trips per query. Only a connection left idle
            // for a while is pinged here (one cut by a database restart is replaced instead
            // of failing a request); one handed back a moment ago was pinged on its return.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_PING_AFTER {
                        sqlx::Connection::ping(&mut *conn).await?;
                    }
                    // A connection back in the pool is never inside a transaction, unless the
                    // driver lost track: SQLite rolls a transaction back by itself when a write
                    // fails with a full disk, the driver's own ROLLBACK then fails, and it would
                    // refuse every later BEGIN on that connection. Close it; a fresh one
                    // replaces it. (The ping before this has let any queued ROLLBACK run.)
                    let in_transaction = sqlx::Connection::is_in_transaction(&*conn);
                    if in_transaction {
                        tracing::warn!("closing a database connection left inside a transaction");
                    }
                    Ok(!in_transaction)
                })
            })
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
                    } else {
                        // Every table a page reads is in memory; PostgreSQL's default cost of
                        // a random read (4, for spinning disks) makes it hash whole tables of
                        // panelists and choices to join eight answers.
                        conn.execute("SET random_page_cost = 1.1").await?;
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
        Ok(Store {
            pool,
            backend,
            versions: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Brings the query planner's statistics up to date after a bulk load (`generate`,
    /// `import`). Without them PostgreSQL assumes a handful of rows per table until autovacuum
    /// comes by, and picks plans that read every post: a panelist's list of posts took 26 ms
    /// instead of 2 on 2,000 posts. On PostgreSQL the vacuum also marks the new rows visible
    /// to all, which the first reads after the load would otherwise do page by page (writing
    /// each page again) while autovacuum catches up.
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        let sql = match self.backend {
            Backend::Sqlite => "PRAGMA optimize",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
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
        // Counted as open before it starts, so no read in between can trust an old version.
        let open = OpenWork::new(&self.versions);
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { inner, _open: open })
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

    /// The counter that changes whenever anything readers see changes. Read from the
    /// database at most every [`VERSION_TTL`] while this process writes nothing.
    pub async fn content_version(&self) -> StoreResult<i64> {
        let cache = &self.versions;
        let epoch = cache.epoch.load(Ordering::SeqCst);
        if cache.open.load(Ordering::SeqCst) == 0 {
            if let Some((version, at, seen)) = *lock(&cache.last) {
                if seen == epoch && at.elapsed() < VERSION_TTL {
                    return Ok(version);
                }
            }
        }
        let version = sqlx::query_scalar("SELECT version FROM content_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        // Kept only if no unit of work started or ended while it was read.
        if cache.epoch.load(Ordering::SeqCst) == epoch && cache.open.load(Ordering::SeqCst) == 0 {
            *lock(&cache.last) = Some((version, Instant::now(), epoch));
        }
        Ok(version)
    }

    /// What `slot` holds at the current content version, read with `read` when it holds
    /// nothing or an older version's value.
    async fn per_version<T: Clone>(
        &self,
        slot: &PerVersion<T>,
        read: impl std::future::Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        let version = self.content_version().await?;
        if let Some((at, value)) = &*lock(&slot.0) {
            if *at == version {
                return Ok(value.clone());
            }
        }
        let value = read.await?;
        *lock(&slot.0) = Some((version, value.clone()));
        Ok(value)
    }

    /// The settings, read once per content version.
    pub async fn settings_map(&self) -> StoreResult<Settings> {
        self.per_version(&self.versions.settings, async {
            Ok(Arc::new(self.settings().await?.into_iter().collect()))
        })
        .await
    }

    /// The terms of a taxonomy that published posts use, with how many, by name: read once
    /// per content version.
    pub async fn used_terms(&self, taxonomy: Taxonomy) -> StoreResult<UsedTerms> {
        let slot = match taxonomy {
            Taxonomy::Tag => &self.versions.used_tags,
            Taxonomy::Category => &self.versions.used_categories,
        };
        self.per_version(slot, self.read_used_terms(taxonomy)).await
    }

    /// The term in use with this slug, from [`Store::used_terms`].
    pub async fn used_term(&self, taxonomy: Taxonomy, slug: &str) -> StoreResult<Option<TermRow>> {
        let terms = self.used_terms(taxonomy).await?;
        Ok(terms
            .iter()
            .find(|(term, _)| term.slug == slug)
            .map(|(term, _)| term.clone()))
    }

    /// The panelist with this slug if they have a public page (a published answer signed by
    /// name), from the public panelists read once per content version.
    pub async fn public_panelist(&self, slug: &str) -> StoreResult<Option<PanelistRow>> {
        let panelists = self
            .per_version(&self.versions.public_panelists, async {
                Ok(self.public_panelists().await?.into())
            })
            .await?;
        Ok(panelists.iter().find(|p| p.slug == slug).cloned())
    }

    /// One round trip to the database, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// What a form sent more than once made: `First` the first time, `Again` with what the first
/// sending stored (if it still exists) every time after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending<T> {
    First(T),
    Again(Option<T>),
}

/// A unit of work: everything inside commits together or not at all. It derefs to the
/// connection, so queries run on `&mut *tx`.
pub(crate) struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _open: OpenWork,
}

impl Tx {
    pub(crate) async fn commit(self) -> StoreResult<()> {
        let Tx { inner, _open } = self;
        inner.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

/// Marks a unit of work as open for as long as it lives (until after its commit, or its
/// rollback when dropped).
struct OpenWork(Arc<VersionCache>);

impl OpenWork {
    fn new(cache: &Arc<VersionCache>) -> OpenWork {
        cache.open.fetch_add(1, Ordering::SeqCst);
        cache.epoch.fetch_add(1, Ordering::SeqCst);
        OpenWork(cache.clone())
    }
}

impl Drop for OpenWork {
    fn drop(&mut self) {
        self.0.epoch.fetch_add(1, Ordering::SeqCst);
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A mutex that a panic elsewhere cannot poison for good: the data is plain values.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

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
