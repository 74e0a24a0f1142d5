//! E-mail through a real SMTP server started by the test ([`SmtpSink`]).

use crate::smtp::{Behaviour, SmtpSink};
use app::mail::{
    ApplicationStateChanged, AppointmentReminder, Compose, Mail, MailConfig, MailError, Mailer,
};
use time::macros::datetime;

fn mailer(url: Option<String>) -> Mailer {
    Mailer::new(&MailConfig {
        smtp_url: url,
        from: "Servizi sociali <servizi.sociali@comune.example>".into(),
        portal_url: None,
    })
    .unwrap()
}

fn reminder() -> AppointmentReminder {
    AppointmentReminder {
        person_name: "Niccolò Rossi".into(),
        worker_name: "dott.ssa Anna Bianchi".into(),
        office: "Comune di Città di Castello".into(),
        when: datetime!(2026 - 12 - 03 10:30),
        place: "Piazza Gabriotti 1, piano terra, stanza 4".into(),
        purpose: "colloquio per il contributo affitto".into(),
        signature: vec!["Comune di Città di Castello".into()],
    }
}

#[tokio::test]
async fn a_reminder_arrives_in_italian() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mail = reminder().mail("niccolo.rossi@example.org").unwrap();
    mailer(Some(sink.url())).send(&mail).await.unwrap();

    let got = sink.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "servizi.sociali@comune.example");
    assert_eq!(m.to, ["niccolo.rossi@example.org"]);
    assert_eq!(m.header("To").unwrap(), "niccolo.rossi@example.org");
    assert_eq!(
        m.header("Subject").unwrap(),
        "Promemoria appuntamento del 03/12/2026 alle 10:30"
    );
    assert!(
        m.header("Content-Type")
            .unwrap()
            .to_ascii_lowercase()
            .starts_with("text/plain; charset=utf-8")
    );
    assert!(m.header("Message-ID").is_some_and(|id| id.contains('@')));
    assert!(m.header("Date").is_some());
    // lettre writes the accents as quoted-printable: the text is compared once decoded.
    let body = m.body();
    assert_eq!(
        body.trim_end(),
        "Gentile Niccolò Rossi,\n\
         \n\
         le ricordiamo l'appuntamento con dott.ssa Anna Bianchi presso Comune di Città di Castello.\n\
         \n\
         Quando: giovedì 3 dicembre 2026 alle 10:30\n\
         Dove: Piazza Gabriotti 1, piano terra, stanza 4\n\
         Motivo: colloquio per il contributo affitto\n\
         \n\
         Per disdire o spostare l'appuntamento telefoni all'ufficio o risponda a questa e-mail.\n\
         \n\
         Cordiali saluti,\n\
         Comune di Città di Castello",
        "{}",
        m.data
    );
}

#[tokio::test]
async fn optional_lines_are_left_out() {
    let r = AppointmentReminder {
        worker_name: String::new(),
        place: String::new(),
        purpose: String::new(),
        ..reminder()
    };
    let body = r.mail("a@example.org").unwrap().body;
    assert!(
        body.contains(
            "l'appuntamento presso Comune di Città di Castello.\n\n\
             Quando: giovedì 3 dicembre 2026 alle 10:30\n\n\
             Per disdire"
        ),
        "{body}"
    );
    assert!(
        !body.contains("Dove:") && !body.contains("Motivo:"),
        "{body}"
    );
}

