//! `istioctl analyze` analyzers (pkg/config/analysis/analyzers), rule by
//! rule: each test is named after the Go analyzer whose behaviour it pins.

mod common;

use common::{diagnostics_of, lines_of};

/// The lines where `validate` reports `code` for `yaml`.
fn codes_of(yaml: &str, code: &str) -> Vec<u64> {
    lines_of(yaml, code, &[])
}

fn service(namespace: &str, labels: &str, port: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  namespace: {namespace}\n  labels: {labels}\nspec:\n  ports:\n  - {port}\n"
    )
}

/// service/portname.go (`PortNameAnalyzer`) with `ConvertProtocol`: the
/// appProtocol, when set, decides alone; ports 25, 53, 3306 and 27017 are
/// TCP without a name; the control plane (a label `istio`, or `release:
/// istio`) and gateway-managed Services are skipped, system namespaces are
/// not.
#[test]
fn port_name_analyzer() {
    let ist0118 = |namespace: &str, labels: &str, port: &str| {
        codes_of(&service(namespace, labels, port), "MC2401")
    };
    assert_eq!(ist0118("shop", "{}", "{port: 80, name: web}"), vec![9]);
    assert_eq!(
        ist0118("shop", "{}", "{port: 80, name: http-web}"),
        Vec::<u64>::new()
    );
    assert_eq!(
        ist0118("shop", "{}", "{port: 80, name: http, appProtocol: custom}"),
        vec![9],
        "appProtocol wins over the name"
    );
    assert_eq!(
        ist0118("shop", "{}", "{port: 80, name: web, appProtocol: http}"),
        Vec::<u64>::new()
    );
    for port in [25, 53, 3306, 27017] {
        assert_eq!(
            ist0118("shop", "{}", &format!("{{port: {port}}}")),
            Vec::<u64>::new(),
            "{port}"
        );
    }
    assert_eq!(ist0118("shop", "{}", "{port: 8080}"), vec![9]);
    assert_eq!(
        ist0118("kube-system", "{}", "{port: 80, name: web}"),
        vec![9]
    );
    for skipped in [
        "{istio: pilot}",
        "{release: istio}",
        "{gateway.istio.io/managed: istio.io-gateway-controller}",
        "{gateway.istio.io/managed: istio.io-mesh-controller}",
        "{gateway.istio.io/managed: istio.io-eastwest-controller}",
    ] {
        assert_eq!(
            ist0118("shop", skipped, "{port: 80, name: web}"),
            Vec::<u64>::new(),
            "{skipped}"
        );
    }
    assert_eq!(
        ist0118(
            "shop",
            "{gateway.istio.io/managed: someone-else}",
            "{port: 80, name: web}"
        ),
        vec![9]
    );
}

fn service_entry(name: &str, namespace: &str, export_to: &str, port: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  hosts: [api.example.com]\n  exportTo: {export_to}\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports: [{port}]\n"
    )
}

