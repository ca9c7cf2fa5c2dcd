//! The store's behaviour, each test run on SQLite and on PostgreSQL.

use roundtable::domain::{Attribution, CommentStatus, Email, QuestionState, RoundStatus};
use roundtable::store::{
    now, AnswerEdit, CommentRow, NewAnswer, NewComment, NewPanelist, NewPost, NewQuestion,
    NewRound, SearchQuery, Store, StoreError, MATCH_END, MATCH_START,
};

use crate::store_test;

fn panelist(name: &str, email: &str, library_type: &str) -> NewPanelist {
    NewPanelist {
        name: name.into(),
        email: email.into(),
        pronouns: Some("they/them".into()),
        title: Some("Branch Manager".into()),
        institution: Some(format!("{name} Memorial Library")),
        city: Some("Testville".into()),
        library_type: Some(library_type.into()),
        region: Some("Midwest".into()),
        status: "active",
        ..NewPanelist::default()
    }
}

/// A question, an open round with choices, and three panelists.
async fn round_with_panel(store: &Store) -> (i64, Vec<i64>) {
    let question_id = store
        .create_question(&NewQuestion {
            series_id: None,
            prompt: "Do you read cover letters?".into(),
            examples: None,
            follow_up: None,
            state: QuestionState::Accepted,
            submitter_name: Some("A Reader".into()),
            submitter_email: Some("reader@example.org".into()),
            credit_submitter: true,
            notify_submitter: false,
        })
        .await
        .unwrap();
    let round_id = store
        .create_round(&NewRound {
            question_id,
            series_id: None,
            prompt: "Do you read cover letters?".into(),
            examples: None,
            follow_up: None,
            choices: vec!["Yes".into(), "No".into(), "It depends".into()],
            library_types: vec![],
            closes_at: Some(now() + 86_400),
            status: RoundStatus::Open,
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, kind) in [
        ("Ada Quill", "public"),
        ("Bo Finch", "academic"),
        ("Cy Wren", "school"),
    ] {
        let email = format!(
            "{}@example.org",
            name.split(' ').next().unwrap().to_lowercase()
        );
        ids.push(
            store
                .create_panelist(&panelist(name, &email, kind))
                .await
                .unwrap(),
        );
    }
    (round_id, ids)
}

async fn answer(
    store: &Store,
    round_id: i64,
    panelist_id: i64,
    attribution: Attribution,
    choice: &str,
    body: &str,
) -> i64 {
    store
        .submit_answer(&NewAnswer {
            round_id,
            invitation_id: None,
            panelist_id,
            attribution,
            role_description: (attribution == Attribution::Role)
                .then(|| "Director, public library, Midwest".into()),
            show_library_type: attribution == Attribution::Anonymous,
            choice: Some(choice.into()),
            body: body.into(),
            is_late: false,
            submitted_at: now(),
        })
        .await
        .unwrap()
}

fn new_post(round_id: i64, answer_ids: Vec<i64>) -> NewPost {
    NewPost {
        title: "Do you read cover letters?".into(),
        slug: None,
        intro: "We asked the panel.".into(),
        closing: "Thanks to all.".into(),
        series_id: None,
        author_id: None,
        round_id: Some(round_id),
        answer_ids,
        tags: vec!["cover letters".into()],
        categories: vec!["Public".into()],
    }
}

store_test!(a_fresh_database_is_at_the_newest_schema);
async fn a_fresh_database_is_at_the_newest_schema(store: Store) {
    assert_eq!(
        store.schema_version().await.unwrap(),
        store.known_schema_version()
    );
    // Migrating again is a no-op.
    store.migrate().await.unwrap();
    assert_eq!(store.library_types().await.unwrap().len(), 5);
}

store_test!(a_schema_newer_than_the_program_is_refused_and_left_alone);
async fn a_schema_newer_than_the_program_is_refused_and_left_alone(store: Store) {
    store.set_setting("site_title", "Kept").await.unwrap();
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
    let err = store.migrate().await.unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, .. } if found == future),
        "{err}"
    );
    assert!(err.to_string().contains("newer Roundtable"), "{err}");
    assert_eq!(
        store.setting("site_title").await.unwrap().as_deref(),
        Some("Kept")
    );
}

