//! The web layer's tests, in one binary: in-process requests through the router, and the
//! browser journeys in headless Chromium.

#![allow(clippy::unwrap_used)] // a failed step is a failed test, helpers included

/// Runs each scenario on SQLite and, when SPORTELLO_TEST_POSTGRES_URL is set, on PostgreSQL.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::support::app().await).await
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                if let Some(state) = crate::support::app_pg().await {
                    super::$name(state).await
                }
            })*
        }
    };
}

mod acts;
mod admin;
mod agenda;
mod api;
mod applications;
mod audit;
mod benefits;
mod bills;
mod browser;
mod browser_apply;
mod browser_bills;
mod browser_calls;
mod browser_comuni;
mod browser_follow;
mod browser_languages;
mod browser_local_account;
mod browser_logo;
mod browser_payments;
mod browser_stats;
mod calls;
mod cases;
mod dsu;
mod dsu_print;
mod follow;
mod istanze_fixtures;
mod kept;
mod life_events;
mod login;
mod mail;
mod payments;
mod persons;
mod pg;
mod plans;
mod portal;
mod portal_apply;
mod portal_languages;
mod portal_local;
mod probe;
mod registry;
mod security;
mod segretariato;
mod servers;
mod siuss;
mod smtp;
mod snapshots;
mod stats;
mod support;
mod sweep;
mod waas;
