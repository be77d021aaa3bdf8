//! Host and gateway names as Istio resolves them (§2.4 of the semantics reference).

use crate::model::host::is_ip;

pub use crate::model::host::{CLUSTER_DOMAIN, service_fqdn};

/// Istio's root namespace: mesh-wide defaults (DestinationRules) live there.
pub const ROOT_NAMESPACE: &str = "istio-system";

/// The namespace of a Kubernetes service FQDN (`name.ns.svc.cluster.local`).
pub fn service_namespace(host: &str) -> Option<&str> {
    let mut parts = host.split('.');
    let _name = parts.next()?;
    let ns = parts.next()?;
    (parts.next() == Some("svc")).then_some(ns)
}

/// Istio's `ResolveShortnameToFQDN`: a name without a dot (not `*`, not an
/// IP) becomes `name.<namespace>.svc.cluster.local`; other names are kept.
pub fn fqdn(host: &str, namespace: &str) -> String {
    if host.contains('.') || host == "*" || host.starts_with('*') || is_ip(host) {
        host.to_string()
    } else {
        service_fqdn(host, namespace)
    }
}

/// Istio's gateway name resolution: `gw` and `./gw` → `<ns>/gw`; legacy
/// `gw.ns[.svc.cluster.local]` → `ns/gw`; `ns/gw` and `mesh` unchanged.
pub fn gateway_ref(name: &str, namespace: &str) -> String {
    if name == "mesh" {
        return name.to_string();
    }
    if let Some((ns, gw)) = name.split_once('/') {
        let ns = if ns == "." { namespace } else { ns };
        return format!("{ns}/{gw}");
    }
    match name.split_once('.') {
        Some((gw, rest)) => {
            let ns = rest.split('.').next().unwrap_or(rest);
            format!("{ns}/{gw}")
        }
        None => format!("{namespace}/{name}"),
    }
}

/// The host a request's Host names, seen from a sidecar in `client_ns`: the
/// names Istio gives a service's virtual host (`generateAltVirtualHosts`) —
/// `reviews` (in the client's namespace), `reviews.shop`, `reviews.shop.svc`,
/// `reviews.shop.svc.cluster` — reach its FQDN when `known` says the FQDN is
/// a service; any other name is matched literally, as Envoy does (a name
/// only the caller's DNS search path would expand reaches no virtual host).
pub fn service_for_host(host: &str, client_ns: &str, known: impl Fn(&str) -> bool) -> String {
    let host = host.trim_end_matches('.');
    search_path_expansion(host, client_ns)
        .filter(|c| known(c))
        .unwrap_or_else(|| host.to_string())
}

/// The Kubernetes service FQDN a caller's DNS search path turns a short
/// `host` into (`reviews`, `reviews.shop`, `reviews.shop.svc`,
/// `reviews.shop.svc.cluster`), if it is such a short form.
pub fn search_path_expansion(host: &str, client_ns: &str) -> Option<String> {
    match host.matches('.').count() {
        0 => Some(service_fqdn(host, client_ns)),
        1 => Some(format!("{host}.{CLUSTER_DOMAIN}")),
        2 if host.ends_with(".svc") => Some(format!("{host}.cluster.local")),
        3 if host.ends_with(".svc.cluster") => Some(format!("{host}.local")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_expand_in_the_config_namespace() {
        // §2.4: the namespace of the VS/DR, not of the service.
        assert_eq!(fqdn("reviews", "shop"), "reviews.shop.svc.cluster.local");
        assert_eq!(fqdn("reviews.prod", "shop"), "reviews.prod");
        assert_eq!(fqdn("*.example.com", "shop"), "*.example.com");
        assert_eq!(fqdn("10.0.0.1", "shop"), "10.0.0.1");
    }

    #[test]
    fn gateway_names_resolve_like_istio() {
        assert_eq!(gateway_ref("gw", "shop"), "shop/gw");
        assert_eq!(gateway_ref("./gw", "shop"), "shop/gw");
        assert_eq!(gateway_ref("istio-system/gw", "shop"), "istio-system/gw");
        assert_eq!(
            gateway_ref("gw.istio-system.svc.cluster.local", "shop"),
            "istio-system/gw"
        );
        assert_eq!(gateway_ref("mesh", "shop"), "mesh");
    }

    #[test]
    fn host_header_forms_reach_the_service() {
        let known = |h: &str| h == "reviews.shop.svc.cluster.local";
        assert_eq!(
            service_for_host("reviews", "shop", known),
            "reviews.shop.svc.cluster.local"
        );
        assert_eq!(
            service_for_host("reviews.shop", "web", known),
            "reviews.shop.svc.cluster.local"
        );
        assert_eq!(
            service_for_host("reviews.shop.svc", "web", known),
            "reviews.shop.svc.cluster.local"
        );
        assert_eq!(
            service_for_host("reviews.shop.svc.cluster", "web", known),
            "reviews.shop.svc.cluster.local"
        );
        // `reviews` from another namespace names no service there: Envoy
        // matches it literally.
        assert_eq!(service_for_host("reviews", "web", known), "reviews");
        assert_eq!(
            service_for_host("reviews.other", "web", known),
            "reviews.other"
        );
    }
}
