//! `roundtable generate`: fills a database with a synthetic column for benchmarks and trying
//! things at scale: a panel of about 300 people across library types, posts whose answers run
//! to about 150 words, named, role-only and anonymous answers, about 40 tags, 5 categories,
//! comments and some short-answer rounds, spread over years. The same seed gives the same
//! column.

use anyhow::{bail, Context};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::{Attribution, CommentStatus};
use crate::store::{
    GeneratedAnswer, GeneratedComment, GeneratedPost, NewPanelist, Store, StoreError,
};

/// More posts than this is a typing mistake, not a benchmark.
pub const MAX_POSTS: u64 = 1_000_000;
pub const MAX_ANSWERS_PER_POST: u32 = 200;
pub const MAX_COMMENTS_PER_POST: u32 = 1_000;
/// The panel the answers are drawn from.
const PANEL_SIZE: usize = 300;
/// Posts written per unit of work.
const BATCH: usize = 100;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub posts: u64,
    pub answers_per_post: u32,
    pub comments_per_post: u32,
    pub seed: u64,
    /// Add to a database that already has a column instead of refusing.
    pub append: bool,
}

impl Plan {
    /// Refuses sizes that cannot be meant, in one sentence.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.posts > MAX_POSTS {
            bail!(
                "{} posts is more than generate makes (at most {MAX_POSTS}); ask for fewer with --posts",
                self.posts
            );
        }
        if self.answers_per_post > MAX_ANSWERS_PER_POST {
            bail!(
                "{} answers per post is more than generate makes (at most {MAX_ANSWERS_PER_POST})",
                self.answers_per_post
            );
        }
        if self.comments_per_post > MAX_COMMENTS_PER_POST {
            bail!(
                "{} comments per post is more than generate makes (at most {MAX_COMMENTS_PER_POST})",
                self.comments_per_post
            );
        }
        Ok(())
    }
}

/// What was made.
#[derive(Debug, Clone)]
pub struct Report {
    pub posts: usize,
    pub answers: usize,
    pub comments: usize,
    pub panelists: usize,
    /// The slugs of the posts made, oldest first.
    pub slugs: Vec<String>,
}

