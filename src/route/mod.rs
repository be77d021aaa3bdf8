//! The routing engine shared by `route`, `simulate` and `shift --gate`:
//! requests, matchers, the compiled routing table, weighted choice and the
//! DestinationRule policy in force.

pub mod decision;
pub mod matcher;
pub mod needed;
pub mod request;
pub mod rewrite;
pub mod split;
pub mod suite;
pub mod table;
pub mod witness;

pub use decision::{Action, Decision};
pub use request::{Entry, Request};
pub use table::{RouteError, RoutingTable, ServedHosts};
