//! Turning content into what readers get: templates, Markdown made safe, dates in the site's
//! time zone.

mod markdown;
mod templates;
mod time;

pub use markdown::{comment_html, markdown_html};
pub use templates::Templates;
pub use time::{day_bounds, human_date, iso_datetime, permalink, SiteClock};
