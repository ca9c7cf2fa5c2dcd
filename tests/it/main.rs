//! Roundtable's integration tests, in one binary: the store on both databases, the command
//! line, email to a real SMTP server, the real server answering HTTP, and what a reader sees
//! in a real browser.

mod anonymity_property;
mod backup;
mod browser;
mod cli;
mod cluster;
mod column;
mod credit;
mod editor_browser;
mod editorial;
mod faults;
mod generate;
mod hardening;
mod helpers;
mod house_style;
mod in_browser;
mod internet;
mod interop;
mod mail;
mod mail_tls;
mod media;
mod naughty;
mod privacy;
mod proxy;
mod reader;
mod rounds;
mod site;
mod smtp;
mod soak;
mod store;
mod validators;
mod wordpress_habits;
mod workflow;
mod writing;
mod yours;
