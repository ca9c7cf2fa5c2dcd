//! `roundtable user add` and `roundtable user password`: editor accounts, with the password
//! asked for at the prompt or read from standard input.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use clap::Subcommand;

use super::{open_store, Globals};
use crate::domain::Email;
use crate::store::Store;

/// The subcommands of `user`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an editor. The password is asked for at the prompt, or read from standard input.
    Add {
        /// The editor's email address, used to sign in.
        email: String,
        /// The name shown on posts the editor writes (default: the part of the address before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password for an editor, asked for at the prompt or read from standard input.
    Password {
        /// The editor's email address.
        email: String,
    },
}

/// Runs one of the subcommands of `user`.
pub async fn run(command: UserCommand, globals: Globals) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { email, name } => add(globals, &email, name).await,
        UserCommand::Password { email } => password(globals, &email).await,
    }
}

/// Adds an editor, named after the start of the address unless a name is given.
async fn add(globals: Globals, email: &str, name: Option<String>) -> anyhow::Result<()> {
    let (email, hash, store) = editor_sign_in(globals, email).await?;
    let name = name.unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    store.create_editor(&email, &name, &hash).await?;
    println!("editor {email} added; sign in at /admin/");
    Ok(())
}

/// Replaces an existing editor's password.
async fn password(globals: Globals, email: &str) -> anyhow::Result<()> {
    let (email, hash, store) = editor_sign_in(globals, email).await?;
    if !store.set_editor_password(email.as_str(), &hash).await? {
        anyhow::bail!(
            "no editor has the address {email}; add one with 'roundtable user add {email}'"
        );
    }
    println!("the password of {email} is changed");
    Ok(())
}

/// The editor's checked address, the hash of the password read, and the store, in that order:
/// a bad address or a missing password is refused before the database is opened.
async fn editor_sign_in(globals: Globals, email: &str) -> anyhow::Result<(Email, String, Store)> {
    let config = globals.config()?;
    let email = Email::parse(email)?;
    let password = read_password()?;
    let hash = crate::auth::hash_password(&password)?;
    let store = open_store(&config.database_url).await?;
    Ok((email, hash, store))
}

/// Reads the new editor's password: twice at a terminal, one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    use crate::auth::PasswordError;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        if first.is_empty() {
            return Err(PasswordError::Missing.into());
        }
        let second = rpassword::prompt_password("Same password again: ")
            .context("cannot read the password")?;
        if first != second {
            return Err(PasswordError::Mismatch.into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_string();
        if password.is_empty() {
            return Err(PasswordError::Missing.into());
        }
        Ok(password)
    }
}