store_test!(editors_and_panelists_are_unique_by_email);
async fn editors_and_panelists_are_unique_by_email(store: Store) {
    let email = Email::parse("ed@example.org").unwrap();
    store.create_editor(&email, "Ed", "hash").await.unwrap();
    let err = store
        .create_editor(&email, "Ed again", "hash")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(
        store
            .editor_by_email("ED@example.org")
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Ed"
    );

    store
        .create_panelist(&panelist("Same Name", "one@example.org", "public"))
        .await
        .unwrap();
    let second = store
        .create_panelist(&panelist("Same Name", "two@example.org", "public"))
        .await
        .unwrap();
    assert_eq!(store.panelist(second).await.unwrap().slug, "same-name-2");
    let err = store
        .create_panelist(&panelist("Other", "one@example.org", "public"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

store_test!(an_answer_keeps_the_signature_it_was_submitted_with);
async fn an_answer_keeps_the_signature_it_was_submitted_with(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let answer_id = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "Always.",
    )
    .await;
    let mut changed = panelist("Ada Quill", "ada@example.org", "public");
    changed.title = Some("Director".into());
    store.update_panelist(panel[0], &changed).await.unwrap();
    let post_id = store
        .compile_post(&new_post(round_id, vec![answer_id]))
        .await
        .unwrap();
    let answers = store.included_answers_of_posts(&[post_id]).await.unwrap();
    assert_eq!(answers[0].sig_title.as_deref(), Some("Branch Manager"));
    assert_eq!(
        answers[0].byline().text,
        "Ada Quill (they/them), Branch Manager, Ada Quill Memorial Library, Testville"
    );
}

store_test!(a_compiled_post_shows_included_answers_in_the_editors_order);
async fn a_compiled_post_shows_included_answers_in_the_editors_order(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let a = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "First in.",
    )
    .await;
    let b = answer(
        &store,
        round_id,
        panel[1],
        Attribution::Role,
        "It depends",
        "Second in.",
    )
    .await;
    let c = answer(
        &store,
        round_id,
        panel[2],
        Attribution::Anonymous,
        "Yes",
        "Third in.",
    )
    .await;
    // The editor puts the third first and leaves the first out.
    let post_id = store
        .compile_post(&new_post(round_id, vec![c, b]))
        .await
        .unwrap();
    store.publish_post(post_id, now()).await.unwrap();
    let answers = store.included_answers_of_posts(&[post_id]).await.unwrap();
    let ids: Vec<i64> = answers.iter().map(|x| x.id).collect();
    assert_eq!(ids, vec![c, b]);
    assert!(!ids.contains(&a));
    assert_eq!(answers[0].byline().text, "Anonymous, school library");
    assert_eq!(
        answers[1].byline().text,
        "Director, public library, Midwest"
    );
    let tally = store.choice_tallies(&[post_id]).await.unwrap();
    assert_eq!(
        tally,
        vec![
            (post_id, "Yes".to_string(), 1),
            (post_id, "No".to_string(), 0),
            (post_id, "It depends".to_string(), 1)
        ]
    );
    let post = store.post(post_id).await.unwrap();
    assert_eq!(post.status, "published");
    assert_eq!(post.slug, "do-you-read-cover-letters");
    assert_eq!(store.count_published_posts().await.unwrap(), 1);
    // Compiling the same round again rewrites the same post, keeping its address.
    let again = store
        .compile_post(&new_post(round_id, vec![b]))
        .await
        .unwrap();
    assert_eq!(again, post_id);
    assert_eq!(
        store
            .included_answers_of_posts(&[post_id])
            .await
            .unwrap()
            .len(),
        1
    );
    // A post from another round with the same title gets its own slug.
    let other_question = store
        .create_question(&NewQuestion::by_editor("Again?", QuestionState::Accepted))
        .await
        .unwrap();
    let round2 = store
        .create_round(&NewRound {
            question_id: other_question,
            series_id: None,
            prompt: "Again?".into(),
            examples: None,
            follow_up: None,
            choices: vec!["No".into()],
            library_types: vec![],
            closes_at: None,
            status: RoundStatus::Open,
        })
        .await
        .unwrap();
    let third = answer(&store, round2, panel[0], Attribution::Named, "No", "Again.").await;
    let second = store
        .compile_post(&new_post(round2, vec![third]))
        .await
        .unwrap();
    assert_eq!(
        store.post(second).await.unwrap().slug,
        "do-you-read-cover-letters-2"
    );
}

store_test!(a_late_answer_joins_the_post_with_a_dated_note_and_a_revision);
async fn a_late_answer_joins_the_post_with_a_dated_note_and_a_revision(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let first = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "On time.",
    )
    .await;
    let post_id = store
        .compile_post(&new_post(round_id, vec![first]))
        .await
        .unwrap();
    store.publish_post(post_id, now()).await.unwrap();
    let version = store.content_version().await.unwrap();
    let late = answer(
        &store,
        round_id,
        panel[1],
        Attribution::Named,
        "No",
        "Sorry I'm late.",
    )
    .await;
    store
        .add_late_answer(post_id, late, None, now(), "2026-11-30")
        .await
        .unwrap();
    let answers = store.included_answers_of_posts(&[post_id]).await.unwrap();
    assert_eq!(
        answers.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![first, late]
    );
    let notes = store.edit_notes_of_posts(&[post_id]).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].body, "Edited 2026-11-30 to add Bo Finch’s answer");
    assert_eq!(store.revision_count(post_id).await.unwrap(), 1);
    assert!(store.content_version().await.unwrap() > version);
}

