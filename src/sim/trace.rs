//! The path of a request through a call graph: for each hop, the request
//! that was sent, the endpoint that answered it last, and what came back.
//! Fixed-size and copied by value, so tracing allocates nothing per request.

use serde::Serialize;

use super::flags::{Flags, NAMES};
use super::model::Model;

/// Hops a path keeps; deeper calls are cut.
pub const MAX_HOPS: usize = 8;
/// No endpoint: the proxy answered itself.
pub const NO_POD: u32 = u32::MAX;
/// The slowest entry requests kept.
const SLOWEST: usize = 5;

/// One request of a path, as its caller saw it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Hop {
    pub class: u32,
    /// The endpoint of its last try, or [`NO_POD`].
    pub pod: u32,
    pub status: u16,
    pub flags: Flags,
    pub latency_ns: u64,
}

impl Hop {
    fn failed(&self) -> bool {
        !super::outcomes::is_success(self.status)
    }
}

/// A request and, behind it, the call chain that decided its answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path {
    hops: [Hop; MAX_HOPS],
    len: u8,
}

impl Path {
    pub const EMPTY: Path = Path {
        hops: [Hop {
            class: 0,
            pod: NO_POD,
            status: 0,
            flags: Flags::NONE,
            latency_ns: 0,
        }; MAX_HOPS],
        len: 0,
    };

    /// `hop` followed by this path (cut at [`MAX_HOPS`]).
    pub fn behind(&self, hop: Hop) -> Path {
        let mut out = Path::EMPTY;
        out.hops[0] = hop;
        let kept = (self.len as usize).min(MAX_HOPS - 1);
        out.hops[1..=kept].copy_from_slice(&self.hops[..kept]);
        out.len = kept as u8 + 1;
        out
    }

    /// Forgets every hop.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn hops(&self) -> &[Hop] {
        &self.hops[..self.len as usize]
    }

    /// Whether this path explains an answer better than `other`: a failed
    /// first hop before a successful one, then the slower.
    pub fn outranks(&self, other: &Path) -> bool {
        match (self.hops().first(), other.hops().first()) {
            (Some(a), Some(b)) => (a.failed(), a.latency_ns) > (b.failed(), b.latency_ns),
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// The slowest entry requests seen so far, slowest first; ties keep the
/// earlier request.
#[derive(Debug, Clone, Default)]
pub struct Slowest {
    paths: Vec<Path>,
}

impl Slowest {
    /// Offers a finished entry request's path.
    pub fn offer(&mut self, path: &Path) {
        let latency = path.hops()[0].latency_ns;
        if self.paths.len() == SLOWEST && self.paths[SLOWEST - 1].hops()[0].latency_ns >= latency {
            return;
        }
        let at = self
            .paths
            .partition_point(|p| p.hops()[0].latency_ns >= latency);
        self.paths.insert(at, *path);
        self.paths.truncate(SLOWEST);
    }

    /// The paths in report form.
    pub fn results(&self, model: &Model) -> Vec<Vec<HopResult>> {
        self.paths
            .iter()
            .map(|p| p.hops().iter().map(|h| HopResult::new(h, model)).collect())
            .collect()
    }
}

/// One hop of a reported path.
#[derive(Debug, Clone, Serialize)]
pub struct HopResult {
    /// `host/path` of the request.
    pub request: String,
    /// The endpoint of its last try (`host[/subset]#index`), absent when
    /// the proxy answered itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    pub status: u16,
    pub response_flags: Vec<String>,
    pub latency_ms: f64,
}

impl HopResult {
    fn new(hop: &Hop, model: &Model) -> HopResult {
        HopResult {
            request: model.classes[hop.class as usize].label.clone(),
            endpoint: (hop.pod != NO_POD).then(|| model.pods[hop.pod as usize].name.clone()),
            status: hop.status,
            response_flags: hop.flags.indices().map(|i| NAMES[i].to_string()).collect(),
            latency_ms: hop.latency_ns as f64 / 1e6,
        }
    }
}