#[tokio::test]
async fn a_state_change_notice_with_accents_in_the_subject() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let notice = ApplicationStateChanged {
        person_name: "Maria Fabbri".into(),
        office: "Comune di Forlì".into(),
        protocol: "2026/000123".into(),
        benefit: "contributo per l'affitto".into(),
        state_label: "in attesa di integrazione: è richiesto l'ISEE aggiornato".into(),
        note: Some("Porti l'attestazione ISEE entro venerdì.".into()),
        signature: vec![
            "Comune di Forlì".into(),
            "Piazza Saffi 8 – 47121 Forlì (FC)".into(),
        ],
    };
    let mail = notice
        .mail("Maria Fabbri <maria.fabbri@example.org>")
        .unwrap();
    mailer(Some(sink.url())).send(&mail).await.unwrap();
    let m = &sink.received()[0];
    assert_eq!(m.to, ["maria.fabbri@example.org"]);
    assert_eq!(
        m.header("Subject").unwrap(),
        "Domanda 2026/000123: in attesa di integrazione: è richiesto l'ISEE aggiornato"
    );
    let body = m.body();
    assert!(body.starts_with("Gentile Maria Fabbri,\n"), "{body}");
    assert!(
        body.contains("la sua domanda di contributo per l'affitto (protocollo 2026/000123) presentata a Comune di Forlì è ora: in attesa di integrazione"),
        "{body}"
    );
    assert!(
        body.contains("\n\nPorti l'attestazione ISEE entro venerdì.\n\n"),
        "{body}"
    );
    assert!(
        body.trim_end()
            .ends_with("Cordiali saluti,\nComune di Forlì\nPiazza Saffi 8 – 47121 Forlì (FC)"),
        "{body}"
    );
}

#[tokio::test]
async fn an_invalid_address_is_refused_before_any_connection() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let m = mailer(Some(sink.url()));
    for bad in [
        "",
        "mario.rossi",
        "mario rossi@example.org",
        "a@b.it\r\nBcc: c@d.it",
    ] {
        let err = m
            .send(&Mail {
                to: bad.into(),
                subject: "x".into(),
                body: "y".into(),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, MailError::InvalidAddress(_)),
            "{bad:?}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("indirizzo e-mail non valido"),
            "{err}"
        );
    }
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn without_smtp_nothing_is_sent() {
    let m = mailer(None);
    assert!(!m.is_configured());
    let mail = reminder().mail("niccolo.rossi@example.org").unwrap();
    let err = m.send(&mail).await.unwrap_err();
    assert_eq!(err, MailError::NotConfigured);
    assert!(err.retryable());
    assert_eq!(
        err.to_string(),
        "l'invio di e-mail non è configurato (manca mail.smtp_url)"
    );
    // The application holds a mailer built from its configuration: none by default.
    let state = crate::support::app().await;
    assert_eq!(
        state.mailer.send(&mail).await.unwrap_err(),
        MailError::NotConfigured
    );
}

#[tokio::test]
async fn a_refusing_server_is_an_error() {
    let sink = SmtpSink::start(Behaviour::RefuseRecipients).await;
    let mail = reminder().mail("nessuno@example.org").unwrap();
    let err = mailer(Some(sink.url())).send(&mail).await.unwrap_err();
    let MailError::Refused(detail) = &err else {
        panic!("{err:?}")
    };
    assert!(detail.contains("550"), "{detail}");
    assert!(!err.retryable());
    assert!(
        err.to_string()
            .starts_with("il server di posta ha rifiutato il messaggio: 550"),
        "{err}"
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_to_retry() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mail = reminder().mail("niccolo.rossi@example.org").unwrap();
    let err = mailer(Some(format!("smtp://127.0.0.1:{port}")))
        .send(&mail)
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::Unavailable(_)), "{err:?}");
    assert!(err.retryable());
    assert!(
        err.to_string()
            .starts_with("il server di posta non è raggiungibile o non risponde"),
        "{err}"
    );
}

#[tokio::test]
async fn the_application_state_holds_the_configured_mailer() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let store = app::open_store("sqlite::memory:", store::conformance::test_key())
        .await
        .unwrap();
    let state = web::AppState::new(
        store,
        web::WebConfig {
            mail: MailConfig {
                smtp_url: Some(sink.url()),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    assert!(state.mailer.is_configured());
    let mail = reminder().mail("niccolo.rossi@example.org").unwrap();
    state.mailer.send(&mail).await.unwrap();
    assert_eq!(sink.received().len(), 1);
}