/// Fills the store following `plan`. Progress goes to standard error when it is a terminal.
pub async fn run(store: &Store, plan: &Plan) -> anyhow::Result<Report> {
    plan.check()?;
    if !plan.append && !store.has_no_column().await? {
        bail!("the database already has posts or panelists; generate into an empty one, or add --append");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let series_id = match store.first_series().await? {
        Some((id, _, _)) => id,
        None => {
            store
                .set_setting("site_title", "The Synthetic Roundtable")
                .await?;
            store
                .set_setting(
                    "site_tagline",
                    "Questions for library hiring managers, generated",
                )
                .await?;
            let style = crate::store::SeriesStyle {
                name: "Further Questions".into(),
                category: CATEGORIES[0].into(),
                default_intro: INTRO.into(),
                default_closing: CLOSING.into(),
                signature_placement: "before".into(),
                ..Default::default()
            };
            store.save_series(None, &style).await?
        }
    };
    let panel = ensure_panel(store, &mut rng).await?;

    let end = (crate::store::now() / DAY) * DAY - DAY;
    let years = (plan.posts as i64 / 100).clamp(1, 20);
    let step = (years * YEAR / plan.posts.max(1) as i64).max(60);
    let start = end - step * plan.posts as i64;
    let progress =
        crate::interop::progress_bar("generating posts", plan.posts, crate::interop::Unit::Items);

    let mut report = Report {
        posts: 0,
        answers: 0,
        comments: 0,
        panelists: panel.len(),
        slugs: Vec::with_capacity(plan.posts as usize),
    };
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..plan.posts {
        let published_at = start + i as i64 * step + rng.gen_range(0..step.max(2) / 2);
        let post = make_post(&mut rng, plan, &panel, series_id, published_at);
        report.answers += post.answers.len();
        report.comments += post.comments.len();
        batch.push(post);
        if batch.len() == BATCH || i + 1 == plan.posts {
            let slugs = store
                .insert_published_posts(&batch)
                .await
                .context("cannot write the generated posts")?;
            report.posts += slugs.len();
            report.slugs.extend(slugs);
            batch.clear();
            progress.set_position(report.posts as u64);
        }
    }
    progress.finish_and_clear();
    store.refresh_statistics().await?;
    Ok(report)
}

/// A panelist of the synthetic panel: their id and what role-only answers call them.
struct Member {
    id: i64,
    role: String,
    library_type: &'static str,
}

/// Makes sure the panel has at least [`PANEL_SIZE`] active panelists, adding generated ones.
async fn ensure_panel(store: &Store, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<Member>> {
    let existing = store.panelists("active").await?;
    let mut panel: Vec<Member> = existing
        .iter()
        .map(|p| Member {
            id: p.id,
            role: p.title.clone().unwrap_or_else(|| "Librarian".into()),
            library_type: LIBRARY_TYPES
                .iter()
                .find(|t| Some(**t) == p.library_type.as_deref())
                .copied()
                .unwrap_or("other"),
        })
        .collect();
    let mut n = store.panelists("retired").await?.len() + existing.len();
    while panel.len() < PANEL_SIZE {
        n += 1;
        let first = *FIRST_NAMES.choose(rng).unwrap();
        let last = *LAST_NAMES.choose(rng).unwrap();
        let library_type = *LIBRARY_TYPES.choose(rng).unwrap();
        let place = *PLACES.choose(rng).unwrap();
        let title = *TITLES.choose(rng).unwrap();
        let institution = match library_type {
            "academic" => format!("University of {place}"),
            "public" => format!("{place} Public Library"),
            "school" => format!("{place} Unified School District"),
            "special" => format!("{place} Law Library"),
            _ => format!("{place} Historical Society"),
        };
        let region = *REGIONS.choose(rng).unwrap();
        let new = NewPanelist {
            name: format!("{first} {last}"),
            email: format!("panelist{n}@generated.example.org"),
            pronouns: rng
                .gen_bool(0.4)
                .then(|| PRONOUNS.choose(rng).unwrap().to_string()),
            title: Some(title.to_string()),
            department: rng
                .gen_bool(0.3)
                .then(|| DEPARTMENTS.choose(rng).unwrap().to_string()),
            institution: Some(institution),
            city: Some(place.to_string()),
            library_type: Some(library_type.to_string()),
            region: Some(region.to_string()),
            bio: None,
            photo_url: None,
            photo_credit: None,
            photo_alt: None,
            role_description: None,
            status: "active",
        };
        let id = match store.create_panelist(&new).await {
            Ok(id) => id,
            // An address left by an earlier run: take the next number.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        panel.push(Member {
            id,
            role: format!("{title}, {library_type} library, {region}"),
            library_type,
        });
    }
    Ok(panel)
}

/// One post on a random topic: its question and title, answers from part of the panel,
/// comments, tags and a category.
fn make_post(
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    panel: &[Member],
    series_id: i64,
    published_at: i64,
) -> GeneratedPost {
    let topic = *TOPICS.choose(rng).unwrap();
    let context = *CONTEXTS.choose(rng).unwrap();
    let frame = *QUESTION_FRAMES.choose(rng).unwrap();
    let prompt = frame.replace("{}", &format!("{topic} {context}"));
    let title = format!(
        "{}: {} {context}",
        TITLE_LEADS.choose(rng).unwrap(),
        capitalise(topic)
    );
    let short_answer = rng.gen_ratio(1, 8);
    let choices: Vec<String> = if short_answer {
        ["Yes", "No", "It depends"].map(String::from).to_vec()
    } else {
        Vec::new()
    };
    let m = plan.answers_per_post as i64;
    let count = if m == 0 {
        0
    } else {
        (m + rng.gen_range(-(m / 3)..=m / 3)).max(1) as usize
    };
    let members: Vec<&Member> = panel.choose_multiple(rng, count.min(panel.len())).collect();
    let answers = make_answers(rng, &members, topic, short_answer, published_at);
    let comments = make_comments(rng, plan, topic, published_at);
    let tag_count = rng.gen_range(2..=4);
    let mut tags: Vec<String> = TAGS
        .choose_multiple(rng, tag_count)
        .map(|t| t.to_string())
        .collect();
    tags.sort();
    let categories = vec![CATEGORIES[rng.gen_range(1..CATEGORIES.len())].to_string()];
    GeneratedPost {
        title,
        prompt,
        follow_up: rng
            .gen_ratio(1, 4)
            .then(|| "Bonus: if you have opinions about the term, air them here.".into()),
        choices,
        intro: INTRO.into(),
        closing: CLOSING.into(),
        series_id: Some(series_id),
        published_at,
        tags,
        categories,
        answers,
        comments,
    }
}

/// The members' answers, mostly named, in the week before the post; with a choice each when
/// the round is a short-answer one.
fn make_answers(
    rng: &mut ChaCha8Rng,
    members: &[&Member],
    topic: &str,
    short_answer: bool,
    published_at: i64,
) -> Vec<GeneratedAnswer> {
    members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let roll = rng.gen_range(0..100);
            let attribution = match roll {
                0..=74 => Attribution::Named,
                75..=86 => Attribution::Role,
                _ => Attribution::Anonymous,
            };
            GeneratedAnswer {
                panelist_id: member.id,
                attribution,
                role_description: (attribution == Attribution::Role).then(|| member.role.clone()),
                show_library_type: attribution == Attribution::Anonymous && rng.gen_bool(0.5),
                choice: short_answer.then(|| rng.gen_range(0..3)),
                body: answer_body(rng, topic, member.library_type),
                submitted_at: published_at - 7 * DAY + i as i64 * 3_600,
            }
        })
        .collect()
}

