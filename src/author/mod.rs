//! Authoring: `meshctl new` writes the seed patterns of the traffic
//! management guide (gateway, routing, canary, blue/green, resilience) with
//! Istio's API or the Gateway API, and a route-test file that pins them.
//! A pattern is first a [`plan::Plan`]; each API renders it.

pub mod convert;
pub mod gateway_api;
pub mod istio;
pub mod patterns;
pub mod plan;
pub mod proof;
pub mod route_tests;
pub mod target;
pub mod yaml;

/// The API the manifests are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Api {
    /// Gateway, VirtualService, DestinationRule.
    Istio,
    /// Gateway and HTTPRoute (parentRefs to the Service for mesh routing).
    #[value(name = "gateway-api")]
    GatewayApi,
}

/// One resource, as YAML text.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub kind: &'static str,
    pub name: String,
    pub text: String,
}

impl Manifest {
    pub fn new(kind: &'static str, name: String, text: String) -> Manifest {
        Manifest { kind, name, text }
    }

    /// The file it is written to in an `--out` folder: `name-kind.yaml`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.yaml", self.name, self.kind.to_ascii_lowercase())
    }
}

/// What a pattern writes, and what the user should know about it.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub manifests: Vec<Manifest>,
    pub warnings: Vec<String>,
}

/// Renders `plan` for `target` with `api`.
pub fn render(plan: &plan::Plan, target: &target::Target, api: Api) -> Written {
    match api {
        Api::Istio => Written {
            manifests: istio::render(plan, target),
            warnings: Vec::new(),
        },
        Api::GatewayApi => gateway_api::render(plan, target),
    }
}

/// Manifests as one multi-document YAML stream.
pub fn stream(manifests: &[Manifest]) -> String {
    manifests
        .iter()
        .map(|m| m.text.as_str())
        .collect::<Vec<_>>()
        .join("---\n")
}
