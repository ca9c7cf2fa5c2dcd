//! `roundtable generate`: a synthetic column that is the same for the same seed.

use roundtable::generate::{run, Plan};
use roundtable::store::Backend;

use crate::helpers::TestDb;

fn plan(seed: u64) -> Plan {
    Plan {
        posts: 12,
        answers_per_post: 4,
        comments_per_post: 2,
        seed,
        append: false,
    }
}

#[tokio::test]
async fn the_same_seed_generates_the_same_column_on_two_fresh_databases() {
    let mut slugs = Vec::new();
    let mut titles = Vec::new();
    for seed in [42, 42, 43] {
        let db = TestDb::new(Backend::Sqlite).await;
        let store = db.store().await;
        let report = run(&store, &plan(seed)).await.expect("generate runs");
        assert_eq!(report.posts, 12);
        let posts = store.published_posts(0, 100).await.unwrap();
        assert_eq!(posts.len(), 12);
        titles.push(posts.iter().map(|p| p.title.clone()).collect::<Vec<_>>());
        slugs.push(report.slugs);
        store.close().await;
    }
    assert_eq!(slugs[0], slugs[1]);
    assert_eq!(titles[0], titles[1]);
    assert_ne!(slugs[0], slugs[2], "another seed makes another column");
}

#[tokio::test]
async fn generate_refuses_a_database_with_a_column_unless_told_to_append() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    run(&store, &plan(1)).await.expect("first run");
    let err = run(&store, &plan(1)).await.unwrap_err().to_string();
    assert!(err.contains("--append"), "{err}");
    let appended = run(
        &store,
        &Plan {
            append: true,
            ..plan(2)
        },
    )
    .await
    .expect("appending is allowed");
    assert_eq!(appended.posts, 12);
    assert_eq!(store.count_published_posts().await.unwrap(), 24);
    store.close().await;
}
