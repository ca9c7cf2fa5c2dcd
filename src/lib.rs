//! Roundtable runs a recurring panel Q&A column: questions, a panel, rounds of answers by
//! email, and the published posts readers browse, search, follow and discuss.
//!
//! `main.rs` only parses the command line; everything else lives here so tests can reach it.

pub mod app;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod column;
pub mod config;
pub mod demo;
pub mod domain;
pub mod generate;
pub mod interop;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod render;
pub mod store;
pub mod tokens;
pub mod web;
