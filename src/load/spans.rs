//! Byte spans for every node of a parsed document, looked up by JSON pointer.
//!
//! The arena mirrors the `serde_json::Value` built beside it: the i-th entry of
//! an object (in document order, which `preserve_order` keeps) is the i-th child
//! of its span node. Lookups are only needed when something is reported, so the
//! arena is built cheaply and walked on demand.

use std::ops::Range;

use serde_json::Value;

/// Index of a node in a [`SpanTree`].
pub type NodeId = u32;

#[derive(Debug, Clone, Copy)]
struct SpanNode {
    start: u32,
    end: u32,
    key_start: u32,
    key_end: u32,
    children_start: u32,
    children_len: u32,
}

/// Spans of one document's nodes.
#[derive(Debug, Default)]
pub struct SpanTree {
    nodes: Vec<SpanNode>,
    children: Vec<NodeId>,
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
    pub(crate) fn push(&mut self, value: Range<usize>, key: Option<Range<usize>>) -> NodeId {
        let key = key.unwrap_or(u32::MAX as usize..u32::MAX as usize);
        self.nodes.push(SpanNode {
            start: value.start as u32,
            end: value.end as u32,
            key_start: key.start as u32,
            key_end: key.end as u32,
            children_start: 0,
            children_len: 0,
        });
        (self.nodes.len() - 1) as NodeId
    }

    pub(crate) fn set_key(&mut self, node: NodeId, key: Range<usize>) {
        let n = &mut self.nodes[node as usize];
        n.key_start = key.start as u32;
        n.key_end = key.end as u32;
    }

    pub(crate) fn close(&mut self, node: NodeId, end: usize, children: &[NodeId]) {
        let start = self.children.len() as u32;
        self.children.extend_from_slice(children);
        let n = &mut self.nodes[node as usize];
        n.end = (end as u32).max(n.start);
        n.children_start = start;
        n.children_len = children.len() as u32;
    }

    /// The span of the key holding a node, when it is a map entry.
    pub fn key_span(&self, node: NodeId) -> Option<Range<usize>> {
        let n = &self.nodes[node as usize];
        (n.key_start != u32::MAX).then_some(n.key_start as usize..n.key_end as usize)
    }

    fn child(&self, node: NodeId, index: usize) -> Option<NodeId> {
        let n = &self.nodes[node as usize];
        if index >= n.children_len as usize {
            return None;
        }
        Some(self.children[n.children_start as usize + index])
    }

    fn resolved(&self, node: NodeId, complete: bool) -> Resolved {
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

    /// Follows an RFC 6901 pointer from `root` (whose value is `value`).
    pub fn lookup(&self, root: NodeId, value: &Value, pointer: &str) -> Resolved {
        let (node, complete) = self.descend(root, value, pointer);
        self.resolved(node, complete)
    }

    /// The deepest node a pointer reaches, and whether it reached the end.
    pub fn descend(&self, root: NodeId, value: &Value, pointer: &str) -> (NodeId, bool) {
        let mut node = root;
        let mut current = value;
        if pointer.is_empty() {
            return (node, true);
        }
        for raw in pointer.strip_prefix('/').unwrap_or(pointer).split('/') {
            let segment = unescape(raw);
            let next = match current {
                Value::Object(map) => map
                    .iter()
                    .position(|(k, _)| *k == segment)
                    .and_then(|i| Some((self.child(node, i)?, &map[&*segment]))),
                Value::Array(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| Some((self.child(node, i)?, items.get(i)?))),
                _ => None,
            };
            match next {
                Some((child, v)) => {
                    node = child;
                    current = v;
                }
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
