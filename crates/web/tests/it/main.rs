//! The web layer's tests, in one binary: in-process requests through the router, and the
//! browser journeys in headless Chromium.

#![allow(clippy::unwrap_used)] // a failed step is a failed test, helpers included

mod admin;
mod agenda;
mod browser;
mod cases;
mod login;
mod mail;
mod persons;
mod pg;
mod plans;
mod registry;
mod security;
mod smtp;
mod support;
