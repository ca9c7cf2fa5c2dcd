//! What readers send, decoded the way axum's `Form` (`serde_urlencoded::from_bytes`) and
//! `Query` (`Query::try_from_uri`) do: the comment form (then its validation), the other
//! public forms (`Typed`) and the search parameters. Also the address decoder the importer
//! uses (`interop::percent_decode`), the search-link encoder (`web::encode_query`) and the
//! split of a query into the words that reach the full-text engines (`store::search_words`).
//! Checks: no panic; validation accepts only what it reports no problem for, and a valid
//! address parses to itself; encoding and decoding round-trip; no query syntax reaches the
//! engines.
#![no_main]

use axum::extract::Query;
use axum::http::Uri;
use libfuzzer_sys::fuzz_target;
use roundtable::domain::Email;
use roundtable::interop::percent_decode;
use roundtable::store::search_words;
use roundtable::web::{encode_query, CommentForm, SearchParams, Typed};

fuzz_target!(|data: &[u8]| {
    if let Ok(mut form) = serde_urlencoded::from_bytes::<CommentForm>(data) {
        let email = form.validate();
        let e = &form.errors;
        if let Some(email) = email {
            assert!(e.name.is_none() && e.body.is_none() && e.url.is_none() && e.email.is_none());
            let again = Email::parse(email.as_str()).expect("a valid address parses again");
            assert_eq!(again.as_str(), email.as_str());
        }
    }
    let _ = serde_urlencoded::from_bytes::<Typed>(data);
    let _ = serde_urlencoded::from_bytes::<SearchParams>(data);

    let text = String::from_utf8_lossy(data);
    if let Ok(uri) = format!("/search?{text}").parse::<Uri>() {
        let _ = Query::<SearchParams>::try_from_uri(&uri);
    }

    // Text without '%' is left alone; every byte written %XX decodes back.
    if !text.contains('%') {
        assert_eq!(percent_decode(&text), text);
    }
    let encoded: String = text.bytes().map(|b| format!("%{b:02x}")).collect();
    assert_eq!(percent_decode(&encoded), text);
    let _ = percent_decode(&text);

    // A search link's value is plain ASCII and decodes, as a form does, to the query.
    let query = encode_query(&text);
    assert!(
        query
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~+%".contains(&b)),
        "{query:?}"
    );
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&format!("q={query}")).expect("an encoded query decodes");
    assert_eq!(pairs, vec![("q".to_string(), text.to_string())]);

    let words = search_words(&text);
    assert!(words.len() <= 16);
    for w in &words {
        assert!(!w.is_empty());
        assert!(
            !w.chars().any(|c| c.is_whitespace()
                || c.is_control()
                || "\"'*:^()&|!<>-+\\{}[],;.".contains(c)),
            "query syntax in search word {w:?}"
        );
    }
});