/// serviceentry/conflictingserviceentries.go
/// (`ConflictingServiceEntryProtocolAnalyzer`): one host and port with
/// different protocols conflict within an exportTo scope the entries share
/// (export-to-all is shared by every scope); an unset protocol is a protocol
/// of its own; each ServiceEntry is reported once, at its name.
#[test]
fn conflicting_service_entry_protocol_analyzer() {
    // Each side: namespace, exportTo (`*` or `.`), ports.
    let ports = |name: &str| match name {
        "https" => "{number: 443, name: https, protocol: HTTPS}",
        "tls" => "{number: 443, name: tls, protocol: TLS}",
        "unset" => "{number: 443, name: web}",
        "https+admin" => {
            "{number: 443, name: https, protocol: HTTPS}, {number: 8443, name: admin, protocol: HTTPS}"
        }
        _ => "{number: 443, name: tls, protocol: TLS}, {number: 8443, name: admin, protocol: TCP}",
    };
    for (why, a, b, conflict) in [
        (
            "both exported everywhere",
            "shop * https",
            "shop * tls",
            true,
        ),
        (
            "no namespace sees both",
            "shop . https",
            "billing . tls",
            false,
        ),
        ("shop sees both", "shop . https", "billing * tls", true),
        (
            "an unset protocol differs from HTTPS",
            "shop * https",
            "shop * unset",
            true,
        ),
        (
            "one report per entry, however many ports",
            "shop * https+admin",
            "shop * tls+admin",
            true,
        ),
    ] {
        let entry = |name: &str, side: &str| {
            let parts: Vec<&str> = side.split(' ').collect();
            service_entry(
                name,
                parts[0],
                &format!("[\"{}\"]", parts[1]),
                ports(parts[2]),
            )
        };
        let yaml = format!("{}---\n{}", entry("a", a), entry("b", b));
        let expected: Vec<u64> = if conflict { vec![3, 13] } else { vec![] };
        assert_eq!(codes_of(&yaml, "MC2103"), expected, "{why}");
    }
}

/// A mesh VirtualService `namespace/name` for `hosts`, exported to `export_to`
/// (a YAML list, or empty for the default) and bound to `gateways`.
fn mesh_virtual_service(name: &str, hosts: &str, export_to: &str, gateways: &str) -> String {
    let (namespace, name) = name.split_once('/').expect("namespace/name");
    let export_to = if export_to.is_empty() {
        String::new()
    } else {
        format!("  exportTo: {export_to}\n")
    };
    format!(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  hosts: {hosts}\n{export_to}  gateways: {gateways}\n  http: [{{route: [{{destination: {{host: backend}}}}]}}]\n---\n"
    )
}

/// The `namespace/name` of each resource `validate` reports `code` on, sorted.
fn reported(yaml: &str, code: &str) -> Vec<String> {
    let mut names: Vec<String> = diagnostics_of(yaml)
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            format!(
                "{}/{}",
                d["resource"]["namespace"].as_str().unwrap(),
                d["resource"]["name"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

/// virtualservice/conflictingmeshgatewayhosts.go
/// (`ConflictingMeshGatewayHostsAnalyzer`): mesh VirtualServices conflict on a
/// host (short names expanded) within one exportTo scope; a restricted scope
/// also sees every export-to-all VirtualService whose host overlaps it,
/// wildcards included; each VirtualService is reported once.
#[test]
fn conflicting_mesh_gateway_hosts_analyzer() {
    let all = "[mesh]";
    let yaml = [
        // Same host after expansion, both exported everywhere.
        mesh_virtual_service("foo/ratings", "[ratings, other.example.com]", "", all),
        mesh_virtual_service(
            "bar/ratings",
            "[ratings.foo.svc.cluster.local, other.example.com]",
            "",
            "[edge, mesh]",
        ),
        // A gateway-only VirtualService is not a mesh one.
        mesh_virtual_service("bar/edge", "[ratings.foo.svc.cluster.local]", "", "[edge]"),
        // Restricted to their own namespaces: no namespace sees both.
        mesh_virtual_service(
            "team1/details",
            "[details.team1.svc.cluster.local]",
            "[\".\"]",
            all,
        ),
        mesh_virtual_service(
            "team2/details",
            "[details.team1.svc.cluster.local]",
            "[\".\"]",
            all,
        ),
        // Restricted `*.shop.d` overlaps export-to-all `*.d`.
        mesh_virtual_service("foo/shop-d", "[\"*.shop.d\"]", "[\".\"]", all),
        mesh_virtual_service("bar/shop-d", "[\"*.d\"]", "[\"*\"]", all),
        // Both export-to-all, different names: Istio does not compare wildcards there.
        mesh_virtual_service("foo/shop-e", "[\"*.e\"]", "", all),
        mesh_virtual_service("bar/shop-e", "[\"a.e\"]", "", all),
        // Restricted to one namespace each, the same namespace: a conflict.
        mesh_virtual_service("foo/shop-f", "[\"*.shop.f\"]", "[foo]", all),
        mesh_virtual_service("bar/shop-f", "[\"*.shop.f\"]", "[foo]", all),
    ]
    .concat();
    assert_eq!(
        reported(&yaml, "MC2101"),
        [
            "bar/ratings",
            "bar/shop-d",
            "bar/shop-f",
            "foo/ratings",
            "foo/shop-d",
            "foo/shop-f"
        ]
    );
}

/// virtualservice/gateways.go (`GatewayAnalyzer`, `vsHostInKubernetesGateway`):
/// a VirtualService bound to a Gateway API Gateway must share a host with one
/// of its listeners, and a listener without a hostname serves every host.
#[test]
fn gateway_analyzer_kubernetes_gateway_hosts() {
    let yaml = |listeners: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: edge, namespace: shop}}\nspec:\n  gatewayClassName: istio\n  listeners:\n{listeners}---\n{}",
            mesh_virtual_service("shop/web", "[web.example.com]", "", "[edge]")
        )
    };
    let named = "  - {name: a, port: 80, protocol: HTTP, hostname: api.example.com}\n";
    let wildcard = "  - {name: b, port: 80, protocol: HTTP, hostname: \"*.example.com\"}\n";
    let any = "  - {name: c, port: 8080, protocol: HTTP}\n";
    assert_eq!(reported(&yaml(named), "MC2006"), ["shop/web"]);
    assert!(reported(&yaml(&format!("{named}{wildcard}")), "MC2006").is_empty());
    assert!(
        reported(&yaml(&format!("{named}{any}")), "MC2006").is_empty(),
        "a listener without hostname matches all"
    );
}

