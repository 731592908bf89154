//! The fuzz properties, shared with `tests/fuzz_properties.rs`: one copy of the logic
//! lives in `tests/fuzz_props/` and is included here by path.

#[path = "../../tests/fuzz_props/mod.rs"]
pub mod props;