store_test!(a_late_anonymous_answer_note_does_not_name_its_author);
async fn a_late_anonymous_answer_note_does_not_name_its_author(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let first = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "On time.",
    )
    .await;
    let post_id = store
        .compile_post(&new_post(round_id, vec![first]))
        .await
        .unwrap();
    store.publish_post(post_id, now()).await.unwrap();
    let late = answer(
        &store,
        round_id,
        panel[2],
        Attribution::Anonymous,
        "No",
        "Quietly.",
    )
    .await;
    store
        .add_late_answer(post_id, late, None, now(), "2026-12-01")
        .await
        .unwrap();
    let notes = store.edit_notes_of_posts(&[post_id]).await.unwrap();
    assert_eq!(
        notes[0].body,
        "Edited 2026-12-01 to add an anonymous panelist’s answer"
    );
}

store_test!(search_finds_answer_text_without_revealing_anonymous_authors);
async fn search_finds_answer_text_without_revealing_anonymous_authors(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let named = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "Cover letters show curiosity.",
    )
    .await;
    let anon = answer(
        &store,
        round_id,
        panel[2],
        Attribution::Anonymous,
        "No",
        "Portfolios beat letters every time.",
    )
    .await;
    let post_id = store
        .compile_post(&new_post(round_id, vec![named, anon]))
        .await
        .unwrap();
    let search = |words: &str| SearchQuery {
        words: words.into(),
        limit: 10,
        ..SearchQuery::default()
    };
    // Drafts are not searchable.
    assert_eq!(store.search(&search("portfolios")).await.unwrap().1, 0);
    store.publish_post(post_id, now()).await.unwrap();
    let (hits, total) = store.search(&search("portfolios")).await.unwrap();
    assert_eq!((hits.len(), total), (1, 1), "{hits:?}");
    assert_eq!(hits[0].answer_number, Some(2));
    assert_eq!(hits[0].byline, "Anonymous, school library");
    let marked = format!("{MATCH_START}Portfolios{MATCH_END}");
    assert!(hits[0].snippet.contains(&marked), "{hits:?}");
    let everything = format!("{:?}", store.search(&search("letters")).await.unwrap());
    assert!(
        !everything.contains("Cy Wren") && !everything.contains("cy@example.org"),
        "{everything}"
    );
    // A named answer is found by its author's name.
    let (by_name, _) = store.search(&search("Ada Quill")).await.unwrap();
    assert!(
        by_name.iter().any(|h| h.answer_number == Some(1)),
        "{by_name:?}"
    );
    // Every page of results, and a page past the last, reports the same total.
    let (_, all) = store.search(&search("letters")).await.unwrap();
    assert!(all >= 2, "{all}");
    let one_per_page = |offset| SearchQuery {
        limit: 1,
        offset,
        ..search("letters")
    };
    for (offset, shown) in [(0, 1), (all - 1, 1), (all, 0), (all + 10, 0)] {
        let (hits, total) = store.search(&one_per_page(offset)).await.unwrap();
        assert_eq!((hits.len(), total), (shown, all), "offset {offset}");
    }
    // Filters narrow the matches.
    let school = SearchQuery {
        library_type: Some("school".into()),
        ..search("letters")
    };
    let school_hits: Vec<Option<i64>> = store
        .search(&school)
        .await
        .unwrap()
        .0
        .iter()
        .map(|h| h.answer_number)
        .collect();
    assert_eq!(school_hits, vec![Some(2)]);
    let tagged = SearchQuery {
        tag: Some("cover-letters".into()),
        ..search("letters")
    };
    assert!(store.search(&tagged).await.unwrap().1 >= 2);
    let untagged = SearchQuery {
        tag: Some("no-such-tag".into()),
        ..search("letters")
    };
    assert_eq!(store.search(&untagged).await.unwrap().1, 0);
    let old = SearchQuery {
        year: Some(1999),
        ..search("letters")
    };
    assert_eq!(store.search(&old).await.unwrap().1, 0);
    // Query syntax typed by a reader is just words.
    assert!(store
        .search(&search("\"unbalanced AND (OR NEAR"))
        .await
        .is_ok());
    assert_eq!(store.search(&search("!!!")).await.unwrap().1, 0);
}

