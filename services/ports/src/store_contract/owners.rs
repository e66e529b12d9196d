//! Checks for job owners: the key recorded on a job, and a conversation owned through its first
//! job, whose turns come only from that owner's jobs.
//!
//! Invariant: every check creates its own jobs, keys and conversation ids.

use uuid::Uuid;

use crate::job_store::{JobOwner, JobStore, JobUpdate, NewJob};
use crate::store_contract::job_fixtures::{at_second, new_job_submitted_at};

fn fresh_key_id() -> String {
    format!("key_{}", Uuid::new_v4().simple())
}

fn owner(key_id: &str) -> JobOwner {
    JobOwner {
        key_id: Some(key_id.to_owned()),
    }
}

/// A job's owner is the key it was created with, `None` stays unrecorded, an unknown job has
/// no owner at all, and the owner survives the listing of unfinished jobs.
pub async fn jobs_keep_the_key_that_submitted_them(store: &dyn JobStore) {
    let key_id = fresh_key_id();
    let owned = NewJob {
        owner_key_id: Some(key_id.clone()),
        ..new_job_submitted_at(at_second(0))
    };
    let unowned = NewJob {
        owner_key_id: None,
        ..new_job_submitted_at(at_second(1))
    };
    store.create_job(owned.clone()).await.expect("create job");
    store.create_job(unowned.clone()).await.expect("create job");

    let owned_owner = store.job_owner(owned.job_id).await.expect("owner");
    let unowned_owner = store.job_owner(unowned.job_id).await.expect("owner");
    let unknown_owner = store.job_owner(Uuid::new_v4()).await.expect("owner");
    let unfinished = store.unfinished_jobs().await.expect("unfinished jobs");

    assert_eq!(owned_owner, Some(owner(&key_id)));
    assert!(owned_owner.as_ref().is_some_and(|o| o.is_key(&key_id)));
    assert!(!owned_owner.as_ref().is_some_and(|o| o.is_key("key_other")));
    assert_eq!(unowned_owner, Some(JobOwner { key_id: None }));
    assert!(
        !unowned_owner.as_ref().is_some_and(|o| o.is_key("")),
        "an unrecorded owner admits no key"
    );
    assert_eq!(unknown_owner, None);
    let listed_owner = unfinished
        .iter()
        .find(|job| job.job_id == owned.job_id)
        .map(|job| job.owner_key_id.clone());
    assert_eq!(listed_owner, Some(Some(key_id)));
}

/// The owner of a conversation is the owner of its earliest job, whoever added jobs later; its
/// turns hold only the owner's succeeded jobs, so another key's question in the same
/// conversation never becomes the owner's context; an unknown conversation has no owner.
pub async fn a_conversation_belongs_to_the_owner_of_its_first_job(store: &dyn JobStore) {
    let conversation_id = format!("conversation-{}", Uuid::new_v4().simple());
    let owner_key = fresh_key_id();
    let other_key = fresh_key_id();
    let submitted = [(0, &owner_key), (1, &other_key), (2, &owner_key)];
    for (second, key_id) in submitted {
        let job = NewJob {
            conversation_id: Some(conversation_id.clone()),
            owner_key_id: Some(key_id.clone()),
            question: format!("question {second} by {key_id}"),
            ..new_job_submitted_at(at_second(second))
        };
        store.create_job(job.clone()).await.expect("create job");
        store
            .update(
                job.job_id,
                JobUpdate::Answered {
                    answer: format!("answer {second}"),
                    chart: None,
                },
            )
            .await
            .expect("answer");
    }

    let conversation_owner = store
        .conversation_owner(&conversation_id)
        .await
        .expect("conversation owner");
    let unknown_owner = store
        .conversation_owner(&format!("unknown-{}", Uuid::new_v4().simple()))
        .await
        .expect("conversation owner");
    let turns = store
        .conversation_turns(&conversation_id, at_second(10), 10)
        .await
        .expect("turns");

    assert_eq!(conversation_owner, Some(owner(&owner_key)));
    assert_eq!(unknown_owner, None);
    let questions: Vec<String> = turns.into_iter().map(|turn| turn.question).collect();
    assert_eq!(
        questions,
        [
            format!("question 0 by {owner_key}"),
            format!("question 2 by {owner_key}"),
        ],
        "only the owner's jobs are turns of the conversation"
    );
}
