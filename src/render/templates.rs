//! The page templates: built into the binary, each replaceable by a file of the same name in a
//! theme folder. Rendering is strict: a template that names a missing value fails loudly
//! instead of printing nothing.

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, Value};
use serde::Serialize;

/// Names every built-in template once; each is compiled into the binary.
macro_rules! built_in {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),+]
    };
}

/// Every built-in template, by the name templates and code use for it.
const BUILT_IN: &[(&str, &str)] = built_in![
    "layout.html",
    "partials/post.html",
    "partials/post_body.html",
    "partials/excerpt.html",
    "partials/comment.html",
    "partials/pagination.html",
    "pages/home.html",
    "pages/post.html",
    "pages/archive.html",
    "pages/panelist.html",
    "pages/search.html",
    "pages/form.html",
    "pages/answer.html",
    "pages/yours.html",
    "pages/page.html",
    "pages/terms.html",
    "admin/layout.html",
    "admin/login.html",
    "admin/forgot.html",
    "admin/reset.html",
    "admin/sessions.html",
    "admin/dashboard.html",
    "admin/settings.html",
    "admin/panel.html",
    "admin/panelist_form.html",
    "admin/panelist.html",
    "admin/panelist_erase.html",
    "admin/questions.html",
    "admin/question.html",
    "admin/rounds.html",
    "admin/round_new.html",
    "admin/series.html",
    "admin/newsletter.html",
    "admin/round.html",
    "admin/round_close.html",
    "admin/compile.html",
    "admin/posts.html",
    "admin/post.html",
    "admin/post_form.html",
    "admin/post_delete.html",
    "admin/revisions.html",
    "admin/comments.html",
    "admin/subscribers.html",
    "email/invitation.txt",
    "email/reminder.txt",
    "email/receipt.txt",
    "email/newsletter.txt",
    "email/newsletter.html",
    "email/confirm.txt",
    "email/alert.txt",
    "email/password_reset.txt",
    "email/proposal_decided.txt",
    "email/withdrawn.txt",
    "email/question_published.txt",
];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Loads the built-in templates, with those in `theme` (when given) taking their place.
    pub fn load(theme: Option<&Path>) -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        // Links in shared partials are relative on pages; feeds set `base` to the site's address.
        env.add_global("base", "");
        let theme: Option<PathBuf> = theme.map(Path::to_path_buf);
        env.set_loader(move |name| {
            if let Some(dir) = &theme {
                // Names come from our own code, but stay inside the theme folder all the same.
                if !name.split('/').any(|part| part == ".." || part.is_empty()) {
                    match std::fs::read_to_string(dir.join(name)) {
                        Ok(text) => return Ok(Some(text)),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(minijinja::Error::new(
                                minijinja::ErrorKind::InvalidOperation,
                                format!("cannot read theme template {name}"),
                            )
                            .with_source(e))
                        }
                    }
                }
            }
            Ok(BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| text.to_string()))
        });
        let templates = Templates { env };
        // Compile every page now, so a broken theme stops the start instead of a request.
        for (name, _) in BUILT_IN {
            templates
                .env
                .get_template(name)
                .map_err(|e| anyhow::anyhow!("template {name} does not compile: {e:#}"))?;
        }
        Ok(templates)
    }

    pub fn render<S: Serialize>(&self, name: &str, context: S) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(context)
    }
}

/// Escapes with [`super::escape_html`], which leaves `/` alone so addresses in pages stay
/// readable (minijinja's default escapes it too).
fn html_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(text)) if !value.is_safe() => out
            .write_str(&super::escape_html(text))
            .map_err(minijinja::Error::from),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_replaces_templates_file_by_file() {
        let theme = tempfile::tempdir().unwrap();
        std::fs::create_dir(theme.path().join("partials")).unwrap();
        std::fs::write(
            theme.path().join("partials/pagination.html"),
            "<nav>THEMED PAGINATION</nav>",
        )
        .unwrap();
        let templates = Templates::load(Some(theme.path())).unwrap();
        let out = templates
            .render("partials/pagination.html", minijinja::context! {})
            .unwrap();
        assert_eq!(out, "<nav>THEMED PAGINATION</nav>");
        // Templates the theme does not have are the built-in ones.
        let built_in = templates.render("partials/comment.html", minijinja::context! {
            c => minijinja::context! { author => "Ann", author_url => (), date => "today", date_iso => "2026-01-01", body_html => "<p>hi</p>" }
        });
        assert!(built_in.unwrap().contains("Ann"));
    }

    #[test]
    fn a_broken_theme_template_stops_the_start_with_its_name() {
        let theme = tempfile::tempdir().unwrap();
        std::fs::write(
            theme.path().join("layout.html"),
            "{% block content %}unclosed",
        )
        .unwrap();
        let err = Templates::load(Some(theme.path()))
            .err()
            .expect("the broken theme is refused")
            .to_string();
        assert!(err.contains("layout.html"), "{err}");
    }

    #[test]
    fn text_is_escaped_but_addresses_stay_readable() {
        let templates = Templates::load(None).unwrap();
        let out = templates
            .env
            .template_from_named_str("test.html", "<a href=\"{{ url }}\">{{ text }}</a>")
            .unwrap()
            .render(minijinja::context! { url => "/tag/a-b/", text => "<b>\"x\" & 'y'</b>" })
            .unwrap();
        assert_eq!(
            out,
            "<a href=\"/tag/a-b/\">&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</a>"
        );
    }
}
