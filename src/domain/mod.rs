//! The product's nouns and rules, free of web and database code: slugs, email addresses,
//! signatures and bylines, and the states that questions, posts and comments move through.

mod email;
mod house_style;
mod signature;
mod slug;
mod states;

pub use email::Email;
pub use house_style::{Placement, SignatureTemplate, DEFAULT_TEMPLATE};
pub use signature::{Attribution, Byline, Signature};
pub use slug::Slug;
pub use states::{CommentStatus, PostStatus, QuestionState, RoundStatus};

/// A value a person typed that cannot be used, with the reason in their words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);
