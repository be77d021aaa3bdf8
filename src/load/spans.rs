//! Byte spans for every node of a parsed document, looked up by JSON pointer.
//!
//! The spans mirror the `serde_json::Value` built beside them: each map entry's
//! node holds its key's span, so a pointer is followed without the value
//! (which a run may drop once the document is read): a key's name is its
//! text in the source, or, where the two differ (a quoted or merged key),
//! kept beside. While a document is read its nodes are drafted in document
//! order, a node's descendants right after it ([`SpanDraft`]); the finished
//! document keeps them as a [`SpanTree`] of a few bytes per node. Lookups are
//! only needed when something is reported, so the tree is walked on demand.

use std::ops::Range;

/// Index of a node in a [`SpanDraft`].
pub type NodeId = u32;

/// What kind of value a node holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    Sequence,
    Mapping,
}

impl Shape {
    fn code(self) -> u64 {
        match self {
            Shape::Scalar => 0,
            Shape::Sequence => 1,
            Shape::Mapping => 2,
        }
    }

    fn from_code(code: u64) -> Shape {
        match code {
            0 => Shape::Scalar,
            1 => Shape::Sequence,
            _ => Shape::Mapping,
        }
    }
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

/// One drafted node.
#[derive(Debug, Clone, Copy)]
struct DraftNode {
    value: (u32, u32),
    key: Option<(u32, u32)>,
    /// The index after its last descendant.
    subtree_end: u32,
    shape: Shape,
}

/// The spans of a document being read, one node per value in document order.
#[derive(Debug, Default)]
pub struct SpanDraft {
    nodes: Vec<DraftNode>,
    /// The names of the keys that the source spells otherwise (quoted,
    /// escaped, brought in by a merge key or an alias).
    spelled: Vec<(NodeId, Box<str>)>,
    /// Scratch for [`SpanDraft::freeze`], kept for the next document.
    open: Vec<(u32, u32)>,
}

impl SpanDraft {
    pub(crate) fn push(&mut self, value: Range<usize>) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(DraftNode {
            value: (value.start as u32, value.end as u32),
            key: None,
            subtree_end: id + 1,
            shape: Shape::Scalar,
        });
        id
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
            self.spelled.push((node, name.into()));
        }
        self.nodes[node as usize].key = Some((key.start as u32, key.end as u32));
    }

    /// Takes `node` out of its map: a later entry of the same name replaced it.
    pub(crate) fn forget_key(&mut self, node: NodeId) {
        self.nodes[node as usize].key = None;
    }

    pub(crate) fn set_shape(&mut self, node: NodeId, shape: Shape) {
        self.nodes[node as usize].shape = shape;
    }

    /// Ends the collection `node` at `end`: the nodes drafted since are its
    /// descendants.
    pub(crate) fn close(&mut self, node: NodeId, end: usize) {
        let subtree_end = self.nodes.len() as u32;
        let n = &mut self.nodes[node as usize];
        n.value.1 = (end as u32).max(n.value.0);
        n.subtree_end = subtree_end;
    }

    /// The value's span of `node`.
    pub fn span(&self, node: NodeId) -> Range<usize> {
        let (start, end) = self.nodes[node as usize].value;
        start as usize..end as usize
    }

    /// The span of the key holding a node, when it is a map entry.
    pub fn key_span(&self, node: NodeId) -> Option<Range<usize>> {
        let (start, end) = self.nodes[node as usize].key?;
        Some(start as usize..end as usize)
    }

    /// Empties the draft for the next document, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.spelled.clear();
    }

    /// The finished document's spans, and its root (the first node).
    pub(crate) fn freeze(&mut self) -> (SpanTree, Node) {
        self.spelled.sort_by_key(|(node, _)| *node);
        let mut spelled = Vec::with_capacity(self.spelled.len());
        let mut pending = std::mem::take(&mut self.spelled).into_iter().peekable();
        let mut bytes = Vec::with_capacity(self.nodes.len() * 8);
        // The collections enclosing the node at hand: (subtree end, start).
        self.open.clear();
        for (i, node) in self.nodes.iter().enumerate() {
            while self.open.last().is_some_and(|&(end, _)| end as usize <= i) {
                self.open.pop();
            }
            let parent_start = self.open.last().map_or(0, |&(_, start)| start);
            while let Some((_, name)) = pending.next_if(|(n, _)| *n as usize <= i) {
                if node.key.is_some() {
                    spelled.push((bytes.len() as u32, name));
                }
            }
            let descendants = node.subtree_end - i as u32 - 1;
            Record::of(node, parent_start, descendants).write(&mut bytes);
            if descendants > 0 {
                self.open.push((node.subtree_end, node.value.0));
            }
        }
        let tree = SpanTree {
            bytes: bytes.into_boxed_slice(),
            spelled: spelled.into_boxed_slice(),
        };
        let root = tree.node_at(0, 0);
        (tree, root)
    }
}

