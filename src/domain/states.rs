//! The states a question, round, post and comment move through, and their names in the database.

macro_rules! state_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

state_enum!(
    /// `suggested → accepted → asked → published`, or `declined`.
    QuestionState { Suggested => "suggested", Accepted => "accepted", Asked => "asked", Published => "published", Declined => "declined" }
);
state_enum!(
    /// A round is drafted, sent (open), closed for answers, then published as a post.
    RoundStatus { Draft => "draft", Open => "open", Closed => "closed", Published => "published" }
);
state_enum!(
    /// Only `published` posts are public; `scheduled` ones become public at `publish_at`.
    PostStatus { Draft => "draft", Scheduled => "scheduled", Published => "published", Private => "private" }
);
state_enum!(
    /// New comments wait as `pending` unless their author was approved before.
    CommentStatus { Pending => "pending", Approved => "approved", Spam => "spam", Trash => "trash" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_from_their_names() {
        for s in [QuestionState::Suggested, QuestionState::Declined] {
            assert_eq!(QuestionState::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            CommentStatus::parse("approved"),
            Some(CommentStatus::Approved)
        );
        assert_eq!(PostStatus::parse("nonsense"), None);
    }
}
