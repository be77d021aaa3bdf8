//! Which documents can change how requests to some hosts are routed, so a
//! command that routes a few requests parses those and skips the rest of a
//! large repository (see [`crate::load::select`]).
//!
//! A document is needed when:
//! - its kind's effect is not tied to host names: anything but a
//!   VirtualService, DestinationRule, ServiceEntry or Service (Gateways,
//!   Sidecars, workloads and Gateway API routes apply to every host), or its
//!   identity cannot be skimmed;
//! - it names a host label the answer can reach: a request's host, then the
//!   destinations, delegates, backends and ExternalName targets of what was
//!   read; or it has a wildcard or an escape, which could name any host;
//! - it defines again a resource that was read (`kubectl apply` keeps the
//!   last definition);
//! - it is the first Service of its namespace, or the first ServiceEntry:
//!   the mesh view judges a host only where the input has those
//!   ([`crate::mesh::Mesh`]), so they say which hosts the input describes.
//!
//! Everything else leaves the answer as it is, so the answer equals the one
//! on the whole input (tests/route_needed.rs checks this), but for the hint
//! of a passthrough (see [`decided_alone`]).

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;

use crate::load::Document;
use crate::load::select::{Selector, Skim, Want};
use crate::model::gateway_api::RouteRefs;
use crate::model::{self, Kind, Typed};
use crate::route::decision::{Action, Decision};

/// The documents that routing requests to some hosts needs.
pub struct Needed {
    /// The host labels searched so far, lowercase.
    known: HashSet<String>,
    /// Host labels learned since the pass began.
    fresh: Vec<String>,
    /// Finds this pass's new labels.
    search: Option<AhoCorasick>,
    /// The kinds of the host-tied resources read, by name.
    identities: HashMap<String, Vec<Kind>>,
    /// A resource was read since the pass began.
    read_more: bool,
    /// Namespaces (as written) whose first Service was taken.
    service_namespaces: HashSet<Option<String>>,
    service_entry: bool,
    /// The name of a resource to edit: the files that mention it are read
    /// whole, so checking them again after the edit finds only what the
    /// edit changed.
    edited: Option<String>,
    passes: usize,
}

