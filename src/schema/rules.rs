//! Rules for structural problems found by the JSON Schemas, and the Istio
//! primitive checks the schemas carry as formats.

use crate::diagnostic::{Rule, Severity};

pub static UNKNOWN_FIELD: Rule = Rule {
    code: "MC0101",
    name: "unknown-field",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A field that the resource's API does not define.",
    docs: "## What it does\nFlags fields the API does not know, and suggests the closest known name.\n\n\
## Why is this bad?\nThe API server prunes unknown fields silently (or rejects them with strict field \
validation). A typo such as `weigth` means the setting you wrote never takes effect.\n\n\
## Example\n```yaml\nroute:\n- destination: {host: reviews}\n  weigth: 10\n```\n\n## Use instead\n```yaml\nroute:\n- destination: {host: reviews}\n  weight: 10\n```\n",
};

pub static WRONG_TYPE: Rule = Rule {
    code: "MC0102",
    name: "wrong-type",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A value of the wrong type (a string where a number belongs, a map for a list, ...).",
    docs: "## What it does\nChecks every value against the type the API defines.\n\n\
## Why is this bad?\nThe API server rejects the resource.\n\n## Example\n```yaml\nweight: \"90\"\n```\n\n## Use instead\n```yaml\nweight: 90\n```\n",
};

pub static INVALID_ENUM: Rule = Rule {
    code: "MC0103",
    name: "invalid-enum-value",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A value outside the set the API allows.",
    docs: "## What it does\nChecks enumerated fields (load balancer, TLS mode, resolution, ...) and suggests the closest allowed value.\n\n\
## Why is this bad?\nThe API server rejects the resource.\n\n## Example\n```yaml\nloadBalancer:\n  simple: LEAST_CONNECTION\n```\n\n## Use instead\n```yaml\nloadBalancer:\n  simple: LEAST_REQUEST\n```\n",
};

pub static MISSING_FIELD: Rule = Rule {
    code: "MC0104",
    name: "missing-required-field",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A field the API requires is absent.",
    docs: "## What it does\nReports required fields that are missing (a destination's `host`, a DestinationRule's `host`, ...).\n\n\
## Why is this bad?\nThe API server rejects the resource.\n\n## Example\n```yaml\nroute:\n- destination:\n    subset: v1\n```\n\n\
## Use instead\n```yaml\nroute:\n- destination:\n    host: reviews\n    subset: v1\n```\n",
};

pub static CONSTRAINT: Rule = Rule {
    code: "MC0105",
    name: "schema-constraint",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A value breaks a limit of the API: a range, a length, a pattern, or fields that exclude each other.",
    docs: "## What it does\nChecks numeric ranges, list and string lengths, patterns and one-of constraints of the API.\n\n\
## Why is this bad?\nThe API server rejects the resource.\n\n## Example\n```yaml\nuri:\n  exact: /a\n  prefix: /b\n```\n\n## Use instead\n```yaml\nuri:\n  prefix: /b\n```\n",
};

pub static UNREADABLE_RESOURCE: Rule = Rule {
    code: "MC0106",
    name: "unreadable-resource",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A resource meshctl could not read into its model.",
    docs: "## What it does\nReports a resource whose content cannot be read even though its structure looked valid.\n\n\
## Why is this bad?\nmeshctl cannot check or route what it cannot read; the API server would most likely reject it too.\n\n\
## Example\nA number too large for its field.\n\n## Use instead\nA value within the field's range.\n",
};

pub static DUPLICATE_RESOURCE: Rule = Rule {
    code: "MC0107",
    name: "duplicate-resource",
    severity: Severity::Error,
    istio_code: None,
    summary: "The same resource (kind, namespace and name) defined more than once in the input.",
    docs: "## What it does\nFinds objects of the same kind, namespace and name in the input (across files, and across \
documents of one file). Every meshctl command uses the last definition in input order, as `kubectl apply -f` does; \
the finding points at each earlier one and names where the kept one is.\n\n\
## Why is this bad?\nOnly one object of that name can exist: applying the folder keeps the last definition and \
silently throws the others away, so what a reader sees in the earlier file is not what runs.\n\n\
## Example\nTwo files in one folder, both `kind: VirtualService`, `metadata: {name: reviews, namespace: default}`.\n\n\
## Use instead\nGive each object its own name, or keep the variants in separate folders and apply one of them.\n",
};

