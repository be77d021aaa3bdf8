//! Property tests of the shift editor: for generated VirtualServices in many
//! layouts (block or flow, LF or CRLF, comments, quoting, a missing weight,
//! other documents around), applying a step gives exactly the file one would
//! have written by hand with the new weights, and reads back as those weights.

use meshctl::load::Loaded;
use meshctl::shift::strategy::Strategy as Rollout;
use meshctl::shift::target::{self, Selector};
use meshctl::validate::{self, Options};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Layout {
    flow: bool,
    crlf: bool,
    comments: bool,
    quote: &'static str,
    canary_weight_written: bool,
    doc_before: bool,
    doc_after: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["", "'", "\""]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(flow, crlf, comments, quote, canary_weight_written, doc_before, doc_after)| Layout {
                flow,
                crlf,
                comments,
                quote,
                canary_weight_written,
                doc_before,
                doc_after,
            },
        )
}

const DR: &str = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: shop}\nspec:\n  host: reviews\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n";

/// The manifest with these weights (`None`: the canary's weight is not written).
fn render(l: &Layout, stable: u32, canary: Option<u32>) -> String {
    let q = |s: &str| format!("{}{s}{}", l.quote, l.quote);
    let c = |text: &str| {
        if l.comments {
            format!("  # {text}")
        } else {
            String::new()
        }
    };
    let mut out = String::new();
    if l.doc_before {
        out.push_str(DR);
        out.push_str("---\n");
    }
    out.push_str(&format!(
        "# reviews rollout{}\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: shop\nspec:\n  hosts: [{}]\n  http:\n",
        c("keep me"),
        q("reviews")
    ));
    let canary_weight = |flow: bool| match canary {
        Some(w) if flow => format!(", weight: {w}"),
        Some(w) => format!("\n      weight: {w}"),
        None => String::new(),
    };
    if l.flow {
        out.push_str(&format!(
            "  - route: [{{destination: {{host: {}, subset: v1}}, weight: {stable}}}, {{destination: {{host: {}, subset: v2}}{}}}]{}\n",
            q("reviews"),
            q("reviews"),
            canary_weight(true),
            c("flow")
        ));
    } else {
        out.push_str(&format!(
            "  - route:\n    - destination:\n        host: {}\n        subset: v1{}\n      weight: {stable}\n",
            q("reviews"),
            c("stable")
        ));
        if l.comments {
            out.push_str("    # the canary\n");
        }
        out.push_str(&format!(
            "    - destination:\n        host: {}\n        subset: v2{}{}\n",
            q("reviews"),
            c("canary"),
            canary_weight(false)
        ));
    }
    if l.doc_after {
        out.push_str("---\n");
        out.push_str(DR);
    }
    if l.crlf {
        out = out.replace('\n', "\r\n");
    }
    out
}

fn outcome(text: &str) -> validate::Outcome {
    let mut loaded = Loaded::default();
    loaded.add_bytes("reviews.yaml".into(), text.as_bytes().to_vec());
    validate::run(
        loaded,
        &Options {
            default_namespace: "default".into(),
            ..Options::default()
        },
    )
}

proptest! {
    #[test]
    fn a_step_changes_the_weights_and_nothing_else(
        l in layout(),
        canary in 0u32..=100,
        step in 1u32..=100,
    ) {
        let canary = if l.canary_weight_written { canary } else { 0 };
        let stable = 100 - canary;
        let text = render(&l, stable, l.canary_weight_written.then_some(canary));
        let before = outcome(&text);
        let selector = Selector { from: Some("v1"), to: Some("v2"), ..Selector::default() };
        let split = target::find(&before.config, &selector).expect("the route is found");
        prop_assert_eq!(split.weights(), vec![stable, canary]);
        let Some(next) = Rollout::Step(step).next(canary) else {
            return Ok(());
        };
        let after = vec![100 - next, next];
        let edited = meshctl::shift::rewrite(&before, &split, &after).expect("the edit applies");
        // Byte for byte what one would write by hand with the new weights.
        prop_assert_eq!(&edited, &render(&l, 100 - next, Some(next)));
        let reread = outcome(&edited);
        let split = target::find(&reread.config, &selector).expect("the route is found again");
        prop_assert_eq!(split.weights(), after);
    }
}
