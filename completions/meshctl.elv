
use builtin;
use str;

set edit:completion:arg-completer[meshctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'meshctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'meshctl'= {
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate 'Check manifests against schemas, Istio''s validation rules and each other'
            cand route 'Show where a request goes and why: the rules considered, the split, the policy'
            cand simulate 'Run a request stream through the routing table and a model of Envoy''s resilience behaviour'
            cand shift 'Write the next canary or blue/green step into the manifest, editing only the weights'
            cand diff 'Show which requests a change routes differently, each with an example request'
            cand new 'Write a seed pattern: gateway, routing, canary, blue-green or resilience'
            cand convert 'Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof'
            cand test 'Run route tests: requests and the outcome each must have, with rule coverage'
            cand rules 'List the rules, or explain one (`meshctl rules MC1001`)'
            cand schema 'Print the embedded JSON Schema of a kind'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshctl;validate'= {
            cand -f 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --filename 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand -o 'Output format'
            cand --format 'Output format'
            cand --fail-on 'Exit 1 when a finding at or above this severity remains [default: error, or `fail-on` of the settings file]'
            cand --select 'Only these rules (comma list of codes, names or code prefixes); replaces `select` of the settings file'
            cand --ignore 'Never these rules (comma list of codes, names or code prefixes); added to `ignore` of the settings file'
            cand -n 'Namespace of resources without metadata.namespace [default: default, or `namespace` of the settings file]'
            cand --namespace 'Namespace of resources without metadata.namespace [default: default, or `namespace` of the settings file]'
            cand --config 'Settings file to use instead of the nearest .meshctl.yaml'
            cand --baseline 'Report only findings that are not in this baseline file'
            cand --write-baseline 'Write every current finding to FILE as the new baseline'
            cand --gateway-api-channel 'The Gateway API release channel the cluster''s CRDs come from: with `standard`, experimental fields (a rule''s retry, sessionPersistence, ExternalAuth filters) are errors [default: `gateway-api-channel` of the settings file, else the channel of Gateway API CRDs in the input, else both are accepted]'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --no-config 'Ignore any .meshctl.yaml'
            cand -v 'Also list skipped documents (unknown kinds) and unchecked references on stderr'
            cand --verbose 'Also list skipped documents (unknown kinds) and unchecked references on stderr'
            cand --complete 'The input is the whole cluster, as `istioctl analyze` assumes without one: a host, gateway, subset or pod the input lacks does not exist, and is reported [default: `complete` of the settings file, else off: references into namespaces the input does not describe are not checked]'
            cand --allow-empty 'Accept a folder without manifests (nothing to check, exit 0); by default it is an error, as the path is most likely wrong'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshctl;route'= {
            cand -f 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --filename 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --outbound-traffic-policy 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise'
            cand --host 'Host (authority) of the request, optionally with a port: reviews.shop:9080'
            cand --path 'Request path, with an optional query string'
            cand --method 'method'
            cand -H 'A request header, ''name: value'' (repeatable)'
            cand --header 'A request header, ''name: value'' (repeatable)'
            cand --query 'A query parameter k=v, added to the path (repeatable)'
            cand --port 'Destination port (listener), when the host carries none'
            cand --gateway '`mesh`, or a gateway as NAMESPACE/NAME or a NAME unique across namespaces'
            cand --source-label 'A label of the calling workload, k=v (repeatable)'
            cand --source-namespace 'Namespace of the caller; short host names resolve in it [default: --namespace]'
            cand -n 'Namespace of resources without metadata.namespace, and of the caller unless --source-namespace says otherwise (as `kubectl -n` puts everything in one namespace)'
            cand --namespace 'Namespace of resources without metadata.namespace, and of the caller unless --source-namespace says otherwise (as `kubectl -n` puts everything in one namespace)'
            cand --rate 'Split preview: request rate per second...'
            cand --window '...over this window (e.g. 10m), giving expected requests per destination'
            cand -o 'o'
            cand --format 'format'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;simulate'= {
            cand -f 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --filename 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --outbound-traffic-policy 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise'
            cand --scenario 'Scenario file (request stream and backend behaviour); without one, an embedded default sends 100 requests/s for 60 s at every routed host'
            cand --requests 'Total requests to send (overrides the scenario''s duration or requests)'
            cand --duration 'Simulated time during which requests arrive, e.g. 120s'
            cand --rate 'Total request rate per second; the scenario''s streams are scaled to it'
            cand --seed 'Random seed (default: the scenario''s, else 1): same inputs and seed, same output'
            cand --slo 'A service-level objective; exit 1 when one fails (repeatable): success>=99.9%, p99<=300ms, errors<1%, UO<=0.1%, attempts<=1.2, ejections==0'
            cand --html 'Also write a self-contained HTML report with charts'
            cand -n 'Namespace of resources without metadata.namespace'
            cand --namespace 'Namespace of resources without metadata.namespace'
            cand -o 'o'
            cand --format 'format'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;shift'= {
            cand -f 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --filename 'A file or directory to read, as with kubectl (repeatable; added to PATHS)'
            cand --outbound-traffic-policy 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise'
            cand --virtual-service 'The VirtualService to shift, as NAME or NAMESPACE/NAME'
            cand --route 'The http route to shift, by name or index'
            cand --from 'The destination traffic leaves (subset, or host without subsets)'
            cand --to 'The destination traffic goes to'
            cand --step 'Move this many percentage points'
            cand --steps 'Move through these canary weights (comma list), then to 100'
            cand --schedule 'Follow Flagger''s or Argo Rollouts'' schedule'
            cand --step-weight 'Flagger''s stepWeight'
            cand --max-weight 'Flagger''s maxWeight'
            cand --step-weights 'Flagger''s stepWeights (comma list)'
            cand --set-weights 'Argo Rollouts'' setWeight steps (comma list)'
            cand --interval 'With --plan: how long each step is held (e.g. 5m), for the time to promotion'
            cand -o 'With --plan: the format of the plan'
            cand --format 'With --plan: the format of the plan'
            cand --gate 'Simulate this scenario on the edited configuration first'
            cand --slo 'The SLO the gated simulation must meet (repeatable)'
            cand -n 'Namespace of resources without metadata.namespace'
            cand --namespace 'Namespace of resources without metadata.namespace'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --promote 'All traffic to the --to destination'
            cand --rollback 'All traffic back to the --from destination'
            cand --switch 'Blue/green: flip all traffic to the other destination'
            cand --plan 'Print the whole schedule from the current weights instead of editing'
            cand --diff 'Print a unified diff instead of the edited file'
            cand --in-place 'Rewrite the file atomically'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;diff'= {
            cand --base 'Compare PATHS as they are in this git revision with the working tree (read through git, no checkout)'
            cand --outbound-traffic-policy 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise'
            cand -n 'Namespace of resources without metadata.namespace'
            cand --namespace 'Namespace of resources without metadata.namespace'
            cand --simulate 'Also run this scenario on both sides and compare the figures (shares, success, latency percentiles, the scenario''s SLOs) per destination'
            cand -o 'o'
            cand --format 'format'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -v 'Also list the resources that differ between the sides'
            cand --verbose 'Also list the resources that differ between the sides'
            cand --exit-code 'Exit 1 when some request routes differently, like `git diff --exit-code`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;new'= {
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
            cand gateway 'Host routing from outside: an ingress Gateway and the route bound to it'
            cand routing 'Path and header routing to versions'
            cand canary 'A canary split: --weight % to the canary, the rest to the stable version'
            cand blue-green 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them'
            cand resilience 'A timeout, retries that fit in it, connection limits and outlier detection'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshctl;new;gateway'= {
            cand --service 'The Kubernetes Service the pattern routes'
            cand -n 'Namespace of the Service and of the resources written'
            cand --namespace 'Namespace of the Service and of the resources written'
            cand --port 'The Service port to route to (default: the --from Service''s)'
            cand --api 'Write Istio resources, or Gateway API ones'
            cand --from 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)'
            cand --out 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout'
            cand --tests 'Also write route tests that pin the pattern''s behaviour (needs --out)'
            cand --host 'The host clients ask for, such as api.example.com'
            cand --tls-secret 'Serve HTTPS with the certificate in this secret (HTTP redirects to it)'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --force 'Overwrite files that exist'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;new;routing'= {
            cand --service 'The Kubernetes Service the pattern routes'
            cand -n 'Namespace of the Service and of the resources written'
            cand --namespace 'Namespace of the Service and of the resources written'
            cand --port 'The Service port to route to (default: the --from Service''s)'
            cand --api 'Write Istio resources, or Gateway API ones'
            cand --from 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)'
            cand --out 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout'
            cand --tests 'Also write route tests that pin the pattern''s behaviour (needs --out)'
            cand --path 'Requests under PREFIX go to VERSION (repeatable): /v1=v1'
            cand --header 'Requests with this header go to VERSION (repeatable): ''end-user=jason:v2'''
            cand --default 'Where every other request goes (default: the whole service)'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --force 'Overwrite files that exist'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;new;canary'= {
            cand --service 'The Kubernetes Service the pattern routes'
            cand -n 'Namespace of the Service and of the resources written'
            cand --namespace 'Namespace of the Service and of the resources written'
            cand --port 'The Service port to route to (default: the --from Service''s)'
            cand --api 'Write Istio resources, or Gateway API ones'
            cand --from 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)'
            cand --out 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout'
            cand --tests 'Also write route tests that pin the pattern''s behaviour (needs --out)'
            cand --stable 'stable'
            cand --canary 'canary'
            cand --weight 'Percent of requests to the canary'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --force 'Overwrite files that exist'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;new;blue-green'= {
            cand --service 'The Kubernetes Service the pattern routes'
            cand -n 'Namespace of the Service and of the resources written'
            cand --namespace 'Namespace of the Service and of the resources written'
            cand --port 'The Service port to route to (default: the --from Service''s)'
            cand --api 'Write Istio resources, or Gateway API ones'
            cand --from 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)'
            cand --out 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout'
            cand --tests 'Also write route tests that pin the pattern''s behaviour (needs --out)'
            cand --active 'active'
            cand --preview 'preview'
            cand --preview-header 'The header that reaches the preview'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --force 'Overwrite files that exist'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;new;resilience'= {
            cand --service 'The Kubernetes Service the pattern routes'
            cand -n 'Namespace of the Service and of the resources written'
            cand --namespace 'Namespace of the Service and of the resources written'
            cand --port 'The Service port to route to (default: the --from Service''s)'
            cand --api 'Write Istio resources, or Gateway API ones'
            cand --from 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)'
            cand --out 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout'
            cand --tests 'Also write route tests that pin the pattern''s behaviour (needs --out)'
            cand --timeout 'Route timeout, such as 2s'
            cand --retries 'Retries after the first try'
            cand --per-try-timeout 'Timeout of each try, such as 500ms'
            cand --retry-on 'Envoy''s retry conditions (default 5xx: errors, resets, connect failures, per-try timeouts)'
            cand --max-connections 'At most this many connections per calling proxy'
            cand --max-pending 'At most this many requests waiting for a connection per calling proxy'
            cand --consecutive-5xx 'Eject an endpoint after this many 5xx in a row'
            cand --ejection-time 'How long an ejected endpoint stays out (the first time)'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --force 'Overwrite files that exist'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;new;help'= {
            cand gateway 'Host routing from outside: an ingress Gateway and the route bound to it'
            cand routing 'Path and header routing to versions'
            cand canary 'A canary split: --weight % to the canary, the rest to the stable version'
            cand blue-green 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them'
            cand resilience 'A timeout, retries that fit in it, connection limits and outlier detection'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshctl;new;help;gateway'= {
        }
        &'meshctl;new;help;routing'= {
        }
        &'meshctl;new;help;canary'= {
        }
        &'meshctl;new;help;blue-green'= {
        }
        &'meshctl;new;help;resilience'= {
        }
        &'meshctl;new;help;help'= {
        }
        &'meshctl;convert'= {
            cand -n 'Namespace of resources without metadata.namespace'
            cand --namespace 'Namespace of resources without metadata.namespace'
            cand --channel 'The Gateway API channel the cluster runs: experimental adds HTTPRoute retries and mirror percentages'
            cand --subsets 'Subsets become Services `<service>-<subset>`: write them from the DestinationRule''s labels, or only refer to them'
            cand --out 'Write the converted resources here (a *.yaml file) instead of stdout; the report then goes to stdout'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand --force 'Overwrite --out if it exists'
            cand --allow-lossy 'Exit 0 even when something does not carry over or routes differently'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshctl;test'= {
            cand --fail-under 'Exit 1 when the tests cover less than this percentage of routing rules'
            cand -o 'o'
            cand --format 'format'
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshctl;rules'= {
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshctl;schema'= {
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshctl;completions'= {
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshctl;man'= {
            cand --color 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshctl;help'= {
            cand validate 'Check manifests against schemas, Istio''s validation rules and each other'
            cand route 'Show where a request goes and why: the rules considered, the split, the policy'
            cand simulate 'Run a request stream through the routing table and a model of Envoy''s resilience behaviour'
            cand shift 'Write the next canary or blue/green step into the manifest, editing only the weights'
            cand diff 'Show which requests a change routes differently, each with an example request'
            cand new 'Write a seed pattern: gateway, routing, canary, blue-green or resilience'
            cand convert 'Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof'
            cand test 'Run route tests: requests and the outcome each must have, with rule coverage'
            cand rules 'List the rules, or explain one (`meshctl rules MC1001`)'
            cand schema 'Print the embedded JSON Schema of a kind'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshctl;help;validate'= {
        }
        &'meshctl;help;route'= {
        }
        &'meshctl;help;simulate'= {
        }
        &'meshctl;help;shift'= {
        }
        &'meshctl;help;diff'= {
        }
        &'meshctl;help;new'= {
            cand gateway 'Host routing from outside: an ingress Gateway and the route bound to it'
            cand routing 'Path and header routing to versions'
            cand canary 'A canary split: --weight % to the canary, the rest to the stable version'
            cand blue-green 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them'
            cand resilience 'A timeout, retries that fit in it, connection limits and outlier detection'
        }
        &'meshctl;help;new;gateway'= {
        }
        &'meshctl;help;new;routing'= {
        }
        &'meshctl;help;new;canary'= {
        }
        &'meshctl;help;new;blue-green'= {
        }
        &'meshctl;help;new;resilience'= {
        }
        &'meshctl;help;convert'= {
        }
        &'meshctl;help;test'= {
        }
        &'meshctl;help;rules'= {
        }
        &'meshctl;help;schema'= {
        }
        &'meshctl;help;completions'= {
        }
        &'meshctl;help;man'= {
        }
        &'meshctl;help;help'= {
        }
    ]
    $completions[$command]
}
