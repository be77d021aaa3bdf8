//! `meshctl convert` through the real binary: what carries over converts
//! with no gap and routes the same (the proof routes diff's witness
//! requests through both configurations); what does not is reported at its
//! line and column, and the proof shows a request that now routes
//! elsewhere (Gateway API PathPrefix matches whole segments, where Istio's
//! prefix is a string prefix).

mod common;

use common::meshctl;
use tempfile::TempDir;

const SERVICES: &str = "fixtures/convert/services.yaml";

/// `convert SERVICES DIR --out OUT ARGS`: (exit code, report, converted text).
fn convert(dir: &str, args: &[&str]) -> (i32, String, String) {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("converted.yaml");
    let output = meshctl()
        .args(["convert", SERVICES, dir, "--out"])
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    let converted = std::fs::read_to_string(&out).unwrap_or_default();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        converted,
    )
}

#[test]
fn what_carries_over_converts_with_no_gap_and_routes_the_same() {
    let (code, report, converted) = convert("fixtures/convert/lossless", &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("0 gap(s), 0 class(es) of requests routed differently"),
        "{report}"
    );
    // The ingress route binds to the converted Gateway; the mesh route to the Service.
    assert!(
        converted.contains("kind: Gateway\nmetadata:\n  name: shop-gateway"),
        "{converted}"
    );
    assert!(
        converted
            .contains("  parentRefs:\n  - name: shop-gateway\n  hostnames:\n  - shop.example.com"),
        "{converted}"
    );
    assert!(
        converted.contains("  parentRefs:\n  - group: \"\"\n    kind: Service\n    name: reviews"),
        "{converted}"
    );
    // Subsets become Services selected by the Service's selector and the subset labels.
    assert!(converted.contains("name: reviews-v2\n  namespace: shop\nspec:\n  selector:\n    app: reviews\n    version: v2"), "{converted}");
    assert!(
        converted.contains("    - name: reviews-v1\n      port: 9080\n      weight: 90"),
        "{converted}"
    );
    // What it writes is valid with the input's Services.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("converted.yaml");
    std::fs::write(&file, &converted).unwrap();
    meshctl()
        .args(["validate", "--fail-on", "info", SERVICES])
        .arg(&file)
        .assert()
        .code(0);
}

#[test]
fn what_does_not_carry_over_is_a_gap_at_its_place_and_the_proof_shows_the_difference() {
    let (code, report, converted) = convert("fixtures/convert/lossy", &[]);
    assert_eq!(code, 1, "{report}");
    for (place, what) in [
        (
            "lossy/routing.yaml:21:7: VirtualService shop/web /spec/http/0/match/1/uri",
            "whole path segments",
        ),
        (
            "lossy/routing.yaml:25:5: VirtualService shop/web /spec/http/0/retries",
            "the standard channel has no retries",
        ),
        (
            "lossy/routing.yaml:51:5: VirtualService shop/reviews /spec/http/1/fault",
            "no fault injection",
        ),
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(place))
            .unwrap_or_else(|| panic!("no gap at {place}: {report}"));
        assert!(line.contains(what), "{line}");
    }
    // Istio's prefix /shop takes /shopx; the converted PathPrefix does not.
    assert!(report.contains("--path /shopx"), "{report}");
    assert!(report.contains("before: 200 -> web.shop 100 %"), "{report}");
    assert!(report.contains("after:  404 NR (no route)"), "{report}");
    assert!(
        report.contains("3 gap(s), 1 class(es) of requests routed differently"),
        "{report}"
    );
    // The timeouts carry over.
    assert!(
        converted.contains("    timeouts:\n      request: 5s\n      backendRequest: 1s"),
        "{converted}"
    );
    let (code, _, _) = convert("fixtures/convert/lossy", &["--allow-lossy"]);
    assert_eq!(code, 0);
}

#[test]
fn the_experimental_channel_keeps_retries() {
    let (code, report, converted) =
        convert("fixtures/convert/lossy", &["--channel", "experimental"]);
    assert_eq!(code, 1);
    assert!(!report.contains("/retries"), "{report}");
    assert!(
        converted.contains("    retry:\n      attempts: 2"),
        "{converted}"
    );
}

#[test]
fn subsets_as_references_write_no_services() {
    let (code, report, converted) = convert("fixtures/convert/lossless", &["--subsets", "refs"]);
    assert!(
        !converted.contains("apiVersion: v1\nkind: Service"),
        "{converted}"
    );
    assert!(converted.contains("- name: reviews-v1"), "{converted}");
    // The input has no reviews-v1 or reviews-v2: the proof says the
    // converted routes lead nowhere (500 NC, as Gateway API routes answer).
    assert_eq!(code, 1);
    assert!(
        report.contains("after:  500 NC -> reviews-v1.shop 90 %, reviews-v2.shop 10 %"),
        "{report}"
    );
}

#[test]
fn an_existing_output_is_kept() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("converted.yaml");
    std::fs::write(&out, "keep\n").unwrap();
    let output = meshctl()
        .args(["convert", SERVICES, "fixtures/convert/lossless", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep\n");
}

#[test]
fn a_destination_rule_policy_left_behind_by_a_subset_service_is_a_gap() {
    let dir = TempDir::new().unwrap();
    let routing = std::fs::read_to_string("fixtures/convert/lossless/routing.yaml")
        .unwrap()
        .replace(
            "  host: reviews\n  subsets:",
            "  host: reviews\n  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 10}}\n  subsets:",
        );
    std::fs::write(dir.path().join("routing.yaml"), routing).unwrap();
    let (code, report, _) = convert(dir.path().to_str().unwrap(), &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("DestinationRule shop/reviews /spec/trafficPolicy: the policy applies to host reviews, not to the Service reviews-v1 that carries subset v1"),
        "{report}"
    );
}
