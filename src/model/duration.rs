//! Durations as Istio writes them: Go-style strings such as `1.5s`, `100ms`, `1h2m`.

use std::fmt;

/// A parsed duration, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub u128);

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Empty,
    Negative,
    Malformed,
    UnknownUnit(String),
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => f.write_str("empty duration"),
            DurationError::Negative => f.write_str("durations cannot be negative"),
            DurationError::Malformed => f.write_str(
                "not a duration (expected a number and a unit, e.g. 250ms, 1.5s, 1h30m)",
            ),
            DurationError::UnknownUnit(u) => {
                write!(f, "unknown unit `{u}` (use h, m, s, ms, us or ns)")
            }
        }
    }
}

const NANOS_PER_MILLI: u128 = 1_000_000;

impl Duration {
    pub fn from_millis(ms: u64) -> Duration {
        Duration(ms as u128 * NANOS_PER_MILLI)
    }

    pub fn from_nanos(nanos: u128) -> Duration {
        Duration(nanos)
    }

    pub fn as_nanos(self) -> u128 {
        self.0
    }

    /// Whether the duration is a whole number of milliseconds (Istio requires it).
    pub fn is_whole_millis(self) -> bool {
        self.0.is_multiple_of(NANOS_PER_MILLI)
    }

    /// Parses Go's `time.ParseDuration` syntax (a sequence of decimal numbers
    /// with units), which is what Istio's decoder accepts.
    pub fn parse(text: &str) -> Result<Duration, DurationError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DurationError::Empty);
        }
        if text.starts_with('-') {
            return Err(DurationError::Negative);
        }
        let mut rest = text.strip_prefix('+').unwrap_or(text);
        if rest == "0" {
            return Ok(Duration(0));
        }
        let mut total: u128 = 0;
        while !rest.is_empty() {
            let number_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let number = &rest[..number_len];
            if number.is_empty() || number == "." || number.matches('.').count() > 1 {
                return Err(DurationError::Malformed);
            }
            rest = &rest[number_len..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let scale: u128 = match unit {
                "ns" => 1,
                "us" | "µs" | "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                "" => return Err(DurationError::Malformed),
                other => return Err(DurationError::UnknownUnit(other.to_string())),
            };
            let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
            let whole: u128 = if whole.is_empty() {
                0
            } else {
                whole.parse().map_err(|_| DurationError::Malformed)?
            };
            let mut value = whole.checked_mul(scale).ok_or(DurationError::Malformed)?;
            let mut place = scale;
            for digit in frac.bytes() {
                place /= 10;
                value += (digit - b'0') as u128 * place;
            }
            total = total.checked_add(value).ok_or(DurationError::Malformed)?;
        }
        Ok(Duration(total))
    }
}

impl serde::Serialize for Duration {
    /// As its shortest text (`250ms`), the form Istio accepts.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Duration {
    /// Shortest exact form: `1.5s`, `250ms`, `2m`, `1h30m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n == 0 {
            return f.write_str("0s");
        }
        if !n.is_multiple_of(1_000_000_000) || n < 60_000_000_000 {
            return if n.is_multiple_of(1_000_000_000) {
                write!(f, "{}s", n / 1_000_000_000)
            } else if n.is_multiple_of(NANOS_PER_MILLI) && n < 1_000_000_000 {
                write!(f, "{}ms", n / NANOS_PER_MILLI)
            } else if n.is_multiple_of(NANOS_PER_MILLI) {
                write!(f, "{}s", n as f64 / 1e9)
            } else if n.is_multiple_of(1000) {
                write!(f, "{}us", n / 1000)
            } else {
                write!(f, "{n}ns")
            };
        }
        let secs = n / 1_000_000_000;
        let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(Duration::parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(Duration::parse("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(
            Duration::parse("1h2m"),
            Ok(Duration::from_millis(3_720_000))
        );
        assert_eq!(Duration::parse("250us"), Ok(Duration(250_000)));
        assert_eq!(Duration::parse("0"), Ok(Duration(0)));
        assert_eq!(Duration::parse(".5s"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn refuses_malformed_durations() {
        assert_eq!(Duration::parse("-1s"), Err(DurationError::Negative));
        assert_eq!(Duration::parse("10"), Err(DurationError::Malformed));
        assert_eq!(
            Duration::parse("1d"),
            Err(DurationError::UnknownUnit("d".into()))
        );
        assert_eq!(Duration::parse(""), Err(DurationError::Empty));
        assert_eq!(Duration::parse("1..5s"), Err(DurationError::Malformed));
    }

    #[test]
    fn displays_shortest_form() {
        assert_eq!(Duration::from_millis(1500).to_string(), "1.5s");
        assert_eq!(Duration::from_millis(250).to_string(), "250ms");
        assert_eq!(Duration::from_millis(5_400_000).to_string(), "1h30m");
        assert_eq!(Duration::from_millis(10_000).to_string(), "10s");
    }

    #[test]
    fn whole_millis() {
        assert!(Duration::parse("1ms").unwrap().is_whole_millis());
        assert!(!Duration::parse("1500us").unwrap().is_whole_millis());
    }
}