store_test!(comments_wait_for_moderation_unless_the_address_was_approved_before);
async fn comments_wait_for_moderation_unless_the_address_was_approved_before(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let a = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "Yes.",
    )
    .await;
    let post_id = store
        .compile_post(&new_post(round_id, vec![a]))
        .await
        .unwrap();
    store.publish_post(post_id, now()).await.unwrap();
    let comment = |body: &str,
                   email: &str,
                   parent_id: Option<i64>,
                   status: Option<CommentStatus>| NewComment {
        post_id,
        parent_id,
        author_name: "Reader".into(),
        author_email: Email::parse(email).unwrap(),
        author_url: None,
        body: body.into(),
        ip_hash: None,
        status,
        created_at: None,
    };
    let (first, status) = store
        .add_comment(&comment("First!", "new@example.org", None, None))
        .await
        .unwrap();
    assert_eq!(status, CommentStatus::Pending);
    let (_, status) = store
        .add_comment(&comment(
            "Known.",
            "known@example.org",
            None,
            Some(CommentStatus::Approved),
        ))
        .await
        .unwrap();
    assert_eq!(status, CommentStatus::Approved);
    let (reply, status) = store
        .add_comment(&comment(
            "Me again.",
            "KNOWN@example.org",
            Some(first),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(status, CommentStatus::Approved);
    // A reply to a reply hangs on the thread's first comment: one level deep.
    let (nested, _) = store
        .add_comment(&comment("Deeper.", "known@example.org", Some(reply), None))
        .await
        .unwrap();
    let approved = store.approved_comments(post_id).await.unwrap();
    assert_eq!(approved.len(), 3);
    assert_eq!(
        approved.iter().find(|c| c.id == nested).unwrap().parent_id,
        Some(first)
    );
    assert_eq!(store.post(post_id).await.unwrap().comment_count, 3);
    // Read for several posts at once (the static export), the same comments in the same order.
    let ids = |rows: Vec<CommentRow>| rows.iter().map(|c| (c.post_id, c.id)).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .approved_comments_of_posts(&[post_id + 1000, post_id])
            .await
            .unwrap()),
        ids(approved)
    );
    assert_eq!(
        store.count_comments(CommentStatus::Pending).await.unwrap(),
        1
    );
}

