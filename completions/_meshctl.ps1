
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'meshctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'meshctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'meshctl' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check manifests against schemas, Istio''s validation rules and each other')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Show where a request goes and why: the rules considered, the split, the policy')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run a request stream through the routing table and a model of Envoy''s resilience behaviour')
            [CompletionResult]::new('shift', 'shift', [CompletionResultType]::ParameterValue, 'Write the next canary or blue/green step into the manifest, editing only the weights')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show which requests a change routes differently, each with an example request')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Write a seed pattern: gateway, routing, canary, blue-green or resilience')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run route tests: requests and the outcome each must have, with rule coverage')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules, or explain one (`meshctl rules MC1001`)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the embedded JSON Schema of a kind')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshctl;validate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding at or above this severity remains [default: error, or `fail-on` of the settings file]')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only these rules (comma list of codes, names or code prefixes); replaces `select` of the settings file')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Never these rules (comma list of codes, names or code prefixes); added to `ignore` of the settings file')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace [default: default, or `namespace` of the settings file]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace [default: default, or `namespace` of the settings file]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file to use instead of the nearest .meshctl.yaml')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Report only findings that are not in this baseline file')
            [CompletionResult]::new('--write-baseline', '--write-baseline', [CompletionResultType]::ParameterName, 'Write every current finding to FILE as the new baseline')
            [CompletionResult]::new('--gateway-api-channel', '--gateway-api-channel', [CompletionResultType]::ParameterName, 'The Gateway API release channel the cluster''s CRDs come from: with `standard`, experimental fields (a rule''s retry, sessionPersistence, ExternalAuth filters) are errors [default: `gateway-api-channel` of the settings file, else the channel of Gateway API CRDs in the input, else both are accepted]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore any .meshctl.yaml')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also list skipped documents (unknown kinds) and unchecked references on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also list skipped documents (unknown kinds) and unchecked references on stderr')
            [CompletionResult]::new('--complete', '--complete', [CompletionResultType]::ParameterName, 'The input is the whole cluster, as `istioctl analyze` assumes without one: a host, gateway, subset or pod the input lacks does not exist, and is reported [default: `complete` of the settings file, else off: references into namespaces the input does not describe are not checked]')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'Accept a folder without manifests (nothing to check, exit 0); by default it is an error, as the path is most likely wrong')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshctl;route' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--outbound-traffic-policy', '--outbound-traffic-policy', [CompletionResultType]::ParameterName, 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host (authority) of the request, optionally with a port: reviews.shop:9080')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Request path, with an optional query string')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header, ''name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header, ''name: value'' (repeatable)')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'A query parameter k=v, added to the path (repeatable)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Destination port (listener), when the host carries none')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, '`mesh`, or a gateway as NAMESPACE/NAME or a NAME unique across namespaces')
            [CompletionResult]::new('--source-label', '--source-label', [CompletionResultType]::ParameterName, 'A label of the calling workload, k=v (repeatable)')
            [CompletionResult]::new('--source-namespace', '--source-namespace', [CompletionResultType]::ParameterName, 'Namespace of the caller; short host names resolve in it [default: --namespace]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace, and of the caller unless --source-namespace says otherwise (as `kubectl -n` puts everything in one namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace, and of the caller unless --source-namespace says otherwise (as `kubectl -n` puts everything in one namespace)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Split preview: request rate per second...')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, '...over this window (e.g. 10m), giving expected requests per destination')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;simulate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--outbound-traffic-policy', '--outbound-traffic-policy', [CompletionResultType]::ParameterName, 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise')
            [CompletionResult]::new('--scenario', '--scenario', [CompletionResultType]::ParameterName, 'Scenario file (request stream and backend behaviour); without one, an embedded default sends 100 requests/s for 60 s at every routed host')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Total requests to send (overrides the scenario''s duration or requests)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Simulated time during which requests arrive, e.g. 120s')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Total request rate per second; the scenario''s streams are scaled to it')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Random seed (default: the scenario''s, else 1): same inputs and seed, same output')
            [CompletionResult]::new('--slo', '--slo', [CompletionResultType]::ParameterName, 'A service-level objective; exit 1 when one fails (repeatable): success>=99.9%, p99<=300ms, errors<1%, UO<=0.1%, attempts<=1.2, ejections==0')
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'Also write a self-contained HTML report with charts')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;shift' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file or directory to read, as with kubectl (repeatable; added to PATHS)')
            [CompletionResult]::new('--outbound-traffic-policy', '--outbound-traffic-policy', [CompletionResultType]::ParameterName, 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise')
            [CompletionResult]::new('--virtual-service', '--virtual-service', [CompletionResultType]::ParameterName, 'The VirtualService to shift, as NAME or NAMESPACE/NAME')
            [CompletionResult]::new('--route', '--route', [CompletionResultType]::ParameterName, 'The http route to shift, by name or index')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The destination traffic leaves (subset, or host without subsets)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The destination traffic goes to')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'Move this many percentage points')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Move through these canary weights (comma list), then to 100')
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'Follow Flagger''s or Argo Rollouts'' schedule')
            [CompletionResult]::new('--step-weight', '--step-weight', [CompletionResultType]::ParameterName, 'Flagger''s stepWeight')
            [CompletionResult]::new('--max-weight', '--max-weight', [CompletionResultType]::ParameterName, 'Flagger''s maxWeight')
            [CompletionResult]::new('--step-weights', '--step-weights', [CompletionResultType]::ParameterName, 'Flagger''s stepWeights (comma list)')
            [CompletionResult]::new('--set-weights', '--set-weights', [CompletionResultType]::ParameterName, 'Argo Rollouts'' setWeight steps (comma list)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --plan: how long each step is held (e.g. 5m), for the time to promotion')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'With --plan: the format of the plan')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'With --plan: the format of the plan')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Simulate this scenario on the edited configuration first')
            [CompletionResult]::new('--slo', '--slo', [CompletionResultType]::ParameterName, 'The SLO the gated simulation must meet (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--promote', '--promote', [CompletionResultType]::ParameterName, 'All traffic to the --to destination')
            [CompletionResult]::new('--rollback', '--rollback', [CompletionResultType]::ParameterName, 'All traffic back to the --from destination')
            [CompletionResult]::new('--switch', '--switch', [CompletionResultType]::ParameterName, 'Blue/green: flip all traffic to the other destination')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'Print the whole schedule from the current weights instead of editing')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Print a unified diff instead of the edited file')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite the file atomically')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;diff' {
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Compare PATHS as they are in this git revision with the working tree (read through git, no checkout)')
            [CompletionResult]::new('--outbound-traffic-policy', '--outbound-traffic-policy', [CompletionResultType]::ParameterName, 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--simulate', '--simulate', [CompletionResultType]::ParameterName, 'Also run this scenario on both sides and compare the figures (shares, success, latency percentiles, the scenario''s SLOs) per destination')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also list the resources that differ between the sides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also list the resources that differ between the sides')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit 1 when some request routes differently, like `git diff --exit-code`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;new' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Host routing from outside: an ingress Gateway and the route bound to it')
            [CompletionResult]::new('routing', 'routing', [CompletionResultType]::ParameterValue, 'Path and header routing to versions')
            [CompletionResult]::new('canary', 'canary', [CompletionResultType]::ParameterValue, 'A canary split: --weight % to the canary, the rest to the stable version')
            [CompletionResult]::new('blue-green', 'blue-green', [CompletionResultType]::ParameterValue, 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them')
            [CompletionResult]::new('resilience', 'resilience', [CompletionResultType]::ParameterValue, 'A timeout, retries that fit in it, connection limits and outlier detection')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshctl;new;gateway' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The Kubernetes Service the pattern routes')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The Service port to route to (default: the --from Service''s)')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Write Istio resources, or Gateway API ones')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout')
            [CompletionResult]::new('--tests', '--tests', [CompletionResultType]::ParameterName, 'Also write route tests that pin the pattern''s behaviour (needs --out)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The host clients ask for, such as api.example.com')
            [CompletionResult]::new('--tls-secret', '--tls-secret', [CompletionResultType]::ParameterName, 'Serve HTTPS with the certificate in this secret (HTTP redirects to it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite files that exist')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;new;routing' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The Kubernetes Service the pattern routes')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The Service port to route to (default: the --from Service''s)')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Write Istio resources, or Gateway API ones')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout')
            [CompletionResult]::new('--tests', '--tests', [CompletionResultType]::ParameterName, 'Also write route tests that pin the pattern''s behaviour (needs --out)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Requests under PREFIX go to VERSION (repeatable): /v1=v1')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Requests with this header go to VERSION (repeatable): ''end-user=jason:v2''')
            [CompletionResult]::new('--default', '--default', [CompletionResultType]::ParameterName, 'Where every other request goes (default: the whole service)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite files that exist')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;new;canary' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The Kubernetes Service the pattern routes')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The Service port to route to (default: the --from Service''s)')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Write Istio resources, or Gateway API ones')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout')
            [CompletionResult]::new('--tests', '--tests', [CompletionResultType]::ParameterName, 'Also write route tests that pin the pattern''s behaviour (needs --out)')
            [CompletionResult]::new('--stable', '--stable', [CompletionResultType]::ParameterName, 'stable')
            [CompletionResult]::new('--canary', '--canary', [CompletionResultType]::ParameterName, 'canary')
            [CompletionResult]::new('--weight', '--weight', [CompletionResultType]::ParameterName, 'Percent of requests to the canary')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite files that exist')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;new;blue-green' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The Kubernetes Service the pattern routes')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The Service port to route to (default: the --from Service''s)')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Write Istio resources, or Gateway API ones')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout')
            [CompletionResult]::new('--tests', '--tests', [CompletionResultType]::ParameterName, 'Also write route tests that pin the pattern''s behaviour (needs --out)')
            [CompletionResult]::new('--active', '--active', [CompletionResultType]::ParameterName, 'active')
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'preview')
            [CompletionResult]::new('--preview-header', '--preview-header', [CompletionResultType]::ParameterName, 'The header that reaches the preview')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite files that exist')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;new;resilience' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The Kubernetes Service the pattern routes')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the Service and of the resources written')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The Service port to route to (default: the --from Service''s)')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Write Istio resources, or Gateway API ones')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout')
            [CompletionResult]::new('--tests', '--tests', [CompletionResultType]::ParameterName, 'Also write route tests that pin the pattern''s behaviour (needs --out)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Route timeout, such as 2s')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after the first try')
            [CompletionResult]::new('--per-try-timeout', '--per-try-timeout', [CompletionResultType]::ParameterName, 'Timeout of each try, such as 500ms')
            [CompletionResult]::new('--retry-on', '--retry-on', [CompletionResultType]::ParameterName, 'Envoy''s retry conditions (default 5xx: errors, resets, connect failures, per-try timeouts)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'At most this many connections per calling proxy')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'At most this many requests waiting for a connection per calling proxy')
            [CompletionResult]::new('--consecutive-5xx', '--consecutive-5xx', [CompletionResultType]::ParameterName, 'Eject an endpoint after this many 5xx in a row')
            [CompletionResult]::new('--ejection-time', '--ejection-time', [CompletionResultType]::ParameterName, 'How long an ejected endpoint stays out (the first time)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite files that exist')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;new;help' {
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Host routing from outside: an ingress Gateway and the route bound to it')
            [CompletionResult]::new('routing', 'routing', [CompletionResultType]::ParameterValue, 'Path and header routing to versions')
            [CompletionResult]::new('canary', 'canary', [CompletionResultType]::ParameterValue, 'A canary split: --weight % to the canary, the rest to the stable version')
            [CompletionResult]::new('blue-green', 'blue-green', [CompletionResultType]::ParameterValue, 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them')
            [CompletionResult]::new('resilience', 'resilience', [CompletionResultType]::ParameterValue, 'A timeout, retries that fit in it, connection limits and outlier detection')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshctl;new;help;gateway' {
            break
        }
        'meshctl;new;help;routing' {
            break
        }
        'meshctl;new;help;canary' {
            break
        }
        'meshctl;new;help;blue-green' {
            break
        }
        'meshctl;new;help;resilience' {
            break
        }
        'meshctl;new;help;help' {
            break
        }
        'meshctl;convert' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources without metadata.namespace')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'The Gateway API channel the cluster runs: experimental adds HTTPRoute retries and mirror percentages')
            [CompletionResult]::new('--subsets', '--subsets', [CompletionResultType]::ParameterName, 'Subsets become Services `<service>-<subset>`: write them from the DestinationRule''s labels, or only refer to them')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the converted resources here (a *.yaml file) instead of stdout; the report then goes to stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite --out if it exists')
            [CompletionResult]::new('--allow-lossy', '--allow-lossy', [CompletionResultType]::ParameterName, 'Exit 0 even when something does not carry over or routes differently')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshctl;test' {
            [CompletionResult]::new('--fail-under', '--fail-under', [CompletionResultType]::ParameterName, 'Exit 1 when the tests cover less than this percentage of routing rules')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshctl;rules' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshctl;schema' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshctl;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshctl;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshctl;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check manifests against schemas, Istio''s validation rules and each other')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Show where a request goes and why: the rules considered, the split, the policy')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run a request stream through the routing table and a model of Envoy''s resilience behaviour')
            [CompletionResult]::new('shift', 'shift', [CompletionResultType]::ParameterValue, 'Write the next canary or blue/green step into the manifest, editing only the weights')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show which requests a change routes differently, each with an example request')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Write a seed pattern: gateway, routing, canary, blue-green or resilience')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run route tests: requests and the outcome each must have, with rule coverage')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules, or explain one (`meshctl rules MC1001`)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the embedded JSON Schema of a kind')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshctl;help;validate' {
            break
        }
        'meshctl;help;route' {
            break
        }
        'meshctl;help;simulate' {
            break
        }
        'meshctl;help;shift' {
            break
        }
        'meshctl;help;diff' {
            break
        }
        'meshctl;help;new' {
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Host routing from outside: an ingress Gateway and the route bound to it')
            [CompletionResult]::new('routing', 'routing', [CompletionResultType]::ParameterValue, 'Path and header routing to versions')
            [CompletionResult]::new('canary', 'canary', [CompletionResultType]::ParameterValue, 'A canary split: --weight % to the canary, the rest to the stable version')
            [CompletionResult]::new('blue-green', 'blue-green', [CompletionResultType]::ParameterValue, 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them')
            [CompletionResult]::new('resilience', 'resilience', [CompletionResultType]::ParameterValue, 'A timeout, retries that fit in it, connection limits and outlier detection')
            break
        }
        'meshctl;help;new;gateway' {
            break
        }
        'meshctl;help;new;routing' {
            break
        }
        'meshctl;help;new;canary' {
            break
        }
        'meshctl;help;new;blue-green' {
            break
        }
        'meshctl;help;new;resilience' {
            break
        }
        'meshctl;help;convert' {
            break
        }
        'meshctl;help;test' {
            break
        }
        'meshctl;help;rules' {
            break
        }
        'meshctl;help;schema' {
            break
        }
        'meshctl;help;completions' {
            break
        }
        'meshctl;help;man' {
            break
        }
        'meshctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
