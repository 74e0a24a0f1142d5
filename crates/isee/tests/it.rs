//! The one integration-test binary of the crate.

#[cfg(test)]
mod it {
    mod cli;
    pub mod common;
    mod errors;
    mod examples;
    mod fast;
    mod props;
    mod rules;
    mod schema;
}
