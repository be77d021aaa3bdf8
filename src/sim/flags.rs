//! Envoy response flags (§4.7) as a small bit set.

/// A set of response flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags(pub u16);

/// Flags in the order Envoy prints them, with their names.
pub const NAMES: [&str; 9] = ["NR", "NC", "UH", "UF", "UO", "URX", "UT", "FI", "DI"];

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const NR: Flags = Flags(1);
    pub const NC: Flags = Flags(1 << 1);
    pub const UH: Flags = Flags(1 << 2);
    pub const UF: Flags = Flags(1 << 3);
    pub const UO: Flags = Flags(1 << 4);
    pub const URX: Flags = Flags(1 << 5);
    pub const UT: Flags = Flags(1 << 6);
    pub const FI: Flags = Flags(1 << 7);
    pub const DI: Flags = Flags(1 << 8);

    /// The flag named `name` (NR, NC, ...).
    pub fn named(name: &str) -> Option<Flags> {
        NAMES.iter().position(|n| *n == name).map(|i| Flags(1 << i))
    }

    pub fn with(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Indices into [`NAMES`] of the flags set.
    pub fn indices(self) -> impl Iterator<Item = usize> {
        (0..NAMES.len()).filter(move |i| self.0 & (1 << i) != 0)
    }

    /// Comma-joined names, as in Envoy's access log (`URX,UF`); `-` when empty.
    pub fn text(self) -> String {
        if self.0 == 0 {
            return "-".into();
        }
        self.indices()
            .map(|i| NAMES[i])
            .collect::<Vec<_>>()
            .join(",")
    }
}
