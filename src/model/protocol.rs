//! Istio's protocol names (Gateway servers, ServiceEntry and Service ports).

/// A port protocol as Istio parses it (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Http2,
    Https,
    Grpc,
    GrpcWeb,
    Tcp,
    Tls,
    Mongo,
    Redis,
    Mysql,
    Udp,
    Unsupported,
}

impl Protocol {
    pub fn parse(name: &str) -> Protocol {
        match name.to_ascii_lowercase().as_str() {
            "http" => Protocol::Http,
            "http2" => Protocol::Http2,
            "https" => Protocol::Https,
            "grpc" => Protocol::Grpc,
            "grpc-web" => Protocol::GrpcWeb,
            "tcp" => Protocol::Tcp,
            "tls" => Protocol::Tls,
            "mongo" => Protocol::Mongo,
            "redis" => Protocol::Redis,
            "mysql" => Protocol::Mysql,
            "udp" => Protocol::Udp,
            _ => Protocol::Unsupported,
        }
    }

    pub fn is_http(self) -> bool {
        matches!(
            self,
            Protocol::Http | Protocol::Http2 | Protocol::Grpc | Protocol::GrpcWeb
        )
    }

    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }

    /// Protocol detected from a Kubernetes Service port's name or appProtocol,
    /// as `ConvertProtocol` does; `None` means Istio sniffs it.
    pub fn from_service_port(
        name: Option<&str>,
        app_protocol: Option<&str>,
        l4: Option<&str>,
    ) -> Option<Protocol> {
        if l4.is_some_and(|p| p.eq_ignore_ascii_case("UDP")) {
            return Some(Protocol::Udp);
        }
        if let Some(app) = app_protocol {
            match app {
                "kubernetes.io/h2c" => return Some(Protocol::Http2),
                "kubernetes.io/ws" => return Some(Protocol::Http),
                "kubernetes.io/wss" => return Some(Protocol::Https),
                _ => {
                    let p = Protocol::parse(app);
                    if p != Protocol::Unsupported {
                        return Some(p);
                    }
                }
            }
        }
        let name = name?;
        let prefix = name.split('-').next().unwrap_or(name);
        let p = if name.eq_ignore_ascii_case("grpc-web")
            || name.to_ascii_lowercase().starts_with("grpc-web-")
        {
            Protocol::GrpcWeb
        } else {
            Protocol::parse(prefix)
        };
        (p != Protocol::Unsupported).then_some(p)
    }
}
