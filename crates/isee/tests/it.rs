//! The one integration-test binary of the crate.

mod it {
    pub mod common;
    mod examples;
}
