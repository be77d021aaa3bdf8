//! Port protocols as Istio parses them (`pkg/config/protocol`): case-insensitive names.

/// A port protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Http2,
    HttpProxy,
    Grpc,
    GrpcWeb,
    Https,
    Tls,
    Tcp,
    Udp,
    Mongo,
    Redis,
    Mysql,
    Unsupported,
}

impl Protocol {
    /// Istio's `protocol.Parse`: unknown names are `Unsupported`.
    pub fn parse(name: &str) -> Protocol {
        match name.to_ascii_lowercase().as_str() {
            "http" => Protocol::Http,
            "http2" => Protocol::Http2,
            "http_proxy" => Protocol::HttpProxy,
            "grpc" => Protocol::Grpc,
            "grpc-web" => Protocol::GrpcWeb,
            "https" => Protocol::Https,
            "tls" => Protocol::Tls,
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "mongo" => Protocol::Mongo,
            "redis" => Protocol::Redis,
            "mysql" => Protocol::Mysql,
            _ => Protocol::Unsupported,
        }
    }

    /// Istio's `ConvertProtocol` (pkg/config/kube/conversion.go) for a
    /// Kubernetes Service port: UDP; else the appProtocol when it is set (the
    /// port name is then not read), else the port name, up to its first `-`;
    /// an unrecognised protocol on a well-known port (25, 53, 3306, 27017)
    /// is TCP.
    pub fn of_service_port(
        number: u64,
        name: Option<&str>,
        protocol: Option<&str>,
        app_protocol: Option<&str>,
    ) -> Protocol {
        if protocol.is_some_and(|p| p.eq_ignore_ascii_case("UDP")) {
            return Protocol::Udp;
        }
        let name = match app_protocol {
            Some("kubernetes.io/h2c") => return Protocol::Http2,
            Some("kubernetes.io/ws") => return Protocol::Http,
            Some("kubernetes.io/wss") => return Protocol::Https,
            Some(app) => app,
            None => name.unwrap_or(""),
        };
        if name.to_ascii_lowercase().starts_with("grpc-web") {
            return Protocol::GrpcWeb;
        }
        match Protocol::parse(name.split('-').next().unwrap_or(name)) {
            Protocol::Unsupported if matches!(number, 25 | 53 | 3306 | 27017) => Protocol::Tcp,
            parsed => parsed,
        }
    }

    /// Protocols Envoy speaks upstream as HTTP/2 (Istio's `IsHTTP2`).
    pub fn is_http2(self) -> bool {
        matches!(self, Protocol::Http2 | Protocol::Grpc)
    }

    /// HTTP-family protocols (routed by `http` rules).
    pub fn is_http(self) -> bool {
        matches!(
            self,
            Protocol::Http
                | Protocol::Http2
                | Protocol::HttpProxy
                | Protocol::Grpc
                | Protocol::GrpcWeb
        )
    }

    /// Protocols carrying TLS on the wire.
    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }

    /// Protocols Envoy proxies as TCP.
    pub fn is_tcp(self) -> bool {
        matches!(
            self,
            Protocol::Tcp
                | Protocol::Https
                | Protocol::Tls
                | Protocol::Mongo
                | Protocol::Redis
                | Protocol::Mysql
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_unknown_ones_unsupported() {
        assert_eq!(Protocol::parse("GRPC-Web"), Protocol::GrpcWeb);
        assert_eq!(Protocol::parse("h2c"), Protocol::Unsupported);
        assert!(Protocol::parse("HTTPS").is_tls() && Protocol::parse("HTTPS").is_tcp());
        assert!(!Protocol::parse("HTTPS").is_http());
    }
}
