use meshctl::model::*;
use std::mem::size_of;
#[test]
fn sizes() {
    println!(
        "VS res {}",
        size_of::<Resource<virtual_service::VirtualService>>()
    );
    println!(
        "DR res {}",
        size_of::<Resource<destination_rule::DestinationRule>>()
    );
    println!("Svc res {}", size_of::<Resource<kube::Service>>());
    println!("Gw res {}", size_of::<Resource<gateway::Gateway>>());
    println!("meta {}", size_of::<meta::ObjectMeta>());
    println!("HttpRoute {}", size_of::<virtual_service::HttpRoute>());
    println!("HttpMatch {}", size_of::<virtual_service::HttpMatch>());
    println!(
        "HttpRouteDestination {}",
        size_of::<virtual_service::HttpRouteDestination>()
    );
    println!(
        "TrafficPolicy {}",
        size_of::<destination_rule::TrafficPolicy>()
    );
    println!("Subset {}", size_of::<destination_rule::Subset>());
    println!("StringMatch {}", size_of::<common::StringMatch>());
    println!("Destination {}", size_of::<common::Destination>());
    println!("ServicePort {}", size_of::<kube::ServicePort>());
}