/// Readers' comments, from none to twice the plan's average, four hours apart after the post;
/// some reply to an earlier one, and a tenth wait for moderation.
fn make_comments(
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    topic: &str,
    published_at: i64,
) -> Vec<GeneratedComment> {
    let c = plan.comments_per_post;
    let comment_count = if c == 0 { 0 } else { rng.gen_range(0..=2 * c) };
    let mut comments: Vec<GeneratedComment> = Vec::with_capacity(comment_count as usize);
    for i in 0..comment_count as usize {
        let first = *FIRST_NAMES.choose(rng).unwrap();
        let reply_to = (i > 0 && rng.gen_bool(0.3)).then(|| rng.gen_range(0..i));
        comments.push(GeneratedComment {
            author_name: format!("{first} {}.", &LAST_NAMES.choose(rng).unwrap()[..1]),
            author_email: format!("reader{}@readers.example.org", rng.gen_range(0..5_000)),
            body: {
                let count = rng.gen_range(1..=3);
                sentences(rng, topic, "public", count)
            },
            status: if rng.gen_ratio(9, 10) {
                CommentStatus::Approved
            } else {
                CommentStatus::Pending
            },
            reply_to,
            created_at: published_at + (i as i64 + 1) * 4 * 3_600,
        });
    }
    comments
}