pub static INVALID_DURATION: Rule = Rule {
    code: "MC1001",
    name: "invalid-duration",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A duration that Istio rejects: malformed, under 1ms, or not a whole number of milliseconds.",
    docs: "## What it does\nChecks every duration field (timeout, perTryTimeout, interval, baseEjectionTime, connectTimeout, ...).\n\n\
## Why is this bad?\nIstio's validation requires at least 1ms and whole milliseconds; the webhook rejects the resource.\n\n\
## Example\n```yaml\ntimeout: 500us\n```\n\n## Use instead\n```yaml\ntimeout: 1ms\n```\n\n\
## References\nIstio `ValidateDuration` (pkg/config/validation/agent/validation.go); CRD rule `duration(self) >= duration('1ms')`.\n",
};

pub static INVALID_REGEX: Rule = Rule {
    code: "MC1002",
    name: "invalid-regex",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A regular expression that is empty, longer than 1024 characters, or not valid RE2.",
    docs: "## What it does\nCompiles every `regex` matcher with RE2 syntax, as Istio and Envoy do.\n\n\
## Why is this bad?\nIstio rejects the resource; RE2 has no look-around or back-references.\n\n\
## Example\n```yaml\nuri:\n  regex: \"/api/(?!internal).*\"\n```\n\n## Use instead\nSplit the rule: match `/api/internal.*` first and route it elsewhere.\n",
};

pub static INVALID_PORT: Rule = Rule {
    code: "MC1003",
    name: "invalid-port",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A port number outside 1..65535.",
    docs: "## What it does\nChecks port numbers in destinations, matches, servers and service entries.\n\n\
## Why is this bad?\nIstio rejects the resource.\n\n## Example\n```yaml\nport:\n  number: 70000\n```\n\n## Use instead\n```yaml\nport:\n  number: 8080\n```\n",
};

/// Every rule of this stage, for the registry.
pub static EXPERIMENTAL_FIELD: Rule = Rule {
    code: "MC0108",
    name: "experimental-gateway-api-field",
    severity: Severity::Error,
    istio_code: None,
    summary: "A Gateway API field of the experimental channel, where the cluster runs the standard channel's CRDs.",
    docs: "## What it does\nWith `--gateway-api-channel standard` (or `gateway-api-channel: standard` in `.meshctl.yaml`, \
or standard-channel Gateway API CRDs in the input), reports the fields only the experimental channel's CRDs define: \
a rule's `retry` and `sessionPersistence`, and `ExternalAuth` filters. Without a channel both are accepted.\n\n\
## Why is this bad?\nThe standard CRDs do not have the field: the API server prunes it when the object is applied, \
so the retry policy, session affinity or authorization it describes never takes effect.\n\n\
## Example\n```yaml\nrules:\n- retry: {codes: [503], attempts: 2}\n  backendRefs: [{name: api, port: 80}]\n```\n\n\
## Use instead\nInstall the experimental channel's CRDs, or move the setting to a policy the standard channel \
has (for Istio, a VirtualService).\n",
};

pub static RULES: &[&Rule] = &[
    &UNKNOWN_FIELD,
    &WRONG_TYPE,
    &INVALID_ENUM,
    &MISSING_FIELD,
    &CONSTRAINT,
    &UNREADABLE_RESOURCE,
    &DUPLICATE_RESOURCE,
    &EXPERIMENTAL_FIELD,
    &INVALID_DURATION,
    &INVALID_REGEX,
    &INVALID_PORT,
];
