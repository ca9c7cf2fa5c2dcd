//! Several `serve` processes on one PostgreSQL database, as an operator runs them behind a
//! load balancer: each has its own connection pool, page cache and mail worker, and they
//! share only the database. What one publishes, the others serve within a second; what the
//! outbox holds, exactly one of them sends.

use std::net::SocketAddr;
use std::time::Duration;

use roundtable::auth::hash_password;
use roundtable::config::MailSettings;
use roundtable::domain::Email;
use roundtable::store::{Backend, MailKind, OutgoingMail, Store, VERSION_TTL};

use crate::helpers::{csrf_of, serve, test_client, TestDb};
use crate::smtp::SmtpServer;

/// One server of the cluster: its own store (pool and caches) over the shared database.
struct Node {
    addr: SocketAddr,
    store: Store,
    client: reqwest::Client,
}

impl Node {
    async fn start(db: &TestDb, mail: MailSettings) -> Node {
        let store = Store::connect(&db.url).await.expect("connects");
        let (addr, _) = serve(&db.url, store.clone(), mail, |_| {}).await;
        Node {
            addr,
            store,
            client: test_client(),
        }
    }

    async fn get(&self, path: &str) -> String {
        let response = self
            .client
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.text().await.unwrap()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> u16 {
        self.client
            .post(format!("http://{}{path}", self.addr))
            .form(form)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn what_one_server_publishes_the_other_serves_within_a_second() {
    let db = TestDb::new(Backend::Postgres).await;
    let store = db.store().await;
    roundtable::demo::load(&store).await.unwrap().unwrap();
    store
        .create_editor(
            &Email::parse("cluster-editor@example.org").unwrap(),
            "Edie Editor",
            &hash_password(PASSWORD).unwrap(),
        )
        .await
        .unwrap();
    let a = Node::start(&db, MailSettings::default()).await;
    let b = Node::start(&db, MailSettings::default()).await;

    // Both servers have the home page in their caches.
    let before = b.get("/").await;
    assert!(!before.contains("Renamed Through Server A"));
    assert_eq!(a.get("/").await, before);

    // The editor renames the column through server A's admin pages.
    let signed_in = a
        .post(
            "/admin/login",
            &[
                ("email", "cluster-editor@example.org"),
                ("password", PASSWORD),
                ("next", "/admin/"),
            ],
        )
        .await;
    assert_eq!(signed_in, 303);
    let csrf = csrf_of(&a.get("/admin/settings/").await);
    let saved = a
        .post(
            "/admin/settings/",
            &[
                ("csrf", csrf.as_str()),
                ("site_title", "Renamed Through Server A"),
                ("site_tagline", "One database, two servers"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    assert_eq!(saved, 303);
    // Server A, which wrote it, serves it at once.
    assert!(a.get("/").await.contains("Renamed Through Server A"));

    // Server B trusts its cached content version for at most VERSION_TTL; the first request
    // it starts after that shows the change. A second is the promise; the bound is tighter.
    assert!(VERSION_TTL <= Duration::from_secs(1));
    tokio::time::sleep(VERSION_TTL + Duration::from_millis(50)).await;
    assert!(b.get("/").await.contains("Renamed Through Server A"));
    assert!(b.get("/feed/").await.contains("Renamed Through Server A"));

    a.store.close().await;
    b.store.close().await;
    store.close().await;
}

#[tokio::test]
async fn two_servers_mail_workers_deliver_each_message_exactly_once() {
    let smtp = SmtpServer::start().await;
    let db = TestDb::new(Backend::Postgres).await;
    let store = db.store().await;
    const MESSAGES: usize = 60;
    for n in 0..MESSAGES {
        store
            .enqueue_mail(&OutgoingMail {
                kind: MailKind::Reminder,
                dedupe_key: Some(format!("cluster:{n}")),
                to: Email::parse(&format!("panelist{n}@example.org")).unwrap(),
                subject: format!("Reminder number {n}"),
                body_text: "Your answer is still welcome.".into(),
                body_html: None,
                headers: vec![],
            })
            .await
            .unwrap();
    }
    // Both workers start polling the same outbox at once.
    let a = Node::start(&db, smtp.settings()).await;
    let b = Node::start(&db, smtp.settings()).await;

    smtp.wait_for_messages(MESSAGES).await;
    // Let both workers poll again (every 5 s) before counting: a duplicate would show now.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), MESSAGES, "each message arrives once");
    for n in 0..MESSAGES {
        let subject = format!("Subject: Reminder number {n}\n");
        let copies = messages
            .iter()
            .filter(|m| m.replace("\r\n", "\n").contains(&subject))
            .count();
        assert_eq!(copies, 1, "reminder {n} arrived {copies} times");
    }
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.sent, counts.failed),
        (0, MESSAGES as i64, 0)
    );

    a.store.close().await;
    b.store.close().await;
    store.close().await;
}
