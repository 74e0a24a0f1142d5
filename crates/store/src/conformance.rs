//! The conformance suite: behaviour every backend must show. Each backend's tests call
//! [`conformance_tests!`] with an expression that opens a fresh, empty, migrated store.

#![allow(clippy::unwrap_used)] // test support: a failed step is a failed test

use crate::*;
use domain::audit::verify_chain;
use domain::{Login, OrgCode, OrgKind, Role};
use time::OffsetDateTime;
use uuid::Uuid;

/// Writes one `#[tokio::test]` per conformance check, each on a fresh store from `$open`
/// (a future of `Option<store>`: `None` when the backend is not available and the test skips).
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!(@each $open;
            organizations_round_trip,
            duplicate_codes_and_logins_are_refused,
            users_and_memberships_are_scoped_by_organization,
            password_change_and_disabling_end_sessions,
            sessions_move_through_stages_and_expire,
            tokens_are_found_by_hash_and_revoked_once,
            audit_rows_form_a_verifiable_chain_per_organization,
            audit_filters_match_literally,
            a_failed_change_leaves_nothing_behind,
        );
    };
    (@each $open:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let Some(store) = $open.await else { return };
                $crate::conformance::$name(&store).await;
            }
        )*
    };
}

/// Now, truncated to what both databases keep.
pub fn now() -> OffsetDateTime {
    domain::audit::truncate_to_micros(OffsetDateTime::now_utc())
}

pub fn org(code: &str, kind: OrgKind) -> Organization {
    Organization {
        id: Uuid::now_v7(),
        code: OrgCode::parse(code).expect("valid code"),
        name: format!("Ente {code}"),
        kind,
        active: true,
        created_at: now(),
    }
}

pub fn user(login: &str) -> User {
    User {
        id: Uuid::now_v7(),
        login: Login::parse(login).expect("valid login"),
        full_name: format!("Utente {login}"),
        email: Some(format!("{login}@example.org")),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        must_change_password: false,
        totp_secret: None,
        active: true,
        created_at: now(),
    }
}

pub fn audit(org_id: Uuid, action: &str, summary: &str) -> NewAudit {
    NewAudit {
        org_id,
        at: now(),
        actor_id: None,
        actor: "sistema".into(),
        action: action.into(),
        record_kind: action.split('.').next().unwrap_or("").into(),
        record_id: None,
        summary: summary.into(),
        reason: None,
    }
}

fn session(token: &str, user_id: Uuid, org_id: Option<Uuid>, at_us: i64) -> Session {
    Session {
        token_hash: token.into(),
        user_id,
        org_id,
        stage: SessionStage::Active,
        pending_totp: None,
        created_us: at_us,
        last_seen_us: at_us,
        ip: "127.0.0.1".into(),
        user_agent: "test".into(),
    }
}

async fn new_org<S: Stores>(s: &S, code: &str) -> Organization {
    let o = org(code, OrgKind::Comune);
    s.create_org(&o, &[], &audit(o.id, "org.create", code))
        .await
        .expect("create org");
    o
}

async fn new_user<S: Stores>(s: &S, login: &str, org_id: Uuid, role: Role) -> User {
    let u = user(login);
    s.create_user(&u, org_id, role, &audit(org_id, "user.create", login))
        .await
        .expect("create user");
    u
}

