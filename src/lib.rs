//! meshctl: validate, route, simulate and shift service-mesh traffic configuration.
//!
//! Data flows one way: `load` → `schema` / `model` → `analyze` → `validate` →
//! `report` → `cli`.

pub mod analyze;
pub mod author;
pub mod baseline;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod load;
pub mod memory;
pub mod mesh;
pub mod model;
pub mod report;
pub mod route;
pub mod schema;
pub mod settings;
pub mod shift;
pub mod sim;
pub mod validate;
