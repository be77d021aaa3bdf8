//! What the cross-resource checks see: the mesh view, the documents for
//! spans, and the list of references left unchecked because the input does
//! not describe their target (`--verbose`).

use std::cell::OnceCell;
use std::ops::Deref;

use crate::load::Document;
use crate::mesh::{GatewayLookup, HostLookup, Mesh, SubsetLookup};
use crate::route::RoutingTable;

/// The mesh view plus the references the checks could not judge.
pub struct Index<'m, 'c> {
    pub mesh: &'m Mesh<'c>,
    pub docs: &'c [Document],
    /// References left unchecked because the input does not describe their
    /// target; sorted when handed out.
    unchecked: foldhash::HashSet<String>,
    /// The routing table, built by the first check that asks.
    table: OnceCell<RoutingTable<'m>>,
}

impl<'m, 'c> Deref for Index<'m, 'c> {
    type Target = Mesh<'c>;

    fn deref(&self) -> &Mesh<'c> {
        self.mesh
    }
}

impl<'m, 'c> Index<'m, 'c> {
    pub fn new(mesh: &'m Mesh<'c>, docs: &'c [Document]) -> Index<'m, 'c> {
        Index {
            mesh,
            docs,
            unchecked: foldhash::HashSet::default(),
            table: OnceCell::new(),
        }
    }

    /// The routing table of the mesh, built once for every check that routes.
    pub fn routing_table(&self) -> &RoutingTable<'m> {
        self.table.get_or_init(|| RoutingTable::build(self.mesh))
    }

    /// Notes a reference left unchecked, once however often it is met.
    pub fn note_unchecked(&mut self, why: &str) {
        if !self.unchecked.contains(why) {
            self.unchecked.insert(why.to_string());
        }
    }

    /// What was left unchecked, sorted.
    pub fn into_unchecked(self) -> Vec<String> {
        let mut all: Vec<String> = self.unchecked.into_iter().collect();
        all.sort_unstable();
        all
    }

    /// [`Mesh::lookup_host`], noting what was not checked.
    pub fn lookup_host(
        &mut self,
        host: &str,
        namespace: &str,
        export_to: &[String],
    ) -> HostLookup<'m, 'c> {
        let found = self.mesh.lookup_host(host, namespace, export_to);
        if let HostLookup::Unchecked(why) = &found {
            self.note_unchecked(why);
        }
        found
    }

    /// [`Mesh::gateway`], noting what was not checked.
    pub fn gateway(&mut self, reference: &str) -> GatewayLookup<'c> {
        let found = self.mesh.gateway(reference);
        if let GatewayLookup::Unchecked(why) = &found {
            self.note_unchecked(why);
        }
        found
    }

    /// [`Mesh::subset`], noting what was not checked.
    pub fn subset(&mut self, host: &str, subset: &str, client_ns: &str) -> SubsetLookup {
        let found = self.mesh.subset(host, subset, client_ns);
        if let SubsetLookup::Unchecked(why) = &found {
            self.note_unchecked(why);
        }
        found
    }
}