pub async fn organizations_round_trip<S: Stores>(s: &S) {
    assert_eq!(s.count_orgs().await.unwrap(), 0);
    s.ping().await.unwrap();
    let mut o = org("ambito-bg", OrgKind::AmbitoTerritoriale);
    let comuni = vec![
        OrgComune {
            istat_code: "016024".into(),
            belfiore_code: "A794".into(),
            name: "Bergamo".into(),
            province: "BG".into(),
        },
        OrgComune {
            istat_code: "016001".into(),
            belfiore_code: "A057".into(),
            name: "Adrara San Martino".into(),
            province: "BG".into(),
        },
    ];
    s.create_org(&o, &comuni, &audit(o.id, "org.create", "creato"))
        .await
        .unwrap();
    assert_eq!(s.get_org(o.id).await.unwrap(), o);
    assert_eq!(s.get_org_by_code(&o.code).await.unwrap(), o);
    let stored = s.org_comuni(o.id).await.unwrap();
    assert_eq!(
        stored.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Adrara San Martino", "Bergamo"]
    );

    o.name = "Ambito di Bergamo".into();
    o.active = false;
    s.update_org(&o, &comuni[..1], &audit(o.id, "org.update", "rinominato"))
        .await
        .unwrap();
    assert_eq!(s.get_org(o.id).await.unwrap(), o);
    assert_eq!(s.org_comuni(o.id).await.unwrap().len(), 1);
    assert_eq!(s.list_orgs().await.unwrap(), vec![o.clone()]);
    assert!(matches!(
        s.get_org(Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
    let ghost = org("fantasma", OrgKind::Caf);
    assert!(matches!(
        s.update_org(&ghost, &[], &audit(o.id, "org.update", "x"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.count_orgs().await.unwrap(), 1);
}

pub async fn duplicate_codes_and_logins_are_refused<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let again = Organization {
        id: Uuid::now_v7(),
        ..o.clone()
    };
    assert!(matches!(
        s.create_org(&again, &[], &audit(again.id, "org.create", "dup"))
            .await,
        Err(StoreError::Duplicate(_))
    ));
    new_user(s, "mario.rossi", o.id, Role::OperatoreSportello).await;
    let twin = user("mario.rossi");
    assert!(matches!(
        s.create_user(
            &twin,
            o.id,
            Role::Responsabile,
            &audit(o.id, "user.create", "dup")
        )
        .await,
        Err(StoreError::Duplicate(_))
    ));
}

pub async fn users_and_memberships_are_scoped_by_organization<S: Stores>(s: &S) {
    let a = new_org(s, "comune-a").await;
    let b = new_org(s, "comune-b").await;
    let anna = new_user(s, "anna", a.id, Role::AssistenteSociale).await;
    let bruno = new_user(s, "bruno", b.id, Role::OperatoreSportello).await;
    assert_eq!(s.get_user(anna.id).await.unwrap(), anna);
    assert_eq!(s.get_user_by_login(&bruno.login).await.unwrap(), bruno);

    let members_a = s.list_members(a.id).await.unwrap();
    assert_eq!(members_a.len(), 1);
    assert_eq!(members_a[0].user.login.as_str(), "anna");
    assert_eq!(members_a[0].role, Role::AssistenteSociale);

    s.set_membership(
        anna.id,
        b.id,
        Role::Responsabile,
        &audit(b.id, "membership.set", "x"),
    )
    .await
    .unwrap();
    let ms = s.memberships(anna.id).await.unwrap();
    assert_eq!(
        ms.iter()
            .map(|m| (m.org.code.as_str(), m.role))
            .collect::<Vec<_>>(),
        [
            ("comune-a", Role::AssistenteSociale),
            ("comune-b", Role::Responsabile)
        ]
    );
    s.set_membership(
        anna.id,
        b.id,
        Role::Revisore,
        &audit(b.id, "membership.set", "x"),
    )
    .await
    .unwrap();
    assert_eq!(
        s.memberships(anna.id).await.unwrap()[1].role,
        Role::Revisore
    );
    s.remove_membership(anna.id, b.id, &audit(b.id, "membership.remove", "x"))
        .await
        .unwrap();
    assert_eq!(s.memberships(anna.id).await.unwrap().len(), 1);
    assert!(matches!(
        s.remove_membership(anna.id, b.id, &audit(b.id, "membership.remove", "x"))
            .await,
        Err(StoreError::NotFound)
    ));

    s.update_profile(
        anna.id,
        "Anna Bianchi",
        None,
        &audit(a.id, "user.update", "x"),
    )
    .await
    .unwrap();
    s.set_totp(
        anna.id,
        Some("JBSWY3DPEHPK3PXP"),
        &audit(a.id, "user.totp", "x"),
    )
    .await
    .unwrap();
    let anna2 = s.get_user(anna.id).await.unwrap();
    assert_eq!(
        (anna2.full_name.as_str(), anna2.email.as_deref()),
        ("Anna Bianchi", None)
    );
    assert_eq!(anna2.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(s.list_users().await.unwrap().len(), 2);
}

pub async fn password_change_and_disabling_end_sessions<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let u = new_user(s, "carla", o.id, Role::Responsabile).await;
    s.create_session(&session("t1", u.id, Some(o.id), 1))
        .await
        .unwrap();
    s.create_session(&session("t2", u.id, None, 2))
        .await
        .unwrap();
    s.set_password(
        u.id,
        "$argon2id$new",
        true,
        &audit(o.id, "user.password", "x"),
    )
    .await
    .unwrap();
    assert!(s.list_user_sessions(u.id).await.unwrap().is_empty());
    let u2 = s.get_user(u.id).await.unwrap();
    assert!(u2.must_change_password);
    assert_eq!(u2.password_hash, "$argon2id$new");

    s.create_session(&session("t3", u.id, Some(o.id), 3))
        .await
        .unwrap();
    s.set_active(u.id, false, &audit(o.id, "user.disable", "x"))
        .await
        .unwrap();
    assert!(matches!(
        s.get_session_with_user("t3").await,
        Err(StoreError::NotFound)
    ));
    assert!(!s.get_user(u.id).await.unwrap().active);

    s.set_active(u.id, true, &audit(o.id, "user.enable", "x"))
        .await
        .unwrap();
    s.create_session(&session("t4", u.id, Some(o.id), 4))
        .await
        .unwrap();
    assert_eq!(
        s.delete_user_sessions(u.id, &audit(o.id, "session.end_all", "x"))
            .await
            .unwrap(),
        1
    );
}

pub async fn sessions_move_through_stages_and_expire<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let u = new_user(s, "dario", o.id, Role::Responsabile).await;
    let mut sess = session("h1", u.id, None, 1_000);
    sess.stage = SessionStage::EnrolTotp;
    s.create_session(&sess).await.unwrap();
    let (with, owner) = s.get_session_with_user("h1").await.unwrap();
    assert_eq!((with, owner), (sess.clone(), u.clone()));
    assert!(matches!(
        s.get_session_with_user("nope").await,
        Err(StoreError::NotFound)
    ));
    s.set_session_stage("h1", SessionStage::Totp, Some("SECRET"))
        .await
        .unwrap();
    s.set_session_org("h1", o.id).await.unwrap();
    s.touch_session("h1", 5_000).await.unwrap();
    let (got, _) = s.get_session_with_user("h1").await.unwrap();
    assert_eq!(
        (
            got.stage,
            got.pending_totp.as_deref(),
            got.org_id,
            got.last_seen_us
        ),
        (SessionStage::Totp, Some("SECRET"), Some(o.id), 5_000)
    );
    assert!(matches!(
        s.set_session_stage("nope", SessionStage::Active, None)
            .await,
        Err(StoreError::NotFound)
    ));

    s.create_session(&session("h2", u.id, None, 10_000))
        .await
        .unwrap();
    // h1: idle since 5_000; h2: fresh. Purge idle before 6_000.
    assert_eq!(s.purge_sessions(6_000, 0).await.unwrap(), 1);
    assert!(s.get_session_with_user("h2").await.is_ok());
    // Absolute lifetime: created before 20_000 goes, however recent its activity.
    s.touch_session("h2", 50_000).await.unwrap();
    assert_eq!(s.purge_sessions(0, 20_000).await.unwrap(), 1);
    s.create_session(&session("h3", u.id, None, 1))
        .await
        .unwrap();
    s.delete_session("h3").await.unwrap();
    assert!(s.list_user_sessions(u.id).await.unwrap().is_empty());
}

pub async fn tokens_are_found_by_hash_and_revoked_once<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let u = new_user(s, "elena", o.id, Role::OperatoreSportello).await;
    let t = ApiToken {
        id: Uuid::now_v7(),
        user_id: u.id,
        org_id: o.id,
        name: "gestionale".into(),
        token_hash: "abc123".into(),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    s.create_token(&t, &audit(o.id, "token.create", "x"))
        .await
        .unwrap();
    assert_eq!(s.get_token_by_hash("abc123").await.unwrap(), t);
    let used = now();
    s.touch_token(t.id, used).await.unwrap();
    assert_eq!(
        s.list_tokens(u.id).await.unwrap()[0].last_used_at,
        Some(used)
    );
    s.revoke_token(t.id, used, &audit(o.id, "token.revoke", "x"))
        .await
        .unwrap();
    assert_eq!(
        s.get_token_by_hash("abc123").await.unwrap().revoked_at,
        Some(used)
    );
    assert!(matches!(
        s.revoke_token(t.id, used, &audit(o.id, "token.revoke", "x"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.get_token_by_hash("zzz").await,
        Err(StoreError::NotFound)
    ));
}

pub async fn audit_rows_form_a_verifiable_chain_per_organization<S: Stores>(s: &S) {
    let a = new_org(s, "comune-a").await;
    let b = new_org(s, "comune-b").await;
    for i in 0..5 {
        s.append_audit(&audit(a.id, "casefile.read", &format!("lettura {i}")))
            .await
            .unwrap();
    }
    s.append_audit(&audit(b.id, "casefile.read", "altro ente"))
        .await
        .unwrap();
    let chain = s.audit_chain(a.id).await.unwrap();
    assert_eq!(
        chain.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    let heads = s.chain_heads().await.unwrap();
    let head_a = heads.iter().find(|h| h.org_id == a.id).unwrap();
    assert_eq!(head_a.seq, 6);
    assert_eq!(head_a.hash, chain[5].hash);
    assert!(verify_chain(&chain, head_a.seq).is_empty());
    assert_eq!(s.audit_chain(b.id).await.unwrap().len(), 2);
    // The first row's time survives the round trip exactly, or the hash would not verify.
    assert_eq!(chain[1].summary, "lettura 0");
}

pub async fn audit_filters_match_literally<S: Stores>(s: &S) {
    let a = new_org(s, "comune-a").await;
    let mut e = audit(a.id, "user_x.create", "underscore");
    e.actor = "revisore1".into();
    s.append_audit(&e).await.unwrap();
    s.append_audit(&audit(a.id, "userax.create", "lettera"))
        .await
        .unwrap();
    let base = AuditFilter {
        org_id: Some(a.id),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(s.count_audit(&base).await.unwrap(), 3);
    let f = AuditFilter {
        action_prefix: Some("user_".into()),
        ..base.clone()
    };
    let rows = s.list_audit(&f).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>(),
        ["underscore"]
    );
    let f = AuditFilter {
        actor: Some("revisore1".into()),
        ..base.clone()
    };
    assert_eq!(s.count_audit(&f).await.unwrap(), 1);
    let f = AuditFilter {
        from_us: Some(i64::MAX - 1),
        ..base.clone()
    };
    assert_eq!(s.count_audit(&f).await.unwrap(), 0);
    let f = AuditFilter {
        limit: 1,
        offset: 1,
        ..base.clone()
    };
    assert_eq!(s.list_audit(&f).await.unwrap().len(), 1);
    let other = AuditFilter {
        org_id: Some(Uuid::now_v7()),
        ..base
    };
    assert_eq!(s.count_audit(&other).await.unwrap(), 0);
}

pub async fn a_failed_change_leaves_nothing_behind<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let before = s
        .count_audit(&AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    // The membership row refers to an organization that does not exist: the user row and
    // the audit row written before it in the same transaction must be rolled back.
    let u = user("fantasma");
    let missing_org = Uuid::now_v7();
    assert!(
        s.create_user(
            &u,
            missing_org,
            Role::Revisore,
            &audit(o.id, "user.create", "x")
        )
        .await
        .is_err()
    );
    assert!(matches!(s.get_user(u.id).await, Err(StoreError::NotFound)));
    let after = s
        .count_audit(&AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(before, after);
}
