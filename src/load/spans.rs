//! Byte spans for every node of a parsed document, looked up by JSON pointer.
//!
//! The arena mirrors the `serde_json::Value` built beside it: the i-th entry of
//! an object (in document order, which `preserve_order` keeps) is the i-th child
//! of its span node, and holds its key's span, so a pointer is followed
//! without the value (which a run may drop once the document is read): a
//! key's name is its text in the source, or, where the two differ (a quoted
//! or merged key), kept beside. Lookups are only needed when something is
//! reported, so the arena is built cheaply and walked on demand.

use std::collections::HashMap;
use std::ops::Range;

/// Index of a node in a [`SpanTree`].
pub type NodeId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SpanNode {
    start: u32,
    end: u32,
    key_start: u32,
    key_end: u32,
    children_start: u32,
    /// The number of children, and the [`Shape`] in the top two bits (a
    /// node has fewer than 2^30 children: a source is at most 64 MiB).
    children_len_shape: u32,
}

impl SpanNode {
    const SHAPE_SHIFT: u32 = 30;
    const LEN_MASK: u32 = (1 << Self::SHAPE_SHIFT) - 1;

    fn children_len(&self) -> usize {
        (self.children_len_shape & Self::LEN_MASK) as usize
    }

    fn shape(&self) -> Shape {
        match self.children_len_shape >> Self::SHAPE_SHIFT {
            0 => Shape::Scalar,
            1 => Shape::Sequence,
            _ => Shape::Mapping,
        }
    }

    fn set(&mut self, children_len: usize, shape: Shape) {
        let code = match shape {
            Shape::Scalar => 0,
            Shape::Sequence => 1,
            Shape::Mapping => 2,
        };
        self.children_len_shape =
            (children_len as u32 & Self::LEN_MASK) | (code << Self::SHAPE_SHIFT);
    }
}

/// What kind of value a node holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    Sequence,
    Mapping,
}

/// Spans of one document's nodes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SpanTree {
    nodes: Vec<SpanNode>,
    children: Vec<NodeId>,
    /// The names of the keys that the source spells otherwise (quoted,
    /// escaped, brought in by a merge key or an alias).
    spelled: HashMap<NodeId, Box<str>>,
}

/// Where a pointer led: the deepest node reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The value's byte range.
    pub value: Range<usize>,
    /// The byte range of the key that holds the value, when it is a map entry.
    pub key: Option<Range<usize>>,
    /// Whether every segment of the pointer was found.
    pub complete: bool,
}

impl Resolved {
    /// The span to underline: a scalar's value, or a collection's key (whole
    /// blocks make poor labels).
    pub fn label_span(&self, value_is_collection: bool) -> Range<usize> {
        match (&self.key, value_is_collection) {
            (Some(key), true) => key.clone(),
            _ => self.value.clone(),
        }
    }
}

impl SpanTree {
    pub(crate) fn push(&mut self, value: Range<usize>) -> NodeId {
        self.nodes.push(SpanNode {
            start: value.start as u32,
            end: value.end as u32,
            key_start: u32::MAX,
            key_end: u32::MAX,
            children_start: 0,
            children_len_shape: 0,
        });
        (self.nodes.len() - 1) as NodeId
    }

    /// Makes `node` the map entry `name`, written at `key` in `text`.
    pub(crate) fn set_key(&mut self, node: NodeId, key: Range<usize>, name: &str, text: &str) {
        let spelled = text.get(key.clone()) != Some(name);
        self.place_key(node, key, spelled.then_some(name));
    }

    /// Makes `node` the map entry `name` that the merge key at `key` brings in.
    pub(crate) fn set_merged_key(&mut self, node: NodeId, key: Range<usize>, name: &str) {
        self.place_key(node, key, Some(name));
    }

    /// Places the key of `node` (a node gets one) at `key`, named `spelled`
    /// where its text there spells another name.
    fn place_key(&mut self, node: NodeId, key: Range<usize>, spelled: Option<&str>) {
        if let Some(name) = spelled {
            self.spelled.insert(node, name.into());
        }
        let n = &mut self.nodes[node as usize];
        n.key_start = key.start as u32;
        n.key_end = key.end as u32;
    }

    pub(crate) fn set_shape(&mut self, node: NodeId, shape: Shape) {
        let n = &mut self.nodes[node as usize];
        n.set(n.children_len(), shape);
    }

    pub(crate) fn close(&mut self, node: NodeId, end: usize, children: &[NodeId]) {
        let start = self.children.len() as u32;
        self.children.extend_from_slice(children);
        let n = &mut self.nodes[node as usize];
        n.end = (end as u32).max(n.start);
        n.children_start = start;
        n.set(children.len(), n.shape());
    }

    /// Frees what the arena reserved beyond what it holds.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.children.shrink_to_fit();
        self.spelled.shrink_to_fit();
    }

    /// The kind of value a node holds.
    pub fn shape(&self, node: NodeId) -> Shape {
        self.nodes[node as usize].shape()
    }

    /// The name of the key holding `node` in the document read from `text`.
    fn key_name<'t>(&'t self, node: NodeId, text: &'t str) -> Option<&'t str> {
        let span = self.key_span(node)?;
        match self.spelled.get(&node) {
            Some(name) => Some(name),
            None => text.get(span),
        }
    }

    /// The span of the key holding a node, when it is a map entry.
    pub fn key_span(&self, node: NodeId) -> Option<Range<usize>> {
        let n = &self.nodes[node as usize];
        (n.key_start != u32::MAX).then_some(n.key_start as usize..n.key_end as usize)
    }

    fn children(&self, node: NodeId) -> &[NodeId] {
        let n = &self.nodes[node as usize];
        let start = n.children_start as usize;
        &self.children[start..start + n.children_len()]
    }

    /// What a descent that stopped at `node` resolved.
    pub fn resolved(&self, node: NodeId, complete: bool) -> Resolved {
        let n = &self.nodes[node as usize];
        Resolved {
            value: n.start as usize..n.end as usize,
            key: self.key_span(node),
            complete,
        }
    }

    /// The value's span for the whole node.
    pub fn span(&self, node: NodeId) -> Range<usize> {
        let n = &self.nodes[node as usize];
        n.start as usize..n.end as usize
    }

    /// Follows an RFC 6901 pointer from `root` in the document read from `text`.
    pub fn lookup(&self, root: NodeId, pointer: &str, text: &str) -> Resolved {
        let (node, complete) = self.descend(root, pointer, text);
        self.resolved(node, complete)
    }

    /// The deepest node a pointer reaches in the document read from `text`,
    /// and whether it reached the end.
    pub fn descend(&self, root: NodeId, pointer: &str, text: &str) -> (NodeId, bool) {
        let mut node = root;
        if pointer.is_empty() {
            return (node, true);
        }
        for raw in pointer.strip_prefix('/').unwrap_or(pointer).split('/') {
            let segment = unescape(raw);
            let children = self.children(node);
            let next = match self.shape(node) {
                Shape::Mapping => children
                    .iter()
                    .copied()
                    .find(|&c| self.key_name(c, text) == Some(&*segment)),
                Shape::Sequence => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| children.get(i).copied()),
                Shape::Scalar => None,
            };
            match next {
                Some(child) => node = child,
                None => return (node, false),
            }
        }
        (node, true)
    }
}

/// Decodes one pointer segment (`~1` is `/`, `~0` is `~`).
pub fn unescape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// Encodes a map key as one pointer segment.
pub fn escape(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}