impl Needed {
    /// What routing requests to `hosts` needs.
    pub fn for_hosts<'h>(hosts: impl IntoIterator<Item = &'h str>) -> Needed {
        let mut needed = Needed {
            known: HashSet::new(),
            fresh: Vec::new(),
            search: None,
            identities: HashMap::new(),
            read_more: false,
            service_namespaces: HashSet::new(),
            service_entry: false,
            edited: None,
            passes: 0,
        };
        for host in hosts {
            needed.reach(host);
        }
        needed
    }

    /// What finding and editing the resource `name` (a VirtualService or
    /// HTTPRoute, `NAME` or `NAMESPACE/NAME`) needs: the files that mention
    /// it, whole, and what its routes reach.
    pub fn for_resource(name: &str) -> Needed {
        let mut needed = Needed::for_hosts([]);
        let bare = name.rsplit('/').next().unwrap_or(name);
        needed.edited = Some(bare.to_string());
        needed
    }

    /// Learns that the answer can reach `host`.
    fn reach(&mut self, host: &str) {
        let label = host.split('.').next().unwrap_or_default();
        if label.is_empty() || label.contains('*') {
            return;
        }
        let label = label.to_ascii_lowercase();
        if self.known.insert(label.clone()) {
            self.fresh.push(label);
        }
    }

    /// Whether `text` has one of this pass's labels as a whole label.
    fn mentions(&self, text: &str) -> bool {
        self.search.as_ref().is_some_and(|search| {
            search
                .find_overlapping_iter(text)
                .any(|m| whole_label(text, m.start(), m.end()))
        })
    }

    /// Whether routing needs the document `text` (see the module doc).
    fn wants_document(&mut self, text: &str, skim: Option<&Skim<'_>>) -> bool {
        let tied =
            |s: &Skim<'_>| Kind::recognise(s.api_version, s.kind).filter(|k| tied_to_hosts(*k));
        let Some((skim, kind)) = skim.and_then(|s| Some((s, tied(s)?))) else {
            return true;
        };
        let read_before = self
            .identities
            .get(skim.name)
            .is_some_and(|kinds| kinds.contains(&kind));
        if read_before {
            return true;
        }
        if self.passes == 1 {
            if memchr::memchr2(b'*', b'\\', text.as_bytes()).is_some() {
                return true;
            }
            let first = match kind {
                Kind::Service => self
                    .service_namespaces
                    .insert(skim.namespace.map(str::to_string)),
                Kind::ServiceEntry => !std::mem::replace(&mut self.service_entry, true),
                _ => false,
            };
            if first {
                return true;
            }
        }
        self.mentions(text)
    }

    fn learn_one(&mut self, doc: &Document) {
        let Some(kind) = model::classify(doc) else {
            return;
        };
        if tied_to_hosts(kind) {
            let name = doc.str_field("/metadata/name").unwrap_or_default();
            self.identities
                .entry(name.to_string())
                .or_default()
                .push(kind);
            self.read_more = true;
        }
        // Only these kinds lead to other hosts. A Gateway API route's
        // parents are read anyway (Gateways always, a Service when a
        // request can reach its host), and what it mirrors to does not
        // change the decision.
        let teaches = matches!(
            kind,
            Kind::VirtualService
                | Kind::Service
                | Kind::HttpRoute
                | Kind::GrpcRoute
                | Kind::TlsRoute
                | Kind::TcpRoute
                | Kind::UdpRoute
        );
        if !teaches {
            return;
        }
        let Ok(typed) = Typed::read(doc, kind, "") else {
            return;
        };
        let reached: Vec<String> = match &typed {
            Typed::VirtualService(vs) => {
                let delegates = vs.spec.http.iter().filter_map(|h| h.delegate.as_ref());
                vs.spec
                    .destinations()
                    .iter()
                    .map(|d| d.destination.host.clone())
                    .chain(delegates.map(|d| d.name.clone()))
                    .collect()
            }
            Typed::Service(svc) => svc.spec.external_name.iter().cloned().collect(),
            Typed::HttpRoute(route) => route
                .spec
                .backends()
                .map(|(_, _, b)| b.name.clone())
                .collect(),
            Typed::Route(route) => route
                .spec
                .backends()
                .map(|(_, _, b)| b.name.clone())
                .collect(),
            _ => Vec::new(),
        };
        for host in &reached {
            self.reach(host);
        }
    }
}

/// Whether a decision made on the documents [`Needed`] picked is the one
/// on the whole input. A passthrough is not: its note names the registry
/// host closest to the request's (a likely typo), and any host can be it.
pub fn decided_alone(decision: &Decision<'_>) -> bool {
    decision.action != Action::Passthrough
}

/// Whether `text[start..end]` is not part of a longer label.
fn whole_label(text: &str, start: usize, end: usize) -> bool {
    let in_label = |at: usize| {
        text.as_bytes()
            .get(at)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    !start.checked_sub(1).is_some_and(in_label) && !in_label(end)
}

/// Kinds whose resources only matter to the hosts they name.
fn tied_to_hosts(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::VirtualService | Kind::DestinationRule | Kind::ServiceEntry | Kind::Service
    )
}

impl Selector for Needed {
    fn next_pass(&mut self) -> bool {
        self.passes += 1;
        if self.passes > 1 && self.fresh.is_empty() && !self.read_more {
            return false;
        }
        self.read_more = false;
        let fresh = std::mem::take(&mut self.fresh);
        self.search = (!fresh.is_empty()).then(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&fresh)
                .expect("host labels make a valid automaton")
        });
        true
    }

    fn wants(&mut self, text: &str, skim: Option<&Skim<'_>>) -> Want {
        if self.passes == 1
            && let Some(name) = &self.edited
            && memchr::memmem::find_iter(text.as_bytes(), name.as_bytes())
                .any(|at| whole_label(text, at, at + name.len()))
        {
            return Want::Source;
        }
        if self.wants_document(text, skim) {
            Want::Document
        } else {
            Want::Skip
        }
    }

    fn learn(&mut self, docs: &[Document]) {
        for doc in docs {
            self.learn_one(doc);
        }
    }
}
