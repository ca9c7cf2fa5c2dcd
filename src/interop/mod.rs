//! Moving a column in and out: WordPress WXR import and export, a static copy of the public
//! site, and the panel roster as CSV. Parsing and rendering live here; SQL stays in `store`.

pub mod export;
pub mod import;
pub mod roster;
pub mod roundup;
pub mod static_site;
pub mod uploads;
pub mod wp_html;
pub mod wxr;

/// What a progress bar counts.
#[derive(Clone, Copy)]
pub enum Unit {
    Bytes,
    Items,
}

/// A progress bar on standard error for `what` ("importing", "exporting" …). indicatif draws
/// it only when standard error is a terminal: logs and pipes get the final report alone.
pub fn progress_bar(what: &str, total: u64, unit: Unit) -> indicatif::ProgressBar {
    let template = match unit {
        Unit::Bytes => "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)",
        Unit::Items => "{msg} [{bar:40}] {pos}/{len} ({eta} left)",
    };
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// `%E2%80%AE` and `+`-free percent-encoding decoded to text; invalid UTF-8 is replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_addresses_decode_to_text() {
        assert_eq!(percent_decode("/category/%d0%b4%d0%b0/"), "/category/да/");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
