//! Roundtable's integration tests, in one binary: the store on both databases, the command
//! line, email to a real SMTP server, and the real server answering HTTP.

mod cli;
mod helpers;
mod mail;
mod reader;
mod site;
mod smtp;
mod store;
