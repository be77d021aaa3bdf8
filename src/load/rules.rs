//! Rules for problems found while reading files, before any schema applies.

use crate::diagnostic::{Rule, Severity};

pub static YAML_SYNTAX: Rule = Rule {
    code: "MC0001",
    name: "yaml-syntax",
    severity: Severity::Error,
    istio_code: None,
    summary: "The file is not well-formed YAML or JSON.",
    docs: "## What it does\nReports a syntax error at the position where the parser stopped.\n\n\
## Why is this bad?\n`kubectl apply` rejects the whole file; nothing in it reaches the cluster.\n\n\
## Example\n```yaml\nspec:\n  hosts: [reviews\n```\n\n## Use instead\n```yaml\nspec:\n  hosts: [reviews]\n```\n",
};

pub static DUPLICATE_KEY: Rule = Rule {
    code: "MC0002",
    name: "duplicate-key",
    severity: Severity::Error,
    istio_code: None,
    summary: "A mapping repeats a key.",
    docs: "## What it does\nFlags the second occurrence of a key in one mapping.\n\n\
## Why is this bad?\nYAML forbids duplicate keys. Tools disagree on which value wins (kubectl keeps the \
last, others the first or fail), so the applied configuration may not be the one you read.\n\n\
## Example\n```yaml\nroute:\n- destination: {host: reviews}\n  weight: 90\n  weight: 10\n```\n\n\
## Use instead\nKeep one `weight`.\n",
};

pub static ALIAS_LIMIT: Rule = Rule {
    code: "MC0003",
    name: "alias-expansion-limit",
    severity: Severity::Error,
    istio_code: None,
    summary: "YAML aliases expand to more nodes than meshctl accepts (a \"billion laughs\" file).",
    docs: "## What it does\nStops reading a document whose aliases (`*name`) would expand past 100,000 nodes.\n\n\
## Why is this bad?\nNested aliases grow exponentially; the API server and every tool that expands them \
can run out of memory.\n\n## Example\n```yaml\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n# ... nine more levels\n```\n\n\
## Use instead\nWrite the data out, or generate it with a templating tool.\n",
};

pub static NESTING_TOO_DEEP: Rule = Rule {
    code: "MC0004",
    name: "nesting-too-deep",
    severity: Severity::Error,
    istio_code: None,
    summary: "Collections are nested deeper than meshctl accepts.",
    docs: "## What it does\nStops reading a document nested more than 128 levels deep.\n\n\
## Why is this bad?\nNo Istio or Kubernetes resource nests that deep; such input is a mistake or an attack \
on the tools that read it.\n\n## Example\n```yaml\na: [[[[[[[[[[ ... ]]]]]]]]]]\n```\n\n## Use instead\nA flat structure.\n",
};

pub static YAML11_SCALAR: Rule = Rule {
    code: "MC0005",
    name: "yaml11-ambiguous-scalar",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A plain scalar means something else to kubectl (YAML 1.1) than to YAML 1.2 tools.",
    docs: "## What it does\nFlags unquoted values such as `on`, `no`, `y`, `0755` or `1_000`.\n\n\
## Why is this bad?\nKubernetes reads manifests with YAML 1.1 rules: `on` is the boolean `true` and `0755` \
is the number 493. YAML 1.2 tools (yq, many editors) read them as the strings \"on\" and \"0755\". \
meshctl validates what kubectl would send (the YAML 1.1 reading) and warns so the file means one thing.\n\n\
## Example\n```yaml\nlabels:\n  canary: on\n```\n\n## Use instead\n```yaml\nlabels:\n  canary: \"on\"\n```\n",
};

pub static UNREADABLE_FILE: Rule = Rule {
    code: "MC0006",
    name: "unreadable-file",
    severity: Severity::Error,
    istio_code: None,
    summary: "The file is not text meshctl can read (not UTF-8, binary, or too large).",
    docs: "## What it does\nReports files that are not UTF-8 text, contain NUL bytes, or exceed 64 MiB, and the file that takes the whole input past 512 MiB (it and the files after it are not read).\n\n\
## Why is this bad?\nKubernetes manifests are UTF-8 text; anything else is a wrong file in the input.\n\n\
## Example\nA `.yaml` file saved as UTF-16, or a binary renamed to `.yaml`.\n\n## Use instead\nSave the file as UTF-8.\n",
};

pub static UNSUPPORTED_KEY: Rule = Rule {
    code: "MC0007",
    name: "unsupported-key",
    severity: Severity::Error,
    istio_code: None,
    summary: "A mapping key is itself a mapping or a sequence.",
    docs: "## What it does\nFlags complex keys (`? [a, b]: value`).\n\n\
## Why is this bad?\nKubernetes objects are JSON, whose keys are strings; such a document cannot be applied.\n\n\
## Example\n```yaml\n? [a, b]\n: value\n```\n\n## Use instead\nA string key.\n",
};

/// Every rule of this stage, for the registry.
pub static RULES: &[&Rule] = &[
    &YAML_SYNTAX,
    &DUPLICATE_KEY,
    &ALIAS_LIMIT,
    &NESTING_TOO_DEEP,
    &YAML11_SCALAR,
    &UNREADABLE_FILE,
    &UNSUPPORTED_KEY,
];
