//! `roundtable generate`: fills the database with a synthetic column of the size asked for.

use clap::Args;

use super::{open_store, Globals};

/// The flags of `generate`: how large a column, and the seed of its random choices.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many published posts to make (at most 1,000,000).
    #[arg(long, value_name = "N")]
    posts: u64,
    /// Answers per post on average; each post has a third more or less.
    #[arg(long, value_name = "M", default_value_t = 8)]
    answers_per_post: u32,
    /// Comments per post on average (from none to twice this).
    #[arg(long, value_name = "C", default_value_t = 3)]
    comments_per_post: u32,
    /// Seed of the random choices: the same seed gives the same titles, answers and dates.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Add to a database that already has posts or panelists (refused otherwise).
    #[arg(long)]
    append: bool,
}

/// Checks the plan, writes the column and prints what was made and how long it took.
pub async fn run(args: GenerateArgs, globals: Globals) -> anyhow::Result<()> {
    let plan = crate::generate::Plan {
        posts: args.posts,
        answers_per_post: args.answers_per_post,
        comments_per_post: args.comments_per_post,
        seed: args.seed,
        append: args.append,
    };
    // Checked before the database is opened: a typo creates nothing.
    plan.check()?;
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    let started = std::time::Instant::now();
    let report = crate::generate::run(&store, &plan).await?;
    println!(
        "generated {} posts with {} answers and {} comments from a panel of {} in {:.1} s into {}",
        report.posts,
        report.answers,
        report.comments,
        report.panelists,
        started.elapsed().as_secs_f64(),
        config.database_url.display()
    );
    Ok(())
}
