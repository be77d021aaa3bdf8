//! A host's connection pool on one client proxy, as Envoy's pools carry
//! requests (§4.3): HTTP/1.1 puts one request on a connection at a time;
//! HTTP/2 (and gRPC) multiplexes streams on a connection up to
//! `maxConcurrentStreams`, and a connection that has started
//! `maxRequestsPerConnection` streams drains: it takes no new stream and
//! closes when its last one ends, still counting against `maxConnections`.

/// How a cluster's connections carry requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolKind {
    /// HTTP/2 or gRPC upstream.
    pub multiplexed: bool,
    /// HTTP/2 streams open at once on one connection.
    pub concurrent_streams: u32,
    /// Streams one HTTP/2 connection starts before it drains. (HTTP/1.1
    /// closes such a connection and opens another at once; with no connect
    /// latency modelled that changes nothing, so HTTP/1.1 ignores it.)
    pub requests_per_connection: u32,
}

impl PoolKind {
    /// Envoy's HTTP/1.1 pool.
    pub const HTTP1: PoolKind = PoolKind {
        multiplexed: false,
        concurrent_streams: 1,
        requests_per_connection: u32::MAX,
    };
}

/// One HTTP/2 connection.
#[derive(Debug, Clone, Copy)]
struct Connection {
    id: u32,
    /// Streams open on it.
    open: u32,
    /// Streams it may still start; 0 means draining.
    left: u32,
}

/// The connections of one host.
#[derive(Debug, Clone, Default)]
pub struct HostPool {
    /// Open connections, draining ones included.
    connections: u32,
    /// HTTP/1.1: connections carrying a request.
    busy: u32,
    /// HTTP/2: every open connection, oldest first.
    multiplexed: Vec<Connection>,
    next_id: u32,
}

impl HostPool {
    /// Open connections to this host.
    pub fn connections(&self) -> u32 {
        self.connections
    }

    /// A connection that can take one more request now, if any.
    fn ready(&self, kind: PoolKind) -> Option<usize> {
        if kind.multiplexed {
            self.multiplexed
                .iter()
                .position(|c| c.left > 0 && c.open < kind.concurrent_streams)
        } else {
            (self.connections > self.busy).then_some(0)
        }
    }

    /// Whether a request can start now: on an open connection with room, or
    /// on a new one while the cluster has fewer than `max_connections` open
    /// (Envoy always lets a host without connections open one).
    pub fn can_start(
        &self,
        kind: PoolKind,
        cluster_connections: u32,
        max_connections: u32,
    ) -> bool {
        self.ready(kind).is_some() || cluster_connections < max_connections || self.connections == 0
    }

    /// Starts a request (after [`HostPool::can_start`]); returns the id of
    /// its connection and whether that connection was opened for it.
    pub fn start(&mut self, kind: PoolKind) -> (u32, bool) {
        if !kind.multiplexed {
            let opened = self.connections == self.busy;
            self.connections += u32::from(opened);
            self.busy += 1;
            return (0, opened);
        }
        let (index, opened) = match self.ready(kind) {
            Some(index) => (index, false),
            None => {
                self.multiplexed.push(Connection {
                    id: self.next_id,
                    open: 0,
                    left: kind.requests_per_connection,
                });
                self.next_id = self.next_id.wrapping_add(1);
                self.connections += 1;
                (self.multiplexed.len() - 1, true)
            }
        };
        let connection = &mut self.multiplexed[index];
        connection.open += 1;
        connection.left -= 1;
        (connection.id, opened)
    }

    /// Ends a request on connection `id`; `reset` is a stream reset (a
    /// timeout), which closes an HTTP/1.1 connection but only the stream of
    /// an HTTP/2 one. Returns whether a connection closed.
    pub fn end(&mut self, kind: PoolKind, id: u32, reset: bool) -> bool {
        if !kind.multiplexed {
            self.busy -= 1;
            self.connections -= u32::from(reset);
            return reset;
        }
        let Some(index) = self.multiplexed.iter().position(|c| c.id == id) else {
            return false;
        };
        let connection = &mut self.multiplexed[index];
        connection.open -= 1;
        let closes = connection.left == 0 && connection.open == 0;
        if closes {
            self.multiplexed.remove(index);
            self.connections -= 1;
        }
        closes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h2(concurrent_streams: u32, requests_per_connection: u32) -> PoolKind {
        PoolKind {
            multiplexed: true,
            concurrent_streams,
            requests_per_connection,
        }
    }

    #[test]
    fn http1_carries_one_request_per_connection_and_a_reset_closes_it() {
        let mut pool = HostPool::default();
        let kind = PoolKind::HTTP1;
        assert_eq!(pool.start(kind), (0, true));
        assert!(!pool.can_start(kind, 1, 1), "the only connection is busy");
        assert!(!pool.end(kind, 0, false));
        assert!(pool.can_start(kind, 1, 1), "the connection is idle again");
        assert_eq!(pool.start(kind), (0, false));
        assert!(pool.end(kind, 0, true));
        assert_eq!(pool.connections(), 0);
    }

    #[test]
    fn http2_multiplexes_every_stream_on_one_connection() {
        let mut pool = HostPool::default();
        let kind = h2(u32::MAX, u32::MAX);
        let first = pool.start(kind);
        for _ in 0..100 {
            assert!(pool.can_start(kind, 1, 1));
            assert_eq!(pool.start(kind), (first.0, false));
        }
        assert_eq!(pool.connections(), 1);
        assert!(
            !pool.end(kind, first.0, true),
            "a reset ends only the stream"
        );
        assert_eq!(pool.connections(), 1);
    }

    #[test]
    fn an_http2_connection_drains_after_max_requests_per_connection_and_closes_when_idle() {
        let mut pool = HostPool::default();
        let kind = h2(u32::MAX, 2);
        let (a, _) = pool.start(kind);
        let (b, _) = pool.start(kind);
        assert_eq!(a, b);
        assert!(
            !pool.can_start(kind, 1, 1),
            "draining, and no room for another connection"
        );
        assert!(!pool.end(kind, a, false));
        assert_eq!(pool.connections(), 1, "still draining one stream");
        assert!(pool.end(kind, a, false));
        assert!(pool.can_start(kind, 0, 1));
        let (c, opened) = pool.start(kind);
        assert!(opened && c != a);
    }

    #[test]
    fn max_concurrent_streams_opens_a_second_connection() {
        let mut pool = HostPool::default();
        let kind = h2(1, u32::MAX);
        let (a, _) = pool.start(kind);
        assert!(!pool.can_start(kind, 1, 1));
        assert!(pool.can_start(kind, 1, 2));
        let (b, opened) = pool.start(kind);
        assert!(opened && a != b);
        assert!(!pool.end(kind, a, false));
        assert_eq!(pool.start(kind), (a, false));
    }
}