/// The subsets `validate ARGS` reports as selecting no pods (MC2302), by
/// line, for a DestinationRule of `web` with `subsets`, the Service, a Pod
/// on `node-1` and `node` (a Node document, or nothing).
fn subsets_without_pods(subsets: &str, node: &str, args: &[&str]) -> Vec<u64> {
    let yaml = format!(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: web, namespace: shop}}\nspec:\n  host: web.shop.svc.cluster.local\n  subsets:\n{subsets}---\napiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: {{app: web}}\n  ports: [{{name: http, port: 80}}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: web-1, namespace: shop, labels: {{app: web, version: v1}}}}\nspec: {{nodeName: node-1}}\n{node}"
    );
    lines_of(&yaml, "MC2302", args)
}

/// destinationrule/subset.go (`PodNotSelectedAnalyzer`) with pilot's
/// `label.AugmentLabels`: a pod carries its node's region, zone and subzone
/// and `kubernetes.io/hostname` from its nodeName; empty values are not
/// added, so a subset selecting an empty topology label selects nothing.
/// Without the Node in the input a topology label is unknown (not
/// reported) unless `--complete` says the input is the whole cluster.
#[test]
fn pod_not_selected_analyzer_augment_labels() {
    let subsets = [
        "  - {name: empty-region, labels: {topology.kubernetes.io/region: \"\"}}\n",
        "  - {name: west, labels: {topology.kubernetes.io/region: eu-west-1}}\n",
        "  - {name: east, labels: {topology.kubernetes.io/region: us-east-1}}\n",
        "  - {name: zone-a, labels: {topology.kubernetes.io/zone: eu-west-1a}}\n",
        "  - {name: on-node, labels: {kubernetes.io/hostname: node-1}}\n",
        "  - {name: v1-west, labels: {version: v1, topology.kubernetes.io/region: eu-west-1}}\n",
        "  - {name: cluster, labels: {topology.istio.io/cluster: c1}}\n",
    ]
    .concat();
    let node = "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: node-1\n  labels: {topology.kubernetes.io/region: eu-west-1, topology.kubernetes.io/zone: eu-west-1a}\n";
    // Lines of the subsets: empty-region 7, east 9, cluster 13.
    assert_eq!(subsets_without_pods(&subsets, node, &[]), [7, 9]);
    assert_eq!(
        subsets_without_pods(&subsets, node, &["--complete"]),
        [7, 9, 13],
        "the cluster ID is Istio's own: unknown unless the input is complete"
    );
    assert_eq!(
        subsets_without_pods(&subsets, "", &[]),
        [7],
        "without the Node only the empty value is known to select nothing"
    );
    assert_eq!(
        subsets_without_pods(&subsets, "", &["--complete"]),
        [7, 8, 9, 10, 12, 13],
        "a complete input without the Node: the pod has no region or zone"
    );
}

