//! Roundtable's integration tests, in one binary: the store on both databases, the command
//! line, and the real server answering HTTP.

mod cli;
mod helpers;
mod reader;
mod site;
mod store;