/// One node as stored, in document order: varints relative to its
/// parent's start, so a document's records are a few bytes each.
struct Record {
    /// Number of descendants, key present, shape.
    header: u64,
    start: u64,
    len: u64,
    key: Option<(u64, u64)>,
}

impl Record {
    fn of(node: &DraftNode, parent_start: u32, descendants: u32) -> Record {
        let (start, end) = node.value;
        Record {
            header: (u64::from(descendants) << 3)
                | (u64::from(node.key.is_some()) << 2)
                | node.shape.code(),
            start: zigzag(i64::from(start) - i64::from(parent_start)),
            len: zigzag(i64::from(end) - i64::from(start)),
            key: node.key.map(|(ks, ke)| {
                (
                    zigzag(i64::from(start) - i64::from(ks)),
                    zigzag(i64::from(ke) - i64::from(ks)),
                )
            }),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        write_varint(out, self.header);
        write_varint(out, self.start);
        write_varint(out, self.len);
        if let Some((gap, len)) = self.key {
            write_varint(out, gap);
            write_varint(out, len);
        }
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Moves `*at` past the varint there.
fn skip_varint(bytes: &[u8], at: &mut usize) {
    while bytes[*at] >= 0x80 {
        *at += 1;
    }
    *at += 1;
}

/// Reads the varint at `*at` and moves past it.
fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// A node of a [`SpanTree`], decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Where its record starts.
    at: u32,
    start: u32,
    end: u32,
    key: Option<(u32, u32)>,
    shape: Shape,
    /// Where its first child's record starts.
    children_at: u32,
    descendants: u32,
}

impl Node {
    /// The kind of value the node holds.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The value's span for the whole node.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The span of the key holding the node, when it is a map entry.
    pub fn key_span(&self) -> Option<Range<usize>> {
        self.key.map(|(start, end)| start as usize..end as usize)
    }

    /// What a descent that stopped at this node resolved.
    pub fn resolved(&self, complete: bool) -> Resolved {
        Resolved {
            value: self.span(),
            key: self.key_span(),
            complete,
        }
    }
}

/// Spans of one finished document's nodes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SpanTree {
    /// One record per node in document order, a node's descendants after it.
    bytes: Box<[u8]>,
    /// The names of the keys spelled otherwise, by record position.
    spelled: Box<[(u32, Box<str>)]>,
}

impl SpanTree {
    /// The node whose record starts at `at`, its parent starting at `parent_start`.
    fn node_at(&self, at: u32, parent_start: u32) -> Node {
        let bytes = &self.bytes;
        let mut pos = at as usize;
        let header = read_varint(bytes, &mut pos);
        let start = (i64::from(parent_start) + unzigzag(read_varint(bytes, &mut pos))) as u32;
        let end = (i64::from(start) + unzigzag(read_varint(bytes, &mut pos))) as u32;
        let key = (header & 0b100 != 0).then(|| {
            let key_start = (i64::from(start) - unzigzag(read_varint(bytes, &mut pos))) as u32;
            let key_end = (i64::from(key_start) + unzigzag(read_varint(bytes, &mut pos))) as u32;
            (key_start, key_end)
        });
        Node {
            at,
            start,
            end,
            key,
            shape: Shape::from_code(header & 0b11),
            children_at: pos as u32,
            descendants: (header >> 3) as u32,
        }
    }

    /// Where the record after `count` records from `at` starts.
    fn skip_records(&self, mut at: usize, count: u32) -> usize {
        for _ in 0..count {
            let header = read_varint(&self.bytes, &mut at);
            let fields = if header & 0b100 != 0 { 4 } else { 2 };
            for _ in 0..fields {
                skip_varint(&self.bytes, &mut at);
            }
        }
        at
    }

    /// The children of `node`, in document order. A child's descendants are
    /// skipped only on the way to its next sibling, so a search that stops
    /// at a child does not read its subtree.
    fn children(&self, node: Node) -> impl Iterator<Item = Node> + '_ {
        let mut at = node.children_at;
        let mut left = node.descendants;
        let mut previous: Option<Node> = None;
        std::iter::from_fn(move || {
            if let Some(child) = previous.take() {
                at = self.skip_records(child.children_at as usize, child.descendants) as u32;
            }
            (left > 0).then(|| {
                let child = self.node_at(at, node.start);
                left -= 1 + child.descendants;
                previous = Some(child);
                child
            })
        })
    }

    /// The name of the key holding `node` in the document read from `text`.
    fn key_name<'t>(&'t self, node: &Node, text: &'t str) -> Option<&'t str> {
        let span = node.key_span()?;
        match self.spelled.binary_search_by_key(&node.at, |(at, _)| *at) {
            Ok(i) => Some(&self.spelled[i].1),
            Err(_) => text.get(span),
        }
    }

    /// Follows an RFC 6901 pointer from `root` in the document read from `text`.
    pub fn lookup(&self, root: Node, pointer: &str, text: &str) -> Resolved {
        let (node, complete) = self.descend(root, pointer, text);
        node.resolved(complete)
    }

