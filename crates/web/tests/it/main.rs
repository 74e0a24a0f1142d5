//! The web layer's tests, in one binary: in-process requests through the router, and the
//! browser journeys in headless Chromium.

mod admin;
mod browser;
mod login;
mod pg;
mod security;
mod support;
