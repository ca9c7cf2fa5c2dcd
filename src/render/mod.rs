//! Turning content into what readers get: templates, Markdown made safe, dates in the site's
//! time zone.

mod chart;
mod diff;
mod escape;
mod feeds;
mod markdown;
mod templates;
mod time;

pub use chart::{tally_svg, tally_text};
pub use diff::word_diff_html;
pub use escape::escape_html;
pub(crate) use feeds::xml_text;
pub use feeds::{atom, rss, FeedEntry, FeedMeta};
pub use markdown::{
    clean_html, comment_html, first_words, mail_text, markdown_html, plain_text, COMMENT_TAGS,
};
pub use templates::Templates;
pub use time::{
    day_bounds, form_datetime, human_date, human_datetime, iso_date, iso_datetime, permalink,
    SiteClock,
};