    /// The deepest node a pointer reaches in the document read from `text`,
    /// and whether it reached the end.
    pub fn descend(&self, root: Node, pointer: &str, text: &str) -> (Node, bool) {
        let mut node = root;
        if pointer.is_empty() {
            return (node, true);
        }
        for raw in pointer.strip_prefix('/').unwrap_or(pointer).split('/') {
            let segment = unescape(raw);
            let mut children = self.children(node);
            let next = match node.shape {
                Shape::Mapping => children.find(|c| self.key_name(c, text) == Some(&*segment)),
                Shape::Sequence => segment.parse::<usize>().ok().and_then(|i| children.nth(i)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// Drafts a random tree under `parent` (a collection): node starts may
    /// fall before their parent's (negative deltas) and offsets run past 2^28.
    fn draft_children(draft: &mut SpanDraft, rng: &mut rand_pcg::Pcg64, depth: u32, base: u32) {
        for _ in 0..rng.random_range(0..5) {
            let start = base
                .saturating_add(rng.random_range(0..300))
                .saturating_sub(20);
            let node = draft.push(start as usize..start as usize + rng.random_range(0..200));
            if rng.random_bool(0.6) {
                let key_start = start.saturating_sub(rng.random_range(0..40));
                let key = key_start as usize..key_start as usize + rng.random_range(0..30);
                if rng.random_bool(0.2) {
                    draft.set_merged_key(node, key, "named elsewhere");
                } else {
                    draft.set_key(node, key, "k", "");
                }
            }
            if depth < 4 && rng.random_bool(0.4) {
                let shape = if rng.random_bool(0.5) {
                    Shape::Mapping
                } else {
                    Shape::Sequence
                };
                draft.set_shape(node, shape);
                draft_children(draft, rng, depth + 1, start);
                let end = start as usize + rng.random_range(0..5000);
                draft.close(node, end);
            }
        }
    }

    /// Every node of `tree` under `node`, in document order.
    fn walk(tree: &SpanTree, node: Node, out: &mut Vec<Node>) {
        out.push(node);
        for child in tree.children(node) {
            walk(tree, child, out);
        }
    }

    #[test]
    fn a_frozen_tree_gives_back_every_drafted_node() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        let mut draft = SpanDraft::default();
        for round in 0..2_000 {
            draft.clear();
            let base = if round % 2 == 0 { 0 } else { 1 << 28 };
            let root = draft.push(base as usize..base as usize + 10);
            draft.set_shape(root, Shape::Mapping);
            draft_children(&mut draft, &mut rng, 0, base);
            draft.close(root, base as usize + 100_000);
            let expected: Vec<_> = draft.nodes.clone();
            let names: std::collections::HashMap<NodeId, Box<str>> =
                draft.spelled.iter().cloned().collect();
            let (tree, root) = draft.freeze();
            let mut found = Vec::new();
            walk(&tree, root, &mut found);
            assert_eq!(found.len(), expected.len(), "round {round}");
            for (i, (node, want)) in found.iter().zip(&expected).enumerate() {
                assert_eq!(node.span(), want.value.0 as usize..want.value.1 as usize);
                assert_eq!(node.key, want.key);
                assert_eq!(node.shape(), want.shape);
                // Every key is spelled otherwise here (the text is empty):
                // its name must follow its record.
                let name = names.get(&(i as NodeId)).map(|n| &**n);
                assert_eq!(tree.key_name(node, ""), name.filter(|_| want.key.is_some()));
            }
        }
    }

    #[test]
    fn pointers_follow_keys_by_name_and_items_by_index() {
        // {"a": 1, "q x": [5, {"b": 6}]}, the second key spelled '"q x"' in the source.
        let text = "{a: 1, \"q x\": [5, {b: 6}]}";
        let mut draft = SpanDraft::default();
        let root = draft.push(0..text.len());
        draft.set_shape(root, Shape::Mapping);
        let a = draft.push(4..5);
        draft.set_key(a, 1..2, "a", text);
        let seq = draft.push(14..25);
        draft.set_key(seq, 7..12, "q x", text);
        draft.set_shape(seq, Shape::Sequence);
        draft.push(15..16);
        let map = draft.push(18..24);
        draft.set_shape(map, Shape::Mapping);
        let b = draft.push(22..23);
        draft.set_key(b, 19..20, "b", text);
        draft.close(map, 24);
        draft.close(seq, 25);
        draft.close(root, text.len());
        let (tree, root) = draft.freeze();
        let at = |pointer| tree.lookup(root, pointer, text);
        assert_eq!(&text[at("/a").value], "1");
        assert_eq!(&text[at("/q x/1/b").value], "6");
        assert_eq!(&text[at("/q x/1/b").key.unwrap()], "b");
        assert_eq!(&text[at("/q x").key.unwrap()], "\"q x\"");
        let missing = at("/q x/2");
        assert!(!missing.complete);
        assert_eq!(missing.value, 14..25, "stops at the deepest node found");
        assert!(!at("/a/deeper").complete);
        assert!(!at("/nope").complete);
    }
}
