//! The column's workflow called directly, as the scheduler, the command line and the coming
//! inboxes call it, with no HTTP in between; each test on SQLite and on PostgreSQL.

use roundtable::column::answers::{self, AnswerDraft, Saved};
use roundtable::column::posts::{self, AnswerChoice, Compilation};
use roundtable::column::rounds::{self, RoundDraft};
use roundtable::column::{readers, Column, ColumnError, PostViewCache};
use roundtable::domain::Email;
use roundtable::render::Templates;
use roundtable::store::{NewAnswer, NewPanelist, NewPost, Store};

use crate::store_test;

fn column_over(store: Store) -> Column {
    Column {
        base_url: "https://column.example.org".into(),
        store,
        templates: Templates::load(None).unwrap(),
        views: PostViewCache::new(false),
    }
}

/// Pending mail of `kind`, as `(to, subject, text)`, oldest first.
async fn queued(store: &Store, kind: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT to_addr, subject, body_text FROM outbox WHERE kind = $1 AND status = 'pending' ORDER BY id",
    )
    .bind(kind)
    .fetch_all(store.raw_pool_for_tests())
    .await
    .unwrap()
}

/// The token at the end of `base/PATH/` in a mail's text.
fn token_after(text: &str, path: &str) -> String {
    let start = text.find(path).expect("the link is in the mail") + path.len();
    text[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

fn in_two_weeks() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(14))
        .to_string()
}

fn draft(body: &str) -> AnswerDraft {
    AnswerDraft {
        name: "Ada Reyes".into(),
        title: "Director".into(),
        institution: "Lakeside Library".into(),
        attribution: "named".into(),
        body: body.into(),
        ..AnswerDraft::default()
    }
}

store_test!(a_round_goes_from_its_plan_to_a_published_post_with_a_late_answer_without_the_web);
async fn a_round_goes_from_its_plan_to_a_published_post_with_a_late_answer_without_the_web(
    store: Store,
) {
    let column = column_over(store.clone());
    for (name, email) in [
        ("Ada Reyes", "ada@example.org"),
        ("Bo Lin", "bo@example.org"),
    ] {
        store
            .create_panelist(&NewPanelist {
                name: name.into(),
                email: email.into(),
                status: "active",
                ..NewPanelist::default()
            })
            .await
            .unwrap();
    }
    let subscriber = Email::parse("reader@example.org").unwrap();
    readers::subscribe(&column, &subscriber).await.unwrap();
    let confirm = &queued(&store, "confirm").await[0].2;
    let token = token_after(confirm, "/subscribe/confirm/");
    assert!(readers::confirm_subscription(&column, &token)
        .await
        .unwrap());

    // A draft the composer would refuse is refused with the sentence it shows.
    let refused = rounds::plan(&column, RoundDraft::default()).await;
    assert!(
        matches!(&refused, Err(ColumnError::Refused(s)) if s.contains("Write the question")),
        "{:?}",
        refused.err()
    );
    let plan = rounds::plan(
        &column,
        RoundDraft {
            prompt: "What do you ask every candidate?".into(),
            closes_on: in_two_weeks(),
            reminder_days: "3,1".into(),
            ..RoundDraft::default()
        },
    )
    .await
    .unwrap();
    let opened = rounds::open(&column, plan).await.unwrap();
    assert_eq!(opened.invited, 2);
    let invitations = queued(&store, "invitation").await;
    assert_eq!(
        invitations.len(),
        2,
        "one invitation each, queued with the round"
    );
    let link_of = |to: &str| {
        let (_, _, text) = invitations.iter().find(|(t, _, _)| t == to).unwrap();
        token_after(text, "/answer/")
    };

    // Ada answers on time; an empty answer is refused field by field first.
    let ada = link_of("ada@example.org");
    let invitation = answers::invitation(&column, &ada).await.unwrap().unwrap();
    let panelist = store.panelist(invitation.panelist_id).await.unwrap();
    let refused = answers::submit(&column, &ada, &invitation, &panelist, &draft(" "))
        .await
        .unwrap();
    assert!(refused.is_err_and(|problems| problems.body.is_some()));
    let saved = answers::submit(
        &column,
        &ada,
        &invitation,
        &panelist,
        &draft("Tell me about a mistake."),
    )
    .await
    .unwrap();
    assert!(matches!(saved, Ok(Saved { late: false, .. })));
    assert_eq!(queued(&store, "receipt").await.len(), 1);

    // The round is compiled (a title is needed) and published with its newsletter.
    let answer_id = store.answers_of_round(opened.round_id).await.unwrap()[0].id;
    let mut compilation = Compilation {
        intro: "Our panel on interviews.".into(),
        tags: "interviews".into(),
        answers: vec![AnswerChoice {
            id: answer_id,
            included: true,
            position: Some(1),
            body: "Tell me about a mistake.".into(),
            ..AnswerChoice::default()
        }],
        ..Compilation::default()
    };
    let refused = posts::compile(&column, opened.round_id, &compilation).await;
    assert!(matches!(refused, Err(ColumnError::Refused(_))));
    compilation.title = "The one question".into();
    let post_id = posts::compile(&column, opened.round_id, &compilation)
        .await
        .unwrap();
    posts::publish(&column, post_id).await.unwrap();
    let letters = queued(&store, "newsletter").await;
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0].2.contains("Tell me about a mistake."),
        "{}",
        letters[0].2
    );
    assert!(letters[0]
        .2
        .contains("https://column.example.org/unsubscribe/"));

    // Bo answers after the round has closed: a late answer, which the editor adds.
    rounds::close(&column, opened.round_id).await.unwrap();
    let bo = link_of("bo@example.org");
    let invitation = answers::invitation(&column, &bo).await.unwrap().unwrap();
    let panelist = store.panelist(invitation.panelist_id).await.unwrap();
    let mut late = draft("Ask what they would change.");
    late.name = "Bo Lin".into();
    let saved = answers::submit(&column, &bo, &invitation, &panelist, &late)
        .await
        .unwrap();
    assert!(matches!(saved, Ok(Saved { late: true, .. })));
    let late_id = store.late_answers(post_id).await.unwrap()[0].id;
    posts::add_late(&column, post_id, late_id, None)
        .await
        .unwrap();
    let shown = store.included_answers_of_posts(&[post_id]).await.unwrap();
    assert_eq!(shown.len(), 2);
    let notes = store.edit_notes_of_posts(&[post_id]).await.unwrap();
    assert!(notes[0].body.contains("Bo Lin"), "{}", notes[0].body);
}