/// serviceentry/protocoladdresses.go (`ProtocolAddressesAnalyzer`): each
/// port whose protocol is unset, empty or TCP (any case) needs an address
/// when the ServiceEntry has none, unless its status holds an allocated
/// one; the resolution and the auto-allocation label do not matter.
#[test]
fn protocol_addresses_analyzer() {
    let entry = |extra: &str, port: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: db, namespace: shop, labels: {{networking.istio.io/enable-autoallocate-ip: \"true\"}}}}\nspec:\n  hosts: [db.example.com]\n  location: MESH_EXTERNAL\n  resolution: DNS\n{extra}  ports:\n  - {port}\n"
        )
    };
    let ist0134 = |extra: &str, port: &str| codes_of(&entry(extra, port), "MC1505");
    let tcp = "{number: 5432, name: pg, protocol: TCP}";
    assert_eq!(ist0134("", tcp), vec![9], "the label does not silence it");
    assert_eq!(
        ist0134("", "{number: 5432, name: pg, protocol: tcp}"),
        vec![9]
    );
    assert_eq!(ist0134("", "{number: 5432, name: pg}"), vec![9]);
    assert_eq!(
        ist0134("", "{number: 5432, name: pg, protocol: \"\"}"),
        vec![9]
    );
    assert!(ist0134("", "{number: 443, name: https, protocol: HTTPS}").is_empty());
    assert!(ist0134("  addresses: [240.240.0.10]\n", tcp).is_empty());
    let allocated = format!(
        "{}status:\n  addresses: [{{value: 240.240.0.10, host: db.example.com}}]\n",
        entry("", tcp)
    );
    assert!(
        codes_of(&allocated, "MC1505").is_empty(),
        "allocated in the status"
    );
}

/// analyzers/sidecar/selector.go: more than one namespace-wide Sidecar in a
/// namespace (IST0111, each reported), and a pod two Sidecars' selectors
/// pick (IST0110); Sidecars in different namespaces never conflict.
#[test]
fn sidecar_selector_analyzer() {
    let sidecar = |ns: &str, name: &str, selector: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{namespace: {ns}, name: {name}}}\nspec:\n{selector}  egress: [{{hosts: [\"./*\"]}}]\n---\n"
        )
    };
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: reviews-1, labels: {app: reviews, version: v1}}\nspec: {containers: [{name: reviews, image: reviews}]}\n";
    let wide = format!(
        "{}{}{}",
        sidecar("shop", "a", ""),
        sidecar("shop", "b", ""),
        sidecar("web", "c", "")
    );
    assert_eq!(codes_of(&wide, "MC2012"), vec![3, 9]);
    let selecting = format!(
        "{}{}{}{pod}",
        sidecar(
            "shop",
            "by-app",
            "  workloadSelector: {labels: {app: reviews}}\n"
        ),
        sidecar(
            "shop",
            "by-version",
            "  workloadSelector: {labels: {version: v1}}\n"
        ),
        sidecar(
            "shop",
            "other",
            "  workloadSelector: {labels: {version: v2}}\n"
        ),
    );
    assert_eq!(codes_of(&selecting, "MC2013"), vec![5, 12]);
    assert!(codes_of(&selecting, "MC2012").is_empty());
}
