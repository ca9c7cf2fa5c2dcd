//! What readers ask for by email, each confirmed by a link (double opt-in): subscribing to the
//! newsletter, and asking to join the panel. Also leaving the newsletter from its link.

use serde::Serialize;

use super::letters::email;
use super::{Column, ColumnResult, SiteView};
use crate::domain::Email;
use crate::store::{MailKind, NewPanelist, OutgoingMail, StoreError};
use crate::tokens::{self, random_token, token_hash};

/// The double opt-in email for `what` ("join the panel"), with its link.
async fn confirmation(
    column: &Column,
    to: &Email,
    what: &str,
    link: String,
) -> ColumnResult<OutgoingMail> {
    #[derive(Serialize)]
    struct Context<'a> {
        site: String,
        what: &'a str,
        link: String,
    }
    let (site, _) = SiteView::load(&column.store).await?;
    let context = Context {
        site: site.title,
        what,
        link,
    };
    email(column, MailKind::Confirm, to, "confirm", context)
}

/// Records a subscription that starts once the address is confirmed, and mails the link. An
/// address already on the list is left as it is.
pub async fn subscribe(column: &Column, address: &Email) -> ColumnResult<()> {
    let token = random_token();
    let link = format!("{}/subscribe/confirm/{token}", column.base_url);
    let mail = confirmation(column, address, "get each new post by email", link).await?;
    column
        .store
        .add_subscriber(address, &token_hash(&token), Some(&mail))
        .await?;
    Ok(())
}

/// Confirms the subscription whose link carried `token`; false when no subscription waits
/// for it.
pub async fn confirm_subscription(column: &Column, token: &str) -> ColumnResult<bool> {
    Ok(column.store.confirm_subscriber(&token_hash(token)).await?)
}

/// Records a request to join the panel (status `applied`, for the editor to approve) with the
/// email confirming the address, in one unit of work. An address already on the panel, or
/// asking, gets the same answer and nothing is stored: membership is not public.
pub async fn ask_to_join(
    column: &Column,
    request: &NewPanelist,
    address: &Email,
) -> ColumnResult<()> {
    let token = random_token();
    let link = format!("{}/join/confirm/{token}", column.base_url);
    let mail = confirmation(column, address, "join the panel", link).await?;
    match column
        .store
        .ask_to_join(request, &token_hash(&token), &mail)
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_unique_violation() || matches!(e, StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Confirms the address of the join request whose link carried `token`.
pub async fn confirm_join(column: &Column, token: &str) -> ColumnResult<bool> {
    Ok(column.store.confirm_join(&token_hash(token)).await?)
}

/// The subscriber an unsubscribe link `/unsubscribe/ID/TOKEN` is for, if it is genuine.
pub async fn unsubscriber(column: &Column, id: &str, token: &str) -> ColumnResult<Option<i64>> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let secret = column.store.secret("unsubscribe").await?;
    Ok(tokens::unsubscribe_matches(&secret, id, token).then_some(id))
}

/// Ends the subscription of the subscriber a genuine unsubscribe link is for.
pub async fn unsubscribe(column: &Column, subscriber_id: i64) -> ColumnResult<()> {
    column.store.unsubscribe(subscriber_id).await?;
    Ok(())
}
