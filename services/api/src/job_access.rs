//! Who may reach a job or continue a conversation: the key that submitted it, or an admin key.
//!
//! Invariant: a job or conversation the caller may not reach is answered exactly like one that
//! does not exist (404), so its existence never leaks to another key.

use ports::job_store::JobOwner;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::require_api_key::Caller;

/// `true` when `caller` may reach what `owner` owns.
fn admits(owner: &JobOwner, caller: &Caller) -> bool {
    caller.is_admin || owner.is_key(&caller.key_id)
}

/// `Ok` when the job exists and `caller` may reach it; [`ApiError::JobNotFound`] otherwise.
pub(crate) async fn ensure_job_reachable(
    state: &AppState,
    caller: &Caller,
    job_id: Uuid,
) -> Result<(), ApiError> {
    match state.job_store.job_owner(job_id).await? {
        Some(owner) if admits(&owner, caller) => Ok(()),
        Some(_) => {
            tracing::info!(job_id = %job_id, key_id = %caller.key_id, "job of another key refused");
            Err(ApiError::JobNotFound(job_id))
        }
        None => Err(ApiError::JobNotFound(job_id)),
    }
}

/// `Ok` when the conversation is new or `caller` may continue it;
/// [`ApiError::ConversationNotFound`] when it belongs to another key.
pub(crate) async fn ensure_conversation_reachable(
    state: &AppState,
    caller: &Caller,
    conversation_id: &str,
) -> Result<(), ApiError> {
    match state.job_store.conversation_owner(conversation_id).await? {
        Some(owner) if !admits(&owner, caller) => {
            tracing::info!(key_id = %caller.key_id, "conversation of another key refused");
            Err(ApiError::ConversationNotFound(conversation_id.to_owned()))
        }
        Some(_) | None => Ok(()),
    }
}
