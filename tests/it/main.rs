//! Roundtable's integration tests, in one binary: the store on both databases, the command
//! line, email to a real SMTP server, the real server answering HTTP, and what a reader sees
//! in a real browser.

mod browser;
mod cli;
mod generate;
mod helpers;
mod in_browser;
mod mail;
mod reader;
mod site;
mod smtp;
mod store;
mod validators;
mod workflow;