/// An answer of about 150 words in two or three paragraphs of Markdown.
fn answer_body(rng: &mut ChaCha8Rng, topic: &str, library_type: &str) -> String {
    let paragraphs = rng.gen_range(2..=3);
    let per = 11 / paragraphs + rng.gen_range(0..=1);
    (0..paragraphs)
        .map(|_| sentences(rng, topic, library_type, per))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn sentences(rng: &mut ChaCha8Rng, topic: &str, library_type: &str, count: usize) -> String {
    (0..count)
        .map(|_| {
            let template = *SENTENCES.choose(rng).unwrap();
            template
                .replace("{topic}", topic)
                .replace("{type}", library_type)
                .replace("{noun}", NOUNS.choose(rng).unwrap())
                .replace("{verb}", VERBS.choose(rng).unwrap())
                .replace("{adj}", ADJECTIVES.choose(rng).unwrap())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

const INTRO: &str = "Each week we ask our panel of library hiring managers a question readers sent in. Here is what they said.";
const CLOSING: &str =
    "Thank you as always to our contributors. Have a question for the panel? Suggest it below.";

const LIBRARY_TYPES: &[&str] = &["academic", "public", "school", "special", "other"];
const CATEGORIES: &[&str] = &[
    "Further Questions",
    "Interviews",
    "Applications",
    "Workplace",
    "Career Paths",
];
const TAGS: &[&str] = &[
    "cover letters",
    "resumes",
    "interviews",
    "references",
    "salary",
    "negotiation",
    "MLIS",
    "paraprofessionals",
    "remote work",
    "part-time",
    "first job",
    "career change",
    "networking",
    "conferences",
    "presentations",
    "phone screens",
    "video interviews",
    "job ads",
    "search committees",
    "diversity",
    "accessibility",
    "management",
    "supervision",
    "promotion",
    "tenure",
    "unions",
    "benefits",
    "relocation",
    "gaps",
    "volunteering",
    "internships",
    "portfolios",
    "technology",
    "teaching",
    "outreach",
    "cataloging",
    "archives",
    "youth services",
    "reference",
    "follow-up",
];
const TOPICS: &[&str] = &[
    "a cover letter longer than one page",
    "salary negotiation after an offer",
    "candidates without an MLIS",
    "thank-you notes after interviews",
    "gaps in a resume",
    "applying for several jobs at one library",
    "references from a current employer",
    "remote and hybrid positions",
    "presentations during interviews",
    "questions candidates ask at the end",
    "overqualified applicants",
    "internal candidates",
    "people changing careers into libraries",
    "volunteer experience",
    "a second interview",
    "how long a search takes",
    "unsolicited applications",
    "portfolios and writing samples",
    "part-time experience",
    "teaching demonstrations",
    "phone screens",
    "video interviews",
    "relocation costs",
    "a candidate who says no",
    "the first ninety days",
    "supervisory experience",
    "conference networking",
    "job ads with a salary range",
    "diversity statements",
    "accessibility in hiring",
];
const CONTEXTS: &[&str] = &[
    "for new graduates",
    "for career changers",
    "for part-time roles",
    "for director jobs",
    "in academic libraries",
    "in public libraries",
    "in school libraries",
    "at small libraries",
    "in rural libraries",
    "in a tight job market",
    "after a layoff",
    "for internal moves",
    "for youth services jobs",
    "for technical services",
    "for archives jobs",
    "for temporary positions",
    "for remote roles",
    "in special libraries",
    "for first-time supervisors",
    "for paraprofessional jobs",
];
const QUESTION_FRAMES: &[&str] = &[
    "What do you think about {}?",
    "How does your library handle {}?",
    "Is {} a deal-breaker for you?",
    "What advice would you give a candidate about {}?",
    "Has your view on {} changed over the years?",
    "What do you wish applicants knew about {}?",
];
const TITLE_LEADS: &[&str] = &[
    "Further Questions",
    "Ask the Panel",
    "Hiring Managers on",
    "The Panel Weighs In",
];
const SENTENCES: &[&str] = &[
    "When it comes to {topic}, our {type} library looks first at the {noun}.",
    "I have seen {adj} candidates {verb} the {noun} and still get the job.",
    "Honestly, {topic} matters less to our committee than a clear {noun}.",
    "We try to {verb} every {noun} the same way, so nobody is surprised.",
    "In a {type} library the {noun} is usually what makes the difference.",
    "My advice is to {verb} the {noun} before you worry about {topic}.",
    "A {adj} {noun} tells me more than any list of duties.",
    "Our search committee talks about {topic} at almost every meeting.",
    "If you are unsure, ask the hiring manager to {verb} the {noun} with you.",
    "It depends on the position, but a {adj} {noun} rarely hurts.",
    "I would rather see a {adj} answer than a polished one.",
    "Candidates who {verb} the {noun} tend to stand out in the pool.",
    "We changed how we think about {topic} a few years ago, and it helped.",
    "Human resources sets some rules here, so the {noun} is not always up to us.",
    "Be specific, be kind to yourself, and remember that the {noun} is a conversation.",
];
const NOUNS: &[&str] = &[
    "cover letter",
    "resume",
    "interview",
    "reference check",
    "job ad",
    "salary range",
    "presentation",
    "writing sample",
    "phone screen",
    "offer letter",
    "hiring timeline",
    "search committee",
    "position description",
    "follow-up email",
    "portfolio",
];
const VERBS: &[&str] = &[
    "read", "revise", "question", "explain", "discuss", "compare", "shorten", "rethink", "prepare",
    "mention",
];
const ADJECTIVES: &[&str] = &[
    "thoughtful",
    "short",
    "honest",
    "careful",
    "specific",
    "generous",
    "nervous",
    "clear",
    "late",
    "enthusiastic",
];
const FIRST_NAMES: &[&str] = &[
    "Ada", "Bea", "Carlos", "Dana", "Eli", "Fatima", "Grace", "Hiro", "Ines", "Jonah", "Kiri",
    "Lena", "Marcus", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wren", "Xavier", "Yara", "Zoe", "Amara", "Ben", "Chen", "Dmitri",
];
const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Baptiste",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fujita",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rahman",
    "Santos",
    "Tanaka",
    "Underwood",
    "Varga",
    "Whitfield",
    "Xu",
    "Yilmaz",
    "Zimmer",
    "Adeyemi",
    "Brennan",
    "Chowdhury",
    "Delacroix",
];
const PRONOUNS: &[&str] = &["she/her", "he/him", "they/them"];
const TITLES: &[&str] = &[
    "Library Director",
    "Head of Access Services",
    "Branch Manager",
    "Teen Services Librarian",
    "Associate Dean",
    "School Librarian",
    "Head of Cataloging",
    "Archivist",
    "Head of Reference",
    "Assistant Director",
];
const DEPARTMENTS: &[&str] = &[
    "Access Services",
    "Technical Services",
    "Youth Services",
    "Special Collections",
    "Research and Instruction",
];
const PLACES: &[&str] = &[
    "Springfield",
    "Riverton",
    "Lakewood",
    "Fairview",
    "Oak Ridge",
    "Maplewood",
    "Brookside",
    "Cedar Falls",
    "Greenville",
    "Harbor City",
    "Pine Bluff",
    "Westfield",
    "Northgate",
    "Silver Lake",
    "Eastport",
];
const REGIONS: &[&str] = &["Midwest", "Northeast", "South", "West", "Pacific Northwest"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_run_to_about_150_words() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let words: usize = (0..200)
            .map(|_| {
                answer_body(&mut rng, TOPICS[0], "public")
                    .split_whitespace()
                    .count()
            })
            .sum();
        let average = words / 200;
        assert!((110..=200).contains(&average), "{average} words");
    }

    #[test]
    fn absurd_sizes_are_refused() {
        let plan = Plan {
            posts: MAX_POSTS + 1,
            answers_per_post: 8,
            comments_per_post: 3,
            seed: 1,
            append: false,
        };
        assert!(plan.check().is_err());
    }
}
