# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_meshctl_global_optspecs
    string join \n color= h/help V/version
end

function __fish_meshctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_meshctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_meshctl_using_subcommand
    set -l cmd (__fish_meshctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c meshctl -n "__fish_meshctl_needs_command" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_needs_command" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_needs_command" -s V -l version -d 'Print version'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "validate" -d 'Check manifests against schemas, Istio\'s validation rules and each other'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "route" -d 'Show where a request goes and why: the rules considered, the split, the policy'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "simulate" -d 'Run a request stream through the routing table and a model of Envoy\'s resilience behaviour'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "shift" -d 'Write the next canary or blue/green step into the manifest, editing only the weights'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "diff" -d 'Show which requests a change routes differently, each with an example request'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "new" -d 'Write a seed pattern: gateway, routing, canary, blue-green or resilience'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "convert" -d 'Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "test" -d 'Run route tests: requests and the outcome each must have, with rule coverage'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "rules" -d 'List the rules, or explain one (`meshctl rules MC1001`)'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "schema" -d 'Print the embedded JSON Schema of a kind'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "man" -d 'Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`'
complete -c meshctl -n "__fish_meshctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -s f -l filename -d 'A file or directory to read, as with kubectl (repeatable; added to PATHS)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -s o -l format -d 'Output format' -r -f -a "human\t''
json\t''
sarif\t''
github\t''
junit\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l fail-on -d 'Exit 1 when a finding at or above this severity remains [default: error, or `fail-on` of the settings file]' -r -f -a "error\t''
warning\t''
info\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l select -d 'Only these rules (comma list of codes, names or code prefixes); replaces `select` of the settings file' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l ignore -d 'Never these rules (comma list of codes, names or code prefixes); added to `ignore` of the settings file' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -s n -l namespace -d 'Namespace of resources without metadata.namespace [default: default, or `namespace` of the settings file]' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l config -d 'Settings file to use instead of the nearest .meshctl.yaml' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l baseline -d 'Report only findings that are not in this baseline file' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l write-baseline -d 'Write every current finding to FILE as the new baseline' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l gateway-api-channel -d 'The Gateway API release channel the cluster\'s CRDs come from: with `standard`, experimental fields (a rule\'s retry, sessionPersistence, ExternalAuth filters) are errors [default: `gateway-api-channel` of the settings file, else the channel of Gateway API CRDs in the input, else both are accepted]' -r -f -a "standard\t''
experimental\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l no-config -d 'Ignore any .meshctl.yaml'
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -s v -l verbose -d 'Also list skipped documents (unknown kinds) and unchecked references on stderr'
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l complete -d 'The input is the whole cluster, as `istioctl analyze` assumes without one: a host, gateway, subset or pod the input lacks does not exist, and is reported [default: `complete` of the settings file, else off: references into namespaces the input does not describe are not checked]'
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -l allow-empty -d 'Accept a folder without manifests (nothing to check, exit 0); by default it is an error, as the path is most likely wrong'
complete -c meshctl -n "__fish_meshctl_using_subcommand validate" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -s f -l filename -d 'A file or directory to read, as with kubectl (repeatable; added to PATHS)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l outbound-traffic-policy -d 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise' -r -f -a "ALLOW_ANY\t'Pass it to its original destination (Istio\'s default)'
REGISTRY_ONLY\t'Answer 502 from BlackHoleCluster'"
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l host -d 'Host (authority) of the request, optionally with a port: reviews.shop:9080' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l path -d 'Request path, with an optional query string' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l method -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -s H -l header -d 'A request header, \'name: value\' (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l query -d 'A query parameter k=v, added to the path (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l port -d 'Destination port (listener), when the host carries none' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l gateway -d '`mesh`, or a gateway as NAMESPACE/NAME or a NAME unique across namespaces' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l source-label -d 'A label of the calling workload, k=v (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l source-namespace -d 'Namespace of the caller; short host names resolve in it [default: --namespace]' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -s n -l namespace -d 'Namespace of resources without metadata.namespace, and of the caller unless --source-namespace says otherwise (as `kubectl -n` puts everything in one namespace)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l rate -d 'Split preview: request rate per second...' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l window -d '...over this window (e.g. 10m), giving expected requests per destination' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -s o -l format -r -f -a "human\t''
json\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand route" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -s f -l filename -d 'A file or directory to read, as with kubectl (repeatable; added to PATHS)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l outbound-traffic-policy -d 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise' -r -f -a "ALLOW_ANY\t'Pass it to its original destination (Istio\'s default)'
REGISTRY_ONLY\t'Answer 502 from BlackHoleCluster'"
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l scenario -d 'Scenario file (request stream and backend behaviour); without one, an embedded default sends 100 requests/s for 60 s at every routed host' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l requests -d 'Total requests to send (overrides the scenario\'s duration or requests)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l duration -d 'Simulated time during which requests arrive, e.g. 120s' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l rate -d 'Total request rate per second; the scenario\'s streams are scaled to it' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l seed -d 'Random seed (default: the scenario\'s, else 1): same inputs and seed, same output' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l slo -d 'A service-level objective; exit 1 when one fails (repeatable): success>=99.9%, p99<=300ms, errors<1%, UO<=0.1%, attempts<=1.2, ejections==0' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l html -d 'Also write a self-contained HTML report with charts' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -s n -l namespace -d 'Namespace of resources without metadata.namespace' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -s o -l format -r -f -a "human\t''
json\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -s f -l filename -d 'A file or directory to read, as with kubectl (repeatable; added to PATHS)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l outbound-traffic-policy -d 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise' -r -f -a "ALLOW_ANY\t'Pass it to its original destination (Istio\'s default)'
REGISTRY_ONLY\t'Answer 502 from BlackHoleCluster'"
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l virtual-service -d 'The VirtualService to shift, as NAME or NAMESPACE/NAME' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l route -d 'The http route to shift, by name or index' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l from -d 'The destination traffic leaves (subset, or host without subsets)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l to -d 'The destination traffic goes to' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l step -d 'Move this many percentage points' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l steps -d 'Move through these canary weights (comma list), then to 100' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l schedule -d 'Follow Flagger\'s or Argo Rollouts\' schedule' -r -f -a "flagger\t'Flagger: --step-weight and --max-weight, or --step-weights'
argo\t'Argo Rollouts: the setWeight steps, as --set-weights'"
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l step-weight -d 'Flagger\'s stepWeight' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l max-weight -d 'Flagger\'s maxWeight' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l step-weights -d 'Flagger\'s stepWeights (comma list)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l set-weights -d 'Argo Rollouts\' setWeight steps (comma list)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l interval -d 'With --plan: how long each step is held (e.g. 5m), for the time to promotion' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -s o -l format -d 'With --plan: the format of the plan' -r -f -a "human\t''
json\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l gate -d 'Simulate this scenario on the edited configuration first' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l slo -d 'The SLO the gated simulation must meet (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -s n -l namespace -d 'Namespace of resources without metadata.namespace' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l promote -d 'All traffic to the --to destination'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l rollback -d 'All traffic back to the --from destination'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l switch -d 'Blue/green: flip all traffic to the other destination'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l plan -d 'Print the whole schedule from the current weights instead of editing'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l diff -d 'Print a unified diff instead of the edited file'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -l in-place -d 'Rewrite the file atomically'
complete -c meshctl -n "__fish_meshctl_using_subcommand shift" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -l base -d 'Compare PATHS as they are in this git revision with the working tree (read through git, no checkout)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -l outbound-traffic-policy -d 'The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it has no service for (passthrough, or 502 from BlackHoleCluster), unless its Sidecar says otherwise' -r -f -a "ALLOW_ANY\t'Pass it to its original destination (Istio\'s default)'
REGISTRY_ONLY\t'Answer 502 from BlackHoleCluster'"
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -s n -l namespace -d 'Namespace of resources without metadata.namespace' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -l simulate -d 'Also run this scenario on both sides and compare the figures (shares, success, latency percentiles, the scenario\'s SLOs) per destination' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -s o -l format -r -f -a "human\t''
json\t''
markdown\t'A pull-request comment'
sarif\t'SARIF 2.1.0: a note on the line that causes each change'"
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -s v -l verbose -d 'Also list the resources that differ between the sides'
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -l exit-code -d 'Exit 1 when some request routes differently, like `git diff --exit-code`'
complete -c meshctl -n "__fish_meshctl_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -f -a "gateway" -d 'Host routing from outside: an ingress Gateway and the route bound to it'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -f -a "routing" -d 'Path and header routing to versions'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -f -a "canary" -d 'A canary split: --weight % to the canary, the rest to the stable version'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -f -a "blue-green" -d 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -f -a "resilience" -d 'A timeout, retries that fit in it, connection limits and outlier detection'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and not __fish_seen_subcommand_from gateway routing canary blue-green resilience help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l service -d 'The Kubernetes Service the pattern routes' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -s n -l namespace -d 'Namespace of the Service and of the resources written' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l port -d 'The Service port to route to (default: the --from Service\'s)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l api -d 'Write Istio resources, or Gateway API ones' -r -f -a "istio\t'Gateway, VirtualService, DestinationRule'
gateway-api\t'Gateway and HTTPRoute (parentRefs to the Service for mesh routing)'"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l from -d 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l out -d 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l tests -d 'Also write route tests that pin the pattern\'s behaviour (needs --out)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l host -d 'The host clients ask for, such as api.example.com' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l tls-secret -d 'Serve HTTPS with the certificate in this secret (HTTP redirects to it)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -l force -d 'Overwrite files that exist'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from gateway" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l service -d 'The Kubernetes Service the pattern routes' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -s n -l namespace -d 'Namespace of the Service and of the resources written' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l port -d 'The Service port to route to (default: the --from Service\'s)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l api -d 'Write Istio resources, or Gateway API ones' -r -f -a "istio\t'Gateway, VirtualService, DestinationRule'
gateway-api\t'Gateway and HTTPRoute (parentRefs to the Service for mesh routing)'"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l from -d 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l out -d 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l tests -d 'Also write route tests that pin the pattern\'s behaviour (needs --out)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l path -d 'Requests under PREFIX go to VERSION (repeatable): /v1=v1' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l header -d 'Requests with this header go to VERSION (repeatable): \'end-user=jason:v2\'' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l default -d 'Where every other request goes (default: the whole service)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -l force -d 'Overwrite files that exist'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from routing" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l service -d 'The Kubernetes Service the pattern routes' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -s n -l namespace -d 'Namespace of the Service and of the resources written' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l port -d 'The Service port to route to (default: the --from Service\'s)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l api -d 'Write Istio resources, or Gateway API ones' -r -f -a "istio\t'Gateway, VirtualService, DestinationRule'
gateway-api\t'Gateway and HTTPRoute (parentRefs to the Service for mesh routing)'"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l from -d 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l out -d 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l tests -d 'Also write route tests that pin the pattern\'s behaviour (needs --out)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l stable -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l canary -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l weight -d 'Percent of requests to the canary' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -l force -d 'Overwrite files that exist'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from canary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l service -d 'The Kubernetes Service the pattern routes' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -s n -l namespace -d 'Namespace of the Service and of the resources written' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l port -d 'The Service port to route to (default: the --from Service\'s)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l api -d 'Write Istio resources, or Gateway API ones' -r -f -a "istio\t'Gateway, VirtualService, DestinationRule'
gateway-api\t'Gateway and HTTPRoute (parentRefs to the Service for mesh routing)'"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l from -d 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l out -d 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l tests -d 'Also write route tests that pin the pattern\'s behaviour (needs --out)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l active -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l preview -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l preview-header -d 'The header that reaches the preview' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -l force -d 'Overwrite files that exist'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from blue-green" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l service -d 'The Kubernetes Service the pattern routes' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -s n -l namespace -d 'Namespace of the Service and of the resources written' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l port -d 'The Service port to route to (default: the --from Service\'s)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l api -d 'Write Istio resources, or Gateway API ones' -r -f -a "istio\t'Gateway, VirtualService, DestinationRule'
gateway-api\t'Gateway and HTTPRoute (parentRefs to the Service for mesh routing)'"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l from -d 'Service and Deployment manifests to take the port, the pod labels and the versions from (repeatable)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l out -d 'Write to this file (*.yaml, *.yml) or folder (one file per resource) instead of stdout' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l tests -d 'Also write route tests that pin the pattern\'s behaviour (needs --out)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l timeout -d 'Route timeout, such as 2s' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l retries -d 'Retries after the first try' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l per-try-timeout -d 'Timeout of each try, such as 500ms' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l retry-on -d 'Envoy\'s retry conditions (default 5xx: errors, resets, connect failures, per-try timeouts)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l max-connections -d 'At most this many connections per calling proxy' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l max-pending -d 'At most this many requests waiting for a connection per calling proxy' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l consecutive-5xx -d 'Eject an endpoint after this many 5xx in a row' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l ejection-time -d 'How long an ejected endpoint stays out (the first time)' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -l force -d 'Overwrite files that exist'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from resilience" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "gateway" -d 'Host routing from outside: an ingress Gateway and the route bound to it'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "routing" -d 'Path and header routing to versions'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "canary" -d 'A canary split: --weight % to the canary, the rest to the stable version'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "blue-green" -d 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "resilience" -d 'A timeout, retries that fit in it, connection limits and outlier detection'
complete -c meshctl -n "__fish_meshctl_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -s n -l namespace -d 'Namespace of resources without metadata.namespace' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -l channel -d 'The Gateway API channel the cluster runs: experimental adds HTTPRoute retries and mirror percentages' -r -f -a "standard\t''
experimental\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -l subsets -d 'Subsets become Services `<service>-<subset>`: write them from the DestinationRule\'s labels, or only refer to them' -r -f -a "services\t'Write those Services, from the subset labels and the Service\'s selector'
refs\t'Refer to them only: they exist already'"
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -l out -d 'Write the converted resources here (a *.yaml file) instead of stdout; the report then goes to stdout' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -l force -d 'Overwrite --out if it exists'
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -l allow-lossy -d 'Exit 0 even when something does not carry over or routes differently'
complete -c meshctl -n "__fish_meshctl_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshctl -n "__fish_meshctl_using_subcommand test" -l fail-under -d 'Exit 1 when the tests cover less than this percentage of routing rules' -r
complete -c meshctl -n "__fish_meshctl_using_subcommand test" -s o -l format -r -f -a "human\t''
json\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand test" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand test" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand rules" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand rules" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand schema" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand schema" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand completions" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand man" -l color -d 'Colours in human output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c meshctl -n "__fish_meshctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "validate" -d 'Check manifests against schemas, Istio\'s validation rules and each other'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "route" -d 'Show where a request goes and why: the rules considered, the split, the policy'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "simulate" -d 'Run a request stream through the routing table and a model of Envoy\'s resilience behaviour'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "shift" -d 'Write the next canary or blue/green step into the manifest, editing only the weights'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "diff" -d 'Show which requests a change routes differently, each with an example request'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "new" -d 'Write a seed pattern: gateway, routing, canary, blue-green or resilience'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "convert" -d 'Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "test" -d 'Run route tests: requests and the outcome each must have, with rule coverage'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "rules" -d 'List the rules, or explain one (`meshctl rules MC1001`)'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "schema" -d 'Print the embedded JSON Schema of a kind'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "man" -d 'Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and not __fish_seen_subcommand_from validate route simulate shift diff new convert test rules schema completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "gateway" -d 'Host routing from outside: an ingress Gateway and the route bound to it'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "routing" -d 'Path and header routing to versions'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "canary" -d 'A canary split: --weight % to the canary, the rest to the stable version'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "blue-green" -d 'A blue/green pair: all traffic to --active, --preview reachable by a header; `meshctl shift --switch` flips them'
complete -c meshctl -n "__fish_meshctl_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "resilience" -d 'A timeout, retries that fit in it, connection limits and outlier detection'