store_test!(a_compilation_that_fails_halfway_leaves_every_answer_and_the_post_as_they_were);
async fn a_compilation_that_fails_halfway_leaves_every_answer_and_the_post_as_they_were(
    store: Store,
) {
    let column = column_over(store.clone());
    let panelist_id = store
        .create_panelist(&NewPanelist {
            name: "Ada Reyes".into(),
            email: "ada@example.org".into(),
            status: "active",
            ..NewPanelist::default()
        })
        .await
        .unwrap();
    let plan = rounds::plan(
        &column,
        RoundDraft {
            prompt: "What do you ask?".into(),
            closes_on: in_two_weeks(),
            ..RoundDraft::default()
        },
    )
    .await
    .unwrap();
    let round_id = rounds::open(&column, plan).await.unwrap().round_id;
    let answer_id = store
        .submit_answer(&NewAnswer {
            round_id,
            invitation_id: None,
            panelist_id,
            attribution: roundtable::domain::Attribution::Named,
            role_description: None,
            show_library_type: false,
            choice: None,
            body: "As sent.".into(),
            is_late: false,
            submitted_at: roundtable::store::now(),
        })
        .await
        .unwrap();
    // The first edit is fine; the second names an answer that is not there.
    let edit = roundtable::store::AnswerEdit {
        edited_body: Some("Edited.".into()),
        ..Default::default()
    };
    let post = NewPost {
        title: "A post".into(),
        slug: None,
        intro: String::new(),
        closing: String::new(),
        series_id: None,
        author_id: None,
        round_id: Some(round_id),
        answer_ids: vec![answer_id],
        tags: vec![],
        categories: vec![],
    };
    let failed = store
        .compile_post_with_edits(
            &post,
            &[(answer_id, edit.clone()), (answer_id + 1000, edit)],
        )
        .await;
    assert!(failed.is_err());
    let answer = &store.answers_of_round(round_id).await.unwrap()[0];
    assert_eq!(
        answer.edited_body, None,
        "the first edit was rolled back too"
    );
    assert_eq!(
        store.round(round_id).await.unwrap().post_id,
        None,
        "no post"
    );
}
