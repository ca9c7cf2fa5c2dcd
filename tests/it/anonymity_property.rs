//! The anonymity guarantee as a property: random sequences of changes (signing answers
//! anonymously, by role or by name again, changes proposed and accepted, a late answer,
//! compiling again, profile edits, withdrawing, taking the post down and publishing it again,
//! erasure) against a published column whose panelists are canary identities. After every
//! step, a panelist without an answer signed by name in the published post appears in no
//! public output (pages, search, the API, feeds, the sitemap, the WXR and static exports), and
//! search for a panelist's name finds the post exactly when the page names them.

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use roundtable::column::{posts, proposals, writing};
use roundtable::store::{answer_anchor, Backend, Decision, ErasedAnswers};

use crate::editorial::round_sent;
use crate::helpers::{visible_text, TestApp};
use crate::privacy::public_outputs;
use crate::smtp::SmtpServer;
use crate::workflow::{seed, PANEL};

/// The four panelists who answer on time; the fifth (Eli) answers late, when a step says so.
const ON_TIME: usize = 4;

#[derive(Debug, Clone, Copy)]
enum Step {
    /// Panelist `.0` sends their answer again through their link, signed `.1`.
    Sign(usize, &'static str),
    AcceptChanges,
    LateAnswer(&'static str),
    Recompile,
    EditProfile(usize),
    Withdraw(usize),
    TakeDown,
    Publish,
    Erase(usize, bool),
}

const SIGNINGS: [&str; 3] = ["named", "role", "anonymous"];

impl Arbitrary for Step {
    fn arbitrary(g: &mut Gen) -> Step {
        let who = usize::arbitrary(g) % PANEL.len();
        let how = *g.choose(&SIGNINGS).unwrap();
        match u8::arbitrary(g) % 10 {
            0..=2 => Step::Sign(who, how),
            3 => Step::AcceptChanges,
            4 => Step::LateAnswer(how),
            5 => Step::Recompile,
            6 => Step::EditProfile(who),
            7 => Step::Withdraw(who),
            8 => {
                if bool::arbitrary(g) {
                    Step::TakeDown
                } else {
                    Step::Publish
                }
            }
            _ => Step::Erase(who, bool::arbitrary(g)),
        }
    }
}

/// The form a panelist sends, signed with their own profile.
fn fields(who: usize, signed: &'static str, body: &str) -> Vec<(&'static str, String)> {
    let p = &PANEL[who];
    vec![
        ("name", p.name.into()),
        ("title", p.title.into()),
        ("institution", p.institution.into()),
        ("attribution", signed.into()),
        ("role", format!("{}, {} library", p.title, p.library_type)),
        ("body", body.into()),
        ("action", "save".into()),
    ]
}

/// Words each panelist's answer carries, so that searches reach it.
fn body(who: usize, version: usize) -> String {
    format!("Answer {version} from panel seat {who}: we ask about mentoring and growth.")
}

struct Column {
    app: TestApp,
    _smtp: SmtpServer,
    round_id: i64,
    post_id: i64,
    links: Vec<String>,
    version: usize,
}

async fn column(backend: Backend, signed: &[&'static str]) -> Column {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, links) = {
        let (round_id, link) = round_sent(&app).await;
        (
            round_id,
            PANEL.iter().map(|p| link(p.key)).collect::<Vec<_>>(),
        )
    };
    for (who, how) in signed.iter().enumerate().take(ON_TIME) {
        let sent = fields(who, how, &body(who, 0));
        let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post_form(&links[who], &sent).await;
    }
    let ids: Vec<i64> = app
        .store
        .answers_of_round(round_id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    let (post_id, _) = crate::editorial::published(&app, round_id, &ids).await;
    Column {
        app,
        _smtp: smtp,
        round_id,
        post_id,
        links,
        version: 1,
    }
}

impl Column {
    async fn send(&self, who: usize, how: &'static str, version: usize) {
        let sent = fields(who, how, &body(who, version));
        let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _) = self.app.post_form(&self.links[who], &sent).await;
        // An erased panelist's link no longer opens.
        assert!(
            status == 200 || status == 404,
            "sending for {who}: {status}"
        );
    }

    async fn apply(&mut self, step: Step) {
        let column = &self.app.state.column;
        let store = &self.app.store;
        self.version += 1;
        match step {
            Step::Sign(who, how) => self.send(who, how, self.version).await,
            Step::AcceptChanges => {
                for p in store.waiting_proposals(Some(self.post_id)).await.unwrap() {
                    let _ = proposals::decide(column, p.id, Decision::Accepted, None, None).await;
                }
            }
            Step::LateAnswer(how) => {
                self.send(ON_TIME, how, self.version).await;
                for late in store.late_answers(self.post_id).await.unwrap() {
                    let _ = posts::add_late(column, self.post_id, late.id, None).await;
                }
            }
            Step::Recompile => {
                let answers = store.answers_of_round(self.round_id).await.unwrap();
                let compilation = posts::Compilation {
                    title: "The last question".into(),
                    answers: answers
                        .iter()
                        .map(|a| posts::AnswerChoice {
                            id: a.id,
                            included: true,
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                };
                posts::compile(column, self.round_id, &compilation)
                    .await
                    .unwrap();
            }
            Step::EditProfile(who) => {
                let email = format!("{}@panel.example.org", PANEL[who].key);
                if let Some(p) = store.panelist_by_email(&email).await.unwrap() {
                    let profile = roundtable::column::yours::Profile {
                        name: p.name.clone(),
                        title: format!("Senior {}", PANEL[who].title),
                        institution: PANEL[who].institution.into(),
                        ..Default::default()
                    };
                    roundtable::column::yours::save_profile(column, &p, &profile)
                        .await
                        .unwrap();
                }
            }
            Step::Withdraw(who) => {
                let sent = [("action", "withdraw"), ("confirm", "yes")];
                self.app.post_form(&self.links[who], &sent).await;
            }
            Step::TakeDown => {
                let _ = writing::unpublish(column, self.post_id, "").await;
            }
            Step::Publish => {
                posts::publish(column, self.post_id).await.unwrap();
            }
            Step::Erase(who, keep) => {
                let email = format!("{}@panel.example.org", PANEL[who].key);
                if let Some(p) = store.panelist_by_email(&email).await.unwrap() {
                    let answers = if keep {
                        ErasedAnswers::KeptAnonymous
                    } else {
                        ErasedAnswers::Removed
                    };
                    store.erase_panelist(p.id, answers).await.unwrap();
                }
            }
        }
    }

    /// Which panelists the published post names: those with an included answer signed by
    /// name, in a post that is out.
    async fn named(&self) -> Vec<bool> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT pn.email FROM answers a JOIN panelists pn ON pn.id = a.panelist_id \
             JOIN posts p ON p.id = a.post_id \
             WHERE a.included = 1 AND a.attribution = 'named' AND p.status = 'published'",
        )
        .fetch_all(self.app.store.raw_pool_for_tests())
        .await
        .unwrap();
        PANEL
            .iter()
            .map(|p| {
                rows.iter()
                    .any(|(e,)| e.starts_with(&format!("{}@", p.key)))
            })
            .collect()
    }

    /// The guarantee, after `after`.
    async fn check(&self, after: &str) {
        let named = self.named().await;
        let surnames: Vec<&str> = PANEL
            .iter()
            .map(|p| p.name.split(' ').nth(1).unwrap())
            .collect();
        let mut words = surnames.clone();
        words.extend(["mentoring", "growth", "seat"]);
        let outputs = public_outputs(&self.app, &words).await;
        for (who, p) in PANEL.iter().enumerate() {
            if named[who] {
                continue;
            }
            let slug = p.name.to_lowercase().replace(' ', "-");
            let email = format!("{}@panel.example.org", p.key);
            for needle in [p.name, p.institution, slug.as_str(), email.as_str()] {
                for (place, text) in &outputs {
                    assert!(
                        !text.to_lowercase().contains(&needle.to_lowercase()),
                        "after {after}: {needle:?}, whose answer is not signed by name, is in {place}"
                    );
                }
            }
        }
        // The search index holds what the page shows, answer by answer, and nothing else.
        let pool = self.app.store.raw_pool_for_tests();
        let shown: Vec<(i64, String)> = sqlx::query_as(
            "SELECT a.number, a.byline FROM public_answers a JOIN posts p ON p.id = a.post_id \
             WHERE p.status = 'published' ORDER BY a.number",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let indexed: Vec<(i64, String)> = sqlx::query_as(
            "SELECT answer_number, byline FROM search_documents \
             WHERE answer_number IS NOT NULL ORDER BY answer_number",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert_eq!(
            shown, indexed,
            "after {after}: search and the post disagree"
        );
        if !shown.is_empty() {
            let url = crate::editorial::post_url(&self.app.store, self.post_id).await;
            let page = self.app.get(&url).await.1;
            for (number, byline) in &shown {
                assert!(
                    page.contains(&format!("id=\"{}\"", answer_anchor(self.post_id, *number)))
                        && visible_text(&page).contains(byline.as_str()),
                    "after {after}: the page lacks answer {number}, {byline}"
                );
            }
        }
        // Search finds a name exactly where the page shows it.
        for (who, surname) in surnames.iter().enumerate() {
            let (_, found) = self.app.get(&format!("/search?q={surname}")).await;
            let found = visible_text(&found);
            assert_eq!(
                !found.contains("Nothing matched"),
                named[who],
                "after {after}: searching {surname} (named: {}) shows: {found}",
                named[who]
            );
        }
    }
}

fn property(backend: Backend, first: Vec<u8>, steps: Vec<Step>) -> TestResult {
    let steps: Vec<Step> = steps.into_iter().take(7).collect();
    let signed: Vec<&'static str> = (0..ON_TIME)
        .map(|i| SIGNINGS[*first.get(i).unwrap_or(&(i as u8)) as usize % 3])
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut column = column(backend, &signed).await;
        column
            .check(&format!("publishing, signed {signed:?}"))
            .await;
        for (n, step) in steps.iter().enumerate() {
            column.apply(*step).await;
            column
                .check(&format!(
                    "step {n}, {step:?}, of {steps:?} (signed {signed:?})"
                ))
                .await;
        }
    });
    TestResult::passed()
}

fn run(backend: Backend, cases: u64) {
    let check = match backend {
        Backend::Sqlite => {
            (|first, steps| property(Backend::Sqlite, first, steps))
                as fn(Vec<u8>, Vec<Step>) -> TestResult
        }
        Backend::Postgres => |first, steps| property(Backend::Postgres, first, steps),
    };
    QuickCheck::new()
        .tests(cases)
        .rng(Gen::new(12))
        .quickcheck(check);
}

#[test]
fn no_change_pairs_a_canary_with_an_answer_not_signed_by_name_on_sqlite() {
    run(Backend::Sqlite, 12);
}

#[test]
fn no_change_pairs_a_canary_with_an_answer_not_signed_by_name_on_postgres() {
    run(Backend::Postgres, 8);
}
