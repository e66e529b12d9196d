//! Checks for [`KeyStore`]: keys are looked up by the hash of their plaintext, only while
//! they are not revoked.
//!
//! Invariant: no check ever passes a plaintext key to a lookup expecting it to match.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use crate::key_store::{ApiKeyRecord, KeyScope, KeyStore, hash_api_key};

/// An active key is found by its hash with every field intact; its plaintext, a wrong key and
/// a revoked key are not found; revoked keys still count. Expects no concurrent key writer.
pub async fn keys_are_found_by_hash_only_while_active(store: &dyn KeyStore) {
    let plaintext = format!("sk-{}", Uuid::new_v4().simple());
    let revoked_plaintext = format!("sk-{}", Uuid::new_v4().simple());
    let created_at = Utc
        .with_ymd_and_hms(2024, 5, 1, 9, 30, 0)
        .single()
        .expect("a valid fixed time");
    let active = ApiKeyRecord {
        key_id: format!("key-{}", Uuid::new_v4().simple()),
        key_hash: hash_api_key(&plaintext),
        name: "analyst laptop".into(),
        scopes: vec![KeyScope::Ask, KeyScope::Admin],
        created_at,
        revoked_at: None,
    };
    let revoked = ApiKeyRecord {
        key_id: format!("key-{}", Uuid::new_v4().simple()),
        key_hash: hash_api_key(&revoked_plaintext),
        name: "old laptop".into(),
        scopes: vec![KeyScope::Ask],
        created_at,
        revoked_at: Some(created_at + chrono::Duration::days(1)),
    };
    let count_before = store.count_keys().await.expect("count keys before");

    store
        .insert_key(active.clone())
        .await
        .expect("insert active key");
    store
        .insert_key(revoked.clone())
        .await
        .expect("insert revoked key");

    let found = store
        .find_active_key(&hash_api_key(&plaintext))
        .await
        .expect("find by hash");
    assert_eq!(found, Some(active), "an active key is found by its hash");
    let by_plaintext = store
        .find_active_key(&plaintext)
        .await
        .expect("find by plaintext");
    assert_eq!(by_plaintext, None, "the plaintext is never a lookup key");
    let wrong = store
        .find_active_key(&hash_api_key("sk-wrong"))
        .await
        .expect("find wrong key");
    assert_eq!(wrong, None);
    let revoked_found = store
        .find_active_key(&revoked.key_hash)
        .await
        .expect("find revoked key");
    assert_eq!(revoked_found, None, "a revoked key is not active");
    let count_after = store.count_keys().await.expect("count keys after");
    assert_eq!(
        count_after,
        count_before + 2,
        "revoked keys are counted too"
    );
}

/// Listed keys come oldest first with every field; a revoked key stops being found, stays
/// listed with its revocation time, and cannot be revoked twice.
pub async fn keys_are_listed_and_revoked(store: &dyn KeyStore) {
    let plaintext = format!("sk-{}", Uuid::new_v4().simple());
    let created_at = Utc
        .with_ymd_and_hms(2024, 6, 1, 9, 30, 0)
        .single()
        .expect("a valid fixed time");
    let record = ApiKeyRecord {
        key_id: format!("key-{}", Uuid::new_v4().simple()),
        key_hash: hash_api_key(&plaintext),
        name: "to revoke".into(),
        scopes: vec![KeyScope::Ask, KeyScope::Approve],
        created_at,
        revoked_at: None,
    };
    store.insert_key(record.clone()).await.expect("insert key");
    let revoked_at = created_at + chrono::Duration::hours(1);

    let listed_before = store.list_keys().await.expect("list keys");
    let revoked = store
        .revoke_key(&record.key_id, revoked_at)
        .await
        .expect("revoke");
    let revoked_again = store
        .revoke_key(&record.key_id, revoked_at)
        .await
        .expect("revoke again");
    let unknown = store
        .revoke_key("key-unknown", revoked_at)
        .await
        .expect("revoke unknown");
    let listed_after = store.list_keys().await.expect("list keys");

    assert!(listed_before.contains(&record));
    assert!(revoked);
    assert!(!revoked_again, "a revoked key cannot be revoked again");
    assert!(!unknown);
    assert_eq!(
        store
            .find_active_key(&hash_api_key(&plaintext))
            .await
            .expect("find"),
        None,
        "a revoked key is not found"
    );
    let after = listed_after
        .iter()
        .find(|listed| listed.key_id == record.key_id)
        .expect("a revoked key stays listed");
    assert_eq!(after.revoked_at, Some(revoked_at));
}
