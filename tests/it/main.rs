//! Roundtable's integration tests, in one binary: the store on both databases, the command
//! line, the real server answering HTTP, and what a reader sees in a real browser.

mod browser;
mod cli;
mod helpers;
mod reader;
mod site;
mod store;
mod validators;