store_test!(editor_notes_are_kept_apart_from_the_panelists_words);
async fn editor_notes_are_kept_apart_from_the_panelists_words(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let a = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "Original words.",
    )
    .await;
    store
        .edit_answer(
            a,
            &AnswerEdit {
                editor_heading: Some("And a second question".into()),
                editor_note: None,
                edited_body: Some("Original words, tidied.".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let post_id = store
        .compile_post(&new_post(round_id, vec![a]))
        .await
        .unwrap();
    let answers = store.included_answers_of_posts(&[post_id]).await.unwrap();
    assert_eq!(answers[0].body, "Original words.");
    assert_eq!(answers[0].public_body(), "Original words, tidied.");
    assert_eq!(
        answers[0].editor_heading.as_deref(),
        Some("And a second question")
    );
}

store_test!(the_demo_column_has_everything_the_product_shows);
async fn the_demo_column_has_everything_the_product_shows(store: Store) {
    let login = roundtable::demo::load(&store)
        .await
        .unwrap()
        .expect("demo loads into an empty database");
    assert!(store.editor_by_email(&login.email).await.unwrap().is_some());
    assert!(
        roundtable::demo::load(&store).await.unwrap().is_none(),
        "a second load changes nothing"
    );
    assert!(store.panelists("active").await.unwrap().len() >= 10);
    let posts = store.published_posts(0, 10).await.unwrap();
    assert_eq!(posts.len(), 3);
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers = store.included_answers_of_posts(&ids).await.unwrap();
    for post in &posts {
        let n = answers.iter().filter(|a| a.post_id == post.id).count();
        assert!((6..=10).contains(&n), "{} has {n} answers", post.title);
    }
    assert!(answers
        .iter()
        .any(|a| a.attribution() == Attribution::Anonymous));
    assert!(answers.iter().any(|a| a.attribution() == Attribution::Role));
    assert!(answers.iter().any(|a| a.is_late != 0));
    assert!(answers.iter().any(|a| a.editor_heading.is_some()));
    assert_eq!(store.edit_notes_of_posts(&ids).await.unwrap().len(), 1);
    let tallied: std::collections::HashSet<i64> = store
        .choice_tallies(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|(post_id, _, _)| post_id)
        .collect();
    assert_eq!(tallied.len(), 1, "one post has a short-answer tally");
    assert!(store.count_comments(CommentStatus::Approved).await.unwrap() > 0);
    assert!(store.count_comments(CommentStatus::Pending).await.unwrap() > 0);
    let open = store.rounds(RoundStatus::Open).await.unwrap();
    assert_eq!(open.len(), 1);
    assert!(!store.round_answers(open[0].id).await.unwrap().is_empty());
}

store_test!(a_post_credits_the_suggester_only_while_the_question_says_so);
async fn a_post_credits_the_suggester_only_while_the_question_says_so(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let a = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "Yes.",
    )
    .await;
    let post_id = store
        .compile_post(&new_post(round_id, vec![a]))
        .await
        .unwrap();
    store.publish_post(post_id, now()).await.unwrap();
    let credited = |rows: Vec<roundtable::store::PostRow>| {
        rows.into_iter()
            .find(|p| p.id == post_id)
            .and_then(|p| p.credited_name)
    };
    assert_eq!(
        store.post(post_id).await.unwrap().credited_name.as_deref(),
        Some("A Reader")
    );
    assert_eq!(
        credited(store.published_posts(0, 10).await.unwrap()).as_deref(),
        Some("A Reader")
    );

    // The editor unticks the credit: no query of the post names the reader any more, and the
    // change is one readers see (the content version moves).
    let question = store.question_of_post(post_id).await.unwrap().unwrap();
    let before = store.content_version().await.unwrap();
    store
        .update_question(
            question.id,
            &question.prompt,
            None,
            None,
            QuestionState::Published,
            false,
        )
        .await
        .unwrap();
    assert!(store.content_version().await.unwrap() > before);
    assert_eq!(store.post(post_id).await.unwrap().credited_name, None);
    assert_eq!(credited(store.posts_by_id(&[post_id]).await.unwrap()), None);
    assert_eq!(credited(store.published_posts(0, 10).await.unwrap()), None);

    // Credit asked with only spaces for a name credits nobody.
    sqlx::query("UPDATE questions SET credit_submitter = 1, submitter_name = '  ' WHERE id = $1")
        .bind(question.id)
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    assert_eq!(store.post(post_id).await.unwrap().credited_name, None);
}

store_test!(a_question_keeps_whether_its_suggester_wants_the_published_mail);
async fn a_question_keeps_whether_its_suggester_wants_the_published_mail(store: Store) {
    let suggested = |notify| NewQuestion {
        series_id: None,
        prompt: "Do you call references?".into(),
        examples: None,
        follow_up: None,
        state: QuestionState::Suggested,
        submitter_name: Some("Rita Reader".into()),
        submitter_email: Some("reader@example.org".into()),
        credit_submitter: true,
        notify_submitter: notify,
    };
    let told = store.create_question(&suggested(true)).await.unwrap();
    let quiet = store.create_question(&suggested(false)).await.unwrap();
    assert_eq!(store.question(told).await.unwrap().notify_submitter, 1);
    assert_eq!(store.question(quiet).await.unwrap().notify_submitter, 0);
    let editors = NewQuestion::by_editor("Ours", QuestionState::Accepted);
    let ours = store.create_question(&editors).await.unwrap();
    assert_eq!(store.question(ours).await.unwrap().notify_submitter, 0);
}

store_test!(the_mail_publishing_causes_is_queued_once_however_often_it_is_published);
async fn the_mail_publishing_causes_is_queued_once_however_often_it_is_published(store: Store) {
    let (round_id, panel) = round_with_panel(&store).await;
    let a = answer(
        &store,
        round_id,
        panel[0],
        Attribution::Named,
        "Yes",
        "Yes.",
    )
    .await;
    let post_id = store
        .compile_post(&new_post(round_id, vec![a]))
        .await
        .unwrap();
    let mail = roundtable::store::OutgoingMail {
        kind: roundtable::store::MailKind::QuestionPublished,
        dedupe_key: Some(format!("question-published:{post_id}")),
        to: Email::parse("reader@example.org").unwrap(),
        subject: "Your question is published".into(),
        body_text: "The link.".into(),
        body_html: None,
        headers: Vec::new(),
    };
    for _ in 0..2 {
        store
            .publish_post_with_newsletter(post_id, now(), None, std::slice::from_ref(&mail))
            .await
            .unwrap();
    }
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'question_published'")
            .fetch_one(store.raw_pool_for_tests())
            .await
            .unwrap();
    assert_eq!(queued, 1);
}
