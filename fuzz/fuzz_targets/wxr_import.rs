//! The WXR reader and the import mapping that needs no database: `wxr::parse` on any bytes,
//! then for files it accepts `import::plan` (authors, terms, items, comments, dates, old
//! addresses, roundup splitting) and the report's lines. Also `roundup::split` on the raw
//! text, since fuzzed files rarely get as far as a post. Checks: no panic, errors display, and
//! every HTML body the import would store is sanitized.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roundtable::interop::{import, roundup, wxr};
use roundtable::render::SiteClock;

fuzz_target!(|data: &[u8]| {
    if let Some(split) = roundup::split(&String::from_utf8_lossy(data)) {
        assert!(
            split.answers.len() >= 2,
            "a split with fewer than two answers"
        );
        common::assert_safe_html(&split.intro);
        common::assert_safe_html(&split.closing);
        for a in &split.answers {
            common::assert_safe_html(&a.body);
        }
    }

    let parsed = match wxr::parse(data) {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    // A zone with a DST gap, so local times that do not exist are met.
    let clock = SiteClock::new(Some("America/Chicago"));
    for split_answers in [false, true] {
        let (entries, report) = import::plan(&parsed, &clock, split_answers);
        let _ = report.lines();
        for e in &entries {
            if let Some(body) = &e.body_html {
                common::assert_safe_html(body);
            }
            common::assert_safe_html(&e.intro);
            common::assert_safe_html(&e.closing);
            for a in &e.answers {
                common::assert_safe_html(&a.body);
            }
            assert!(!e.slug.as_str().is_empty());
            for path in &e.old_paths {
                assert!(path.starts_with('/'), "old path {path:?}");
            }
        }
    }
});
