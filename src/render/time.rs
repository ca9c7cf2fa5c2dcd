//! Dates as readers see them, in the site's time zone, and the `/YYYY/MM/DD/slug/` address
//! that depends on it.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The site's time zone, from the `timezone` setting (an IANA name); UTC when unset or unknown.
#[derive(Clone, Debug)]
pub struct SiteClock {
    pub tz: TimeZone,
}

impl SiteClock {
    pub fn new(name: Option<&str>) -> SiteClock {
        let tz = name
            .and_then(|n| TimeZone::get(n).ok())
            .unwrap_or(TimeZone::UTC);
        SiteClock { tz }
    }
}

fn zoned(clock: &SiteClock, seconds: i64) -> jiff::Zoned {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(clock.tz.clone())
}

/// "November 28, 2026".
pub fn human_date(clock: &SiteClock, seconds: i64) -> String {
    zoned(clock, seconds).strftime("%B %-d, %Y").to_string()
}

/// "November 28, 2026, 14:05", in the site's time zone.
pub fn human_datetime(clock: &SiteClock, seconds: i64) -> String {
    zoned(clock, seconds)
        .strftime("%B %-d, %Y, %H:%M")
        .to_string()
}

/// RFC 3339 with the site's offset, for `<time datetime>` and Atom.
pub fn iso_datetime(clock: &SiteClock, seconds: i64) -> String {
    zoned(clock, seconds)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// "2026-11-28": the day in the site's time zone, as edit notes and their forms write it.
pub fn iso_date(clock: &SiteClock, seconds: i64) -> String {
    zoned(clock, seconds).strftime("%Y-%m-%d").to_string()
}

/// "2026-11-28 09:30": the time in the site's time zone, as the publishing form takes it.
pub fn form_datetime(clock: &SiteClock, seconds: i64) -> String {
    zoned(clock, seconds).strftime("%Y-%m-%d %H:%M").to_string()
}

/// `/2026/11/28/slug/`.
pub fn permalink(clock: &SiteClock, published_at: i64, slug: &str) -> String {
    let z = zoned(clock, published_at);
    format!("/{:04}/{:02}/{:02}/{slug}/", z.year(), z.month(), z.day())
}

/// The first and one-past-last second of a calendar day in the site's time zone, or `None`
/// for a date that does not exist.
pub fn day_bounds(clock: &SiteClock, year: i16, month: i8, day: i8) -> Option<(i64, i64)> {
    let date = Date::new(year, month, day).ok()?;
    let start = date.to_zoned(clock.tz.clone()).ok()?;
    let end = date.tomorrow().ok()?.to_zoned(clock.tz.clone()).ok()?;
    Some((start.timestamp().as_second(), end.timestamp().as_second()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_use_the_local_day() {
        let at: Timestamp = "2026-11-28T03:00:00Z".parse().unwrap();
        let at = at.as_second();
        assert_eq!(permalink(&SiteClock::new(None), at, "x"), "/2026/11/28/x/");
        let chicago = SiteClock::new(Some("America/Chicago"));
        assert_eq!(permalink(&chicago, at, "x"), "/2026/11/27/x/");
        let (from, to) = day_bounds(&chicago, 2026, 11, 27).unwrap();
        assert!(from <= at && at < to);
        assert_eq!(to - from, 86_400);
    }

    #[test]
    fn impossible_days_have_no_bounds() {
        assert!(day_bounds(&SiteClock::new(None), 2026, 2, 30).is_none());
        assert!(day_bounds(&SiteClock::new(None), 2026, 13, 1).is_none());
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(human_date(&SiteClock::new(None), 0), "January 1, 1970");
        assert_eq!(
            iso_datetime(&SiteClock::new(None), 0),
            "1970-01-01T00:00:00+00:00"
        );
    }
}
