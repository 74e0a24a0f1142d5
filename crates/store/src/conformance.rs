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
            audit_reads_are_appended_in_batches_and_found_by_person,
            a_failed_change_leaves_nothing_behind,
            an_application_is_numbered_moves_by_compare_and_set_and_is_delivered,
            mandates_cover_their_period_until_revoked,
            a_totp_step_is_accepted_once,
            an_account_link_sets_a_password_once_before_it_expires,
            servers_share_failures_job_runs_messages_and_sign_ins,
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

/// The audit key every test store is opened with.
pub fn test_key() -> domain::audit::AuditKey {
    domain::audit::AuditKey::from_bytes([7; 32])
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
        one_time_until_us: None,
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

fn token(hash: &str, user_id: Uuid, org_id: Uuid) -> ApiToken {
    ApiToken {
        id: Uuid::now_v7(),
        user_id,
        org_id,
        name: "gestionale".into(),
        token_hash: hash.into(),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
        expires_at: Some(now() + time::Duration::days(90)),
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

/// Mario Rossi, born in 1940, stored in the organization.
pub async fn new_person<S: Stores>(s: &S, org_id: Uuid) -> Person {
    let data = domain::person::parse_person(
        &domain::person::PersonInput {
            surname: "Rossi".into(),
            given_names: "Mario".into(),
            sex: "M".into(),
            birth_date: "01/01/1940".into(),
            birthplace: "Bergamo".into(),
            citizenship: "IT".into(),
            ..Default::default()
        },
        time::macros::date!(2026 - 03 - 01),
    )
    .unwrap();
    let person = Person {
        id: Uuid::now_v7(),
        org_id,
        data,
        registry: None,
        registry_left_on: None,
        merged_into: None,
        version: 1,
        created_at: now(),
        updated_at: now(),
    };
    let history = NewHistory {
        person_id: person.id,
        at_us: 1,
        actor: "sistema".into(),
        kind: "creazione",
        summary: "nuova".into(),
        changes: vec![],
    };
    s.create_person(&person, &history, &audit(org_id, "person.create", "p"))
        .await
        .unwrap();
    person
}

/// What one web request does with its one connection (run inside the backend's `scope` on a
/// pool of one connection): a read, a transaction, a read, another transaction. Each
/// transaction must find the request's connection given back, not wait for it.
pub async fn one_request_reads_and_writes_on_one_connection<S: Stores>(s: &S) {
    assert_eq!(s.count_orgs().await.unwrap(), 0);
    let first = org("comune-uno", OrgKind::Comune);
    s.create_org(&first, &[], &audit(first.id, "org.create", "creato"))
        .await
        .unwrap();
    assert_eq!(s.get_org(first.id).await.unwrap(), first);
    let second = org("comune-due", OrgKind::Comune);
    s.create_org(&second, &[], &audit(second.id, "org.create", "creato"))
        .await
        .unwrap();
    assert_eq!(s.count_orgs().await.unwrap(), 2);
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
    let anna2 = s.get_user(anna.id).await.unwrap();
    assert_eq!(
        (anna2.full_name.as_str(), anna2.email.as_deref()),
        ("Anna Bianchi", None)
    );
    assert_eq!(s.list_users().await.unwrap().len(), 2);
    let roles = s.list_user_roles().await.unwrap();
    assert!(roles.contains(&(anna.id, a.name.clone(), Role::AssistenteSociale)));
    assert!(roles.contains(&(bruno.id, b.name.clone(), Role::OperatoreSportello)));
    assert_eq!(roles.len(), 2);
}

pub async fn a_totp_step_is_accepted_once<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let u = new_user(s, "elena", o.id, Role::Responsabile).await;
    let mut enrolling = session("e1", u.id, Some(o.id), 1);
    enrolling.stage = SessionStage::EnrolTotp;
    s.create_session(&enrolling).await.unwrap();
    let enrol = audit(o.id, "user.totp_enrol", "x");
    s.accept_totp(
        u.id,
        100,
        Some(("JBSWY3DPEHPK3PXP", &enrol)),
        "e1",
        &session("e2", u.id, Some(o.id), 2),
    )
    .await
    .unwrap();
    assert_eq!(
        s.get_user(u.id).await.unwrap().totp_secret.as_deref(),
        Some("JBSWY3DPEHPK3PXP")
    );
    let hashes = |list: Vec<Session>| list.into_iter().map(|x| x.token_hash).collect::<Vec<_>>();
    assert_eq!(hashes(s.list_user_sessions(u.id).await.unwrap()), ["e2"]);
    let chain = s.audit_chain(o.id).await.unwrap();
    assert_eq!(chain.last().unwrap().action, "user.totp_enrol");

    // The same step, or an earlier one, is spent: refused, and nothing moves.
    for step in [100, 99] {
        assert!(matches!(
            s.accept_totp(u.id, step, None, "e2", &session("e3", u.id, Some(o.id), 3))
                .await,
            Err(StoreError::Conflict)
        ));
    }
    assert_eq!(hashes(s.list_user_sessions(u.id).await.unwrap()), ["e2"]);
    s.accept_totp(u.id, 101, None, "e2", &session("e3", u.id, Some(o.id), 3))
        .await
        .unwrap();
    assert_eq!(hashes(s.list_user_sessions(u.id).await.unwrap()), ["e3"]);
    assert_eq!(
        s.audit_chain(o.id).await.unwrap().len(),
        chain.len(),
        "a code alone writes no audit entry"
    );
    // A session ended meanwhile (logout, an administrator) is not brought back by a code.
    s.delete_session("e3").await.unwrap();
    assert!(matches!(
        s.accept_totp(u.id, 102, None, "e3", &session("e4", u.id, Some(o.id), 4))
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(s.list_user_sessions(u.id).await.unwrap().is_empty());
}

pub async fn an_account_link_sets_a_password_once_before_it_expires<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let p = new_person(s, o.id).await;
    let u = new_user(s, "rssmra80a01a794j", o.id, Role::Cittadino).await;
    s.create_session(&session("t1", u.id, None, 1))
        .await
        .unwrap();
    let link = |hash: &str, expires_us| AccountLink {
        token_hash: hash.into(),
        login: "rssmra80a01a794j".into(),
        org_id: o.id,
        person_id: p.id,
        created_us: 1,
        expires_us,
        used_us: None,
    };
    s.create_account_link(&link("l1", 100), &audit(o.id, "portal.account_link", "1"))
        .await
        .unwrap();
    // A later link replaces the login's earlier one.
    s.create_account_link(&link("l2", 100), &audit(o.id, "portal.account_link", "2"))
        .await
        .unwrap();
    assert!(matches!(
        s.get_account_link("l1").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.get_account_link("l2").await.unwrap(), link("l2", 100));
    let change = PasswordChange {
        hash: "$argon2id$link".into(),
        one_time_until_us: None,
        revoke_tokens_at: None,
    };
    let set = |hash: &'static str, now_us| {
        let change = change.clone();
        async move {
            s.set_password_by_link(
                hash,
                now_us,
                u.id,
                &change,
                &[audit(o.id, "user.password_change", "x")],
            )
            .await
        }
    };
    // Expired at its time: nothing moves.
    let chain = s.audit_chain(o.id).await.unwrap().len();
    assert!(matches!(set("l2", 100).await, Err(StoreError::Conflict)));
    assert_ne!(s.get_user(u.id).await.unwrap().password_hash, change.hash);
    assert_eq!(s.audit_chain(o.id).await.unwrap().len(), chain);
    // Before it: the password set, the sessions ended, the link spent.
    set("l2", 99).await.unwrap();
    assert_eq!(s.get_user(u.id).await.unwrap().password_hash, change.hash);
    assert!(s.list_user_sessions(u.id).await.unwrap().is_empty());
    assert_eq!(s.get_account_link("l2").await.unwrap().used_us, Some(99));
    assert_eq!(s.audit_chain(o.id).await.unwrap().len(), chain + 1);
    assert!(matches!(set("l2", 99).await, Err(StoreError::Conflict)));
    assert!(matches!(set("l9", 1).await, Err(StoreError::Conflict)));
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
    let other = new_org(s, "comune-b").await;
    let t = token("tok-carla", u.id, o.id);
    s.create_token(&t, &audit(o.id, "token.create", "x"))
        .await
        .unwrap();
    let reset_at = now();
    s.set_password(
        u.id,
        &PasswordChange {
            hash: "$argon2id$new".into(),
            one_time_until_us: Some(42),
            revoke_tokens_at: Some(reset_at),
        },
        &[
            audit(o.id, "user.password_reset", "x"),
            audit(other.id, "user.password_reset", "x"),
        ],
    )
    .await
    .unwrap();
    assert!(s.list_user_sessions(u.id).await.unwrap().is_empty());
    let u2 = s.get_user(u.id).await.unwrap();
    assert!(u2.must_change_password);
    assert_eq!(u2.one_time_until_us, Some(42));
    assert_eq!(u2.password_hash, "$argon2id$new");
    // The reset revoked the token and is logged in both organizations.
    assert_eq!(
        s.get_token_by_hash("tok-carla").await.unwrap().revoked_at,
        Some(reset_at)
    );
    for org_id in [o.id, other.id] {
        let f = AuditFilter {
            org_id: Some(org_id),
            action_prefix: Some("user.password_reset".into()),
            limit: 10,
            ..AuditFilter::default()
        };
        assert_eq!(s.count_audit(&f).await.unwrap(), 1);
    }
    s.set_password(
        u.id,
        &PasswordChange {
            hash: "$argon2id$own".into(),
            one_time_until_us: None,
            revoke_tokens_at: None,
        },
        &[audit(o.id, "user.password_change", "x")],
    )
    .await
    .unwrap();
    let u3 = s.get_user(u.id).await.unwrap();
    assert!(!u3.must_change_password);
    assert_eq!(u3.one_time_until_us, None);

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
    let (with, owner, ms) = s.get_session_with_user("h1").await.unwrap();
    assert_eq!((with, owner), (sess.clone(), u.clone()));
    let roles = |ms: &[Membership]| ms.iter().map(|m| (m.org.id, m.role)).collect::<Vec<_>>();
    assert_eq!(roles(&ms), vec![(o.id, Role::Responsabile)]);
    // Memberships come with the session, one row each, as `memberships` lists them.
    let b = new_org(s, "comune-b").await;
    s.set_membership(
        u.id,
        b.id,
        Role::AssistenteSociale,
        &audit(b.id, "membership.set", "x"),
    )
    .await
    .unwrap();
    let (_, _, ms) = s.get_session_with_user("h1").await.unwrap();
    assert_eq!(roles(&ms).len(), 2);
    assert_eq!(roles(&ms), roles(&s.memberships(u.id).await.unwrap()));
    assert!(matches!(
        s.get_session_with_user("nope").await,
        Err(StoreError::NotFound)
    ));
    s.set_session_stage("h1", SessionStage::Totp, Some("SECRET"))
        .await
        .unwrap();
    s.set_session_org("h1", o.id).await.unwrap();
    s.touch_session("h1", 5_000).await.unwrap();
    let (got, _, _) = s.get_session_with_user("h1").await.unwrap();
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
    assert_eq!(s.purge_sessions(6_000, 0, 0).await.unwrap(), 1);
    assert!(s.get_session_with_user("h2").await.is_ok());
    // Absolute lifetime: created before 20_000 goes, however recent its activity.
    s.touch_session("h2", 50_000).await.unwrap();
    assert_eq!(s.purge_sessions(0, 20_000, 0).await.unwrap(), 1);
    s.create_session(&session("h3", u.id, None, 1))
        .await
        .unwrap();
    s.delete_session("h3").await.unwrap();
    assert!(s.list_user_sessions(u.id).await.unwrap().is_empty());
}

pub async fn tokens_are_found_by_hash_and_revoked_once<S: Stores>(s: &S) {
    let o = new_org(s, "comune-a").await;
    let u = new_user(s, "elena", o.id, Role::OperatoreSportello).await;
    let t = token("abc123", u.id, o.id);
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
    let report = verify_chain(&chain, Some(head_a), &test_key());
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(report.unkeyed, 0, "every row is keyed");
    assert_eq!(s.audit_chain(b.id).await.unwrap().len(), 2);
    // The first row's time survives the round trip exactly, or the hash would not verify.
    assert_eq!(chain[1].summary, "lettura 0");
}

pub async fn audit_reads_are_appended_in_batches_and_found_by_person<S: Stores>(s: &S) {
    let a = new_org(s, "comune-a").await;
    let b = new_org(s, "comune-b").await;
    let mario = new_person(s, a.id).await;
    let other = new_person(s, a.id).await;
    let read = |org: Uuid, id: Uuid, summary: &str| NewAudit {
        record_id: Some(id),
        ..audit(org, "person.view", summary)
    };
    let batch = [
        read(a.id, mario.id, "prima"),
        read(a.id, other.id, "altra persona"),
        read(b.id, mario.id, "altro ente"),
        read(a.id, mario.id, "seconda"),
    ];
    s.append_audit_batch(&batch).await.unwrap();
    s.append_audit_batch(&[]).await.unwrap();
    let chain = s.audit_chain(a.id).await.unwrap();
    let heads = s.chain_heads().await.unwrap();
    let head = heads.iter().find(|h| h.org_id == a.id);
    assert!(verify_chain(&chain, head, &test_key()).problems.is_empty());
    assert_eq!(
        chain
            .iter()
            .rev()
            .take(3)
            .map(|r| r.summary.as_str())
            .collect::<Vec<_>>(),
        ["seconda", "altra persona", "prima"],
        "in order, in the organization's chain"
    );
    // A batch larger than one multi-row statement, the chain intact after it.
    let many: Vec<NewAudit> = (0..250)
        .map(|i| read(a.id, other.id, &format!("lettura {i}")))
        .collect();
    s.append_audit_batch(&many).await.unwrap();
    let chain = s.audit_chain(a.id).await.unwrap();
    let heads = s.chain_heads().await.unwrap();
    let head = heads.iter().find(|h| h.org_id == a.id);
    let report = verify_chain(&chain, head, &test_key());
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(chain.last().unwrap().summary, "lettura 249");
    // A read of weeks ago and a change: reads are found day by day, changes by record.
    let before = |days: i64, action: &str, summary: &str| NewAudit {
        at: now() - time::Duration::days(days),
        record_id: Some(mario.id),
        ..audit(a.id, action, summary)
    };
    s.append_audit_batch(&[
        before(40, "person.view", "quaranta giorni fa"),
        before(3, "person.update", "modifica"),
    ])
    .await
    .unwrap();
    let seen = s.person_audit(a.id, mario.id, 10, 0, None).await.unwrap();
    assert_eq!(
        seen.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>(),
        ["seconda", "prima", "modifica", "quaranta giorni fa"],
        "newest first, neither another person's nor another organization's"
    );
    let second_page = s.person_audit(a.id, mario.id, 1, 1, None).await.unwrap();
    assert_eq!(second_page[0].summary, "prima");
    // The citizen's access log: reads only, and not the citizen's own, however many.
    let citizen = Uuid::now_v7();
    let own: Vec<NewAudit> = (0..20)
        .map(|i| NewAudit {
            actor_id: Some(citizen),
            ..read(a.id, mario.id, &format!("propria {i}"))
        })
        .collect();
    s.append_audit_batch(&own).await.unwrap();
    let others = s
        .person_audit(a.id, mario.id, 3, 0, Some(citizen))
        .await
        .unwrap();
    assert_eq!(
        others
            .iter()
            .map(|r| r.summary.as_str())
            .collect::<Vec<_>>(),
        ["seconda", "prima", "quaranta giorni fa"],
        "the reads by others, not crowded out by the citizen's own"
    );
    assert!(
        s.person_audit(b.id, other.id, 10, 0, None)
            .await
            .unwrap()
            .is_empty()
    );
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
    s.append_audit(&audit(a.id, "user_x.create_more", "più lunga"))
        .await
        .unwrap();
    let f = AuditFilter {
        action: Some("user_x.create".into()),
        ..base.clone()
    };
    let rows = s.list_audit(&f).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>(),
        ["underscore"],
        "an action exactly, not one it begins"
    );
    assert_eq!(s.count_audit(&f).await.unwrap(), 1);
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

/// The whole procedure through the store: catalogue and rule, attestation, an application
/// filed as a draft, numbered at submission, a stale change refused, acceptance counted in
/// the budget, months of delivery, worklists and the person's matter.
pub async fn an_application_is_numbered_moves_by_compare_and_set_and_is_delivered<S: Stores>(
    s: &S,
) {
    use domain::application::{self as app, ApplicationState as St};
    use domain::benefit::base_catalogue;
    use domain::money::Money;
    use time::macros::date;
    let o = new_org(s, "comune-bg").await;
    let op = new_user(s, "istruttore", o.id, Role::Responsabile).await;
    let person = new_person(s, o.id).await;
    let seed = base_catalogue(date!(2026 - 01 - 01));
    let sad = seed.iter().find(|b| b.data.code == "sad").unwrap();
    let benefit = Benefit {
        id: Uuid::now_v7(),
        org_id: o.id,
        data: sad.data.clone(),
        version: 1,
        created_at_us: 1,
    };
    let rule = BenefitRule {
        id: Uuid::now_v7(),
        org_id: o.id,
        benefit_id: benefit.id,
        rule: sad.rule.clone().unwrap(),
        actor: "sistema".into(),
        at_us: 1,
    };
    s.seed_benefits(
        std::slice::from_ref(&benefit),
        std::slice::from_ref(&rule),
        &audit(o.id, "benefit.seed", "catalogo"),
    )
    .await
    .unwrap();
    assert_eq!(s.list_benefits(o.id).await.unwrap(), vec![benefit.clone()]);
    assert_eq!(
        s.benefit_rules(o.id, benefit.id).await.unwrap(),
        vec![rule.clone()]
    );
    let att = app::parse_attestation(
        &app::AttestationInput {
            protocol: "INPS-ISEE-2026-00012345A-00".into(),
            submitted_on: "15/01/2026".into(),
            variant: "sociosanitario".into(),
            isee: "8.500,00".into(),
            ise: "17.340,00".into(),
            isr: "15.000,00".into(),
            isp: "11.700,00".into(),
            scala: "2,04".into(),
            members: "3".into(),
            ..Default::default()
        },
        date!(2026 - 03 - 01),
    )
    .unwrap();
    let attestation = Attestation {
        id: Uuid::now_v7(),
        org_id: o.id,
        person_id: person.id,
        data: att,
        source: "manuale".into(),
        simulation: None,
        actor: "istruttore".into(),
        at_us: 2,
    };
    s.add_attestation(&attestation, &audit(o.id, "isee.add", "att"))
        .await
        .unwrap();
    assert_eq!(
        s.get_attestation(o.id, attestation.id).await.unwrap(),
        attestation
    );
    let dup = Attestation {
        id: Uuid::now_v7(),
        ..attestation.clone()
    };
    assert!(matches!(
        s.add_attestation(&dup, &audit(o.id, "isee.add", "dup"))
            .await,
        Err(StoreError::Duplicate(_))
    ));
    let mut a = Application {
        id: Uuid::now_v7(),
        org_id: o.id,
        person_id: person.id,
        benefit_id: benefit.id,
        protocol: None,
        state: St::Draft,
        channel: app::Channel::Counter,
        filed_by: op.id,
        reviewer_id: None,
        attestation_id: Some(attestation.id),
        declared: app::Declared {
            resident_since: None,
            disability: false,
            cost: None,
            units: Some(20),
            months: 2,
        },
        outcome: None,
        rule_id: Some(rule.id),
        amount: None,
        committed: Money::ZERO,
        email: Some("mario@example.org".into()),
        notes: String::new(),
        submitted_on: None,
        due_on: None,
        suspended_since: None,
        notice_on: None,
        decided_on: None,
        decision_note: String::new(),
        version: 1,
        created_at_us: 3,
    };
    let event = |a: &Application, from: Option<St>, at_us| ApplicationEvent {
        id: Uuid::now_v7(),
        org_id: o.id,
        application_id: a.id,
        from,
        to: a.state,
        note: String::new(),
        observations: None,
        actor: "istruttore".into(),
        at_us,
    };
    let created = s
        .create_application(
            &a,
            &event(&a, None, 3),
            &audit(o.id, "application.create", "a"),
        )
        .await
        .unwrap();
    assert_eq!(created, None, "a draft has no protocol");
    assert!(s.open_matters(o.id, person.id).await.unwrap().is_empty());
    a.state = St::Submitted;
    a.submitted_on = Some(date!(2026 - 03 - 02));
    a.due_on = Some(date!(2026 - 04 - 01));
    a.version = 2;
    let protocol = s
        .change_application_state(
            &a,
            &event(&a, Some(St::Draft), 4),
            &[],
            &audit(o.id, "application.state", "s"),
        )
        .await
        .unwrap();
    assert_eq!(protocol.as_deref(), Some("2026/000001"));
    assert_eq!(s.open_matters(o.id, person.id).await.unwrap().len(), 1);
    let stale = Application {
        state: St::Archived,
        ..a.clone()
    };
    assert!(matches!(
        s.change_application_state(
            &stale,
            &event(&stale, Some(St::Submitted), 5),
            &[],
            &audit(o.id, "application.state", "x")
        )
        .await,
        Err(StoreError::Conflict)
    ));
    a.protocol = protocol;
    let counts = s
        .worklist_counts(o.id, op.id, None, date!(2026 - 04 - 02))
        .await
        .unwrap();
    assert_eq!(
        (counts.all, counts.mine, counts.to_review, counts.overdue),
        (1, 1, 1, 1)
    );
    let overdue = ApplicationFilter {
        list: Worklist::Overdue(date!(2026 - 04 - 02)),
        state: None,
        benefit_id: None,
        filed_by: None,
        person_id: None,
        search: Default::default(),
        limit: 10,
        offset: 0,
    };
    let listed = s.list_applications(o.id, &overdue).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].isee,
        Some(Money(850_000)),
        "the attestation's ISEE"
    );
    for (typed, found) in [
        ("2026/1", 1),
        ("2026/000002", 0),
        ("rossi m", 1),
        ("mario ros", 1),
        ("ario", 0),
        ("bianchi", 0),
    ] {
        let search = ApplicationFilter {
            search: app::ApplicationSearch::parse(typed),
            ..overdue.clone()
        };
        let n = s.list_applications(o.id, &search).await.unwrap().len();
        assert_eq!(n, found, "search «{typed}»");
    }
    let on_time = ApplicationFilter {
        list: Worklist::Overdue(date!(2026 - 04 - 01)),
        ..overdue.clone()
    };
    assert!(
        s.list_applications(o.id, &on_time)
            .await
            .unwrap()
            .is_empty()
    );
    let expired = ApplicationFilter {
        list: Worklist::IseeMissing(date!(2027 - 01 - 01)),
        ..overdue.clone()
    };
    assert_eq!(s.list_applications(o.id, &expired).await.unwrap().len(), 1);
    a.state = St::InReview;
    a.version = 3;
    a.reviewer_id = Some(op.id);
    s.change_application_state(
        &a,
        &event(&a, Some(St::Submitted), 6),
        &[],
        &audit(o.id, "application.state", "r"),
    )
    .await
    .unwrap();
    a.state = St::Accepted;
    a.version = 4;
    a.decided_on = Some(date!(2026 - 03 - 10));
    a.amount = Some(Money(10_000));
    a.committed = Money(20_000);
    s.change_application_state(
        &a,
        &event(&a, Some(St::InReview), 7),
        &[],
        &audit(o.id, "application.state", "a"),
    )
    .await
    .unwrap();
    a.state = St::Delivering;
    a.version = 5;
    let months: Vec<Delivery> = app::delivery_months(date!(2026 - 03 - 10), 2)
        .into_iter()
        .map(|m| Delivery {
            id: Uuid::now_v7(),
            org_id: o.id,
            application_id: a.id,
            month: m,
            status: app::DeliveryStatus::Planned,
            quantity: Some(20),
            amount: Money(10_000),
            co_payment: Money::ZERO,
            note: String::new(),
            actor: "istruttore".into(),
            at_us: 8,
            version: 1,
        })
        .collect();
    s.change_application_state(
        &a,
        &event(&a, Some(St::Accepted), 8),
        &months,
        &audit(o.id, "application.state", "d"),
    )
    .await
    .unwrap();
    let mut first = s.application_deliveries(o.id, a.id).await.unwrap()[0].clone();
    assert_eq!(first.month, date!(2026 - 03 - 01));
    first.status = app::DeliveryStatus::Delivered;
    first.version = 2;
    s.update_delivery(&first, &audit(o.id, "delivery.record", "m"))
        .await
        .unwrap();
    assert_eq!(
        s.suspend_deliveries(
            o.id,
            a.id,
            date!(2026 - 03 - 01),
            true,
            &audit(o.id, "delivery.suspend", "s")
        )
        .await
        .unwrap(),
        1,
        "only the planned month is suspended"
    );
    let budgets = s
        .benefit_budgets(o.id, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
        .await
        .unwrap();
    assert_eq!(budgets[0].committed, Money(20_000));
    assert_eq!(budgets[0].spent, Money(10_000));
    let view = s.get_application(o.id, a.id).await.unwrap();
    assert_eq!(view.app, a);
    assert_eq!(view.isee_valid_until, Some(date!(2026 - 12 - 31)));
    let history = s.application_events(o.id, a.id).await.unwrap();
    let states: Vec<St> = history.iter().map(|e| e.to).collect();
    assert_eq!(
        states,
        [
            St::Draft,
            St::Submitted,
            St::InReview,
            St::Accepted,
            St::Delivering
        ]
    );
    a.state = St::Concluded;
    a.version = 6;
    s.change_application_state(
        &a,
        &event(&a, Some(St::Delivering), 9),
        &[],
        &audit(o.id, "application.state", "c"),
    )
    .await
    .unwrap();
    assert!(s.open_matters(o.id, person.id).await.unwrap().is_empty());
    let other = new_org(s, "comune-xx").await;
    assert!(matches!(
        s.get_application(other.id, a.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn mandates_cover_their_period_until_revoked<S: Stores>(s: &S) {
    use domain::mandate::{MandateKind, MandateTerms};
    let o = new_org(s, "comune-a").await;
    let other = new_org(s, "comune-b").await;
    let caf = new_user(s, "caf1", o.id, Role::OperatoreCaf).await;
    let p = new_person(s, o.id).await;
    let history = |summary: &str| NewHistory {
        person_id: p.id,
        at_us: 1,
        actor: "sistema".into(),
        kind: "delega",
        summary: summary.into(),
        changes: Vec::new(),
    };
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::March, d).unwrap();
    let m = Mandate {
        id: Uuid::now_v7(),
        org_id: o.id,
        person_id: p.id,
        user_id: caf.id,
        terms: MandateTerms {
            kind: MandateKind::Caf,
            valid_from: day(2),
            valid_to: Some(day(20)),
            note: "delega firmata".into(),
        },
        created_by: "sistema".into(),
        created_us: 7,
        revoked_us: None,
    };
    s.add_mandate(&m, &history("delega"), &audit(o.id, "mandate.add", "x"))
        .await
        .unwrap();
    let held = |on| s.mandates_held(o.id, caf.id, p.id, on);
    assert!(held(day(1)).await.unwrap().is_empty());
    assert_eq!(held(day(2)).await.unwrap(), [MandateKind::Caf]);
    assert_eq!(held(day(20)).await.unwrap(), [MandateKind::Caf]);
    assert!(held(day(21)).await.unwrap().is_empty());
    assert_eq!(
        s.persons_represented(o.id, caf.id, day(2)).await.unwrap(),
        [(p.id, MandateKind::Caf)]
    );
    assert!(
        s.persons_represented(o.id, caf.id, day(21))
            .await
            .unwrap()
            .is_empty()
    );
    // Scoped by organization.
    assert!(
        s.persons_represented(other.id, caf.id, day(5))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.mandates_held(other.id, caf.id, p.id, day(5))
            .await
            .unwrap()
            .is_empty()
    );
    let views = s.person_mandates(o.id, p.id).await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].mandate, m);
    assert_eq!(views[0].login, "caf1");
    s.revoke_mandate(
        o.id,
        m.id,
        9,
        &history("revoca"),
        &audit(o.id, "mandate.revoke", "x"),
    )
    .await
    .unwrap();
    assert!(held(day(5)).await.unwrap().is_empty());
    assert_eq!(
        s.person_mandates(o.id, p.id).await.unwrap()[0]
            .mandate
            .revoked_us,
        Some(9)
    );
    assert!(matches!(
        s.revoke_mandate(
            o.id,
            m.id,
            10,
            &history("revoca"),
            &audit(o.id, "mandate.revoke", "x")
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.person_history(o.id, p.id).await.unwrap().len(), 3);
}

/// What several servers share: a failure counter starts again after its window, a job's
/// period is claimed once, a message is read until deleted, a sign-in is taken once.
pub async fn servers_share_failures_job_runs_messages_and_sign_ins<S: Stores>(s: &S) {
    let minute = 60_000_000;
    for at in [1, 2, 3] {
        s.add_login_failure(
            "pair",
            "mario",
            "10.0.0.1",
            at * minute,
            at * minute - 15 * minute,
        )
        .await
        .unwrap();
    }
    s.add_login_failure("address", "", "10.0.0.1", 3 * minute, 0)
        .await
        .unwrap();
    s.add_login_failure("pair", "luigi", "10.0.0.1", 3 * minute, 0)
        .await
        .unwrap();
    let found = s.login_failures_for("mario", "10.0.0.1", 0).await.unwrap();
    let pair = found.iter().find(|f| f.kind == "pair").unwrap();
    assert_eq!((pair.failures, pair.last_us), (3, 3 * minute));
    assert_eq!(found.len(), 2, "{found:?}");
    // Past the window the count starts again.
    s.add_login_failure("pair", "mario", "10.0.0.1", 30 * minute, 15 * minute)
        .await
        .unwrap();
    let found = s.login_failures_of("mario", 15 * minute).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].failures, 1);
    assert_eq!(s.delete_login_failures_of("mario").await.unwrap(), 1);
    s.delete_login_failure("address", "", "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(
        s.login_failures_for("luigi", "10.0.0.1", 0)
            .await
            .unwrap()
            .len(),
        1
    );

    assert!(s.claim_job_run("prova", "7", "a", 10).await.unwrap());
    assert!(!s.claim_job_run("prova", "7", "b", 11).await.unwrap());
    s.finish_job_run("prova", "7", 20, true, None)
        .await
        .unwrap();
    assert!(s.claim_job_run("prova", "8", "b", 30).await.unwrap());
    s.finish_job_run("prova", "8", 40, false, Some("errore"))
        .await
        .unwrap();
    let jobs = s.job_summaries().await.unwrap();
    assert_eq!(
        jobs,
        [crate::JobSummary {
            job: "prova".into(),
            runs: 2,
            failures: 1,
            last_success_us: Some(20),
        }]
    );
    assert_eq!(s.purge_job_runs(25).await.unwrap(), 1);

    s.put_flash("h", "success", "Salvato.", 100).await.unwrap();
    assert_eq!(
        s.get_flash("h", 50).await.unwrap(),
        Some(("success".into(), "Salvato.".into()))
    );
    assert_eq!(s.get_flash("h", 100).await.unwrap(), None, "too old");
    s.delete_flash("h").await.unwrap();
    assert_eq!(s.get_flash("h", 0).await.unwrap(), None);

    let sign_in = crate::PendingSignIn {
        created_us: 5,
        pending: "{}".into(),
        after_path: "/portale".into(),
    };
    s.put_pending_sign_in("stato", &sign_in).await.unwrap();
    assert_eq!(
        s.take_pending_sign_in("stato").await.unwrap(),
        Some(sign_in)
    );
    assert_eq!(s.take_pending_sign_in("stato").await.unwrap(), None);
    assert!(s.purge_server_state(i64::MAX).await.unwrap() >= 1);
}
