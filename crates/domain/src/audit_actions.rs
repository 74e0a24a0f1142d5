//! The audit log's actions in words: the code each row carries (`person.update`) and what an
//! auditor reads (`Modifica dei dati di una persona`), grouped by what they act on.

/// A group of actions: every code starting with `prefix` (`application.` for the istanze).
pub struct ActionGroup {
    pub label: &'static str,
    pub prefix: &'static str,
    pub actions: &'static [(&'static str, &'static str)],
}

pub const GROUPS: &[ActionGroup] = &[
    ActionGroup {
        label: "Accessi al sistema",
        prefix: "session.",
        actions: &[
            ("session.login", "Accesso al sistema"),
            ("session.portal_login", "Accesso al portale del cittadino"),
            (
                "session.end_all",
                "Chiusura di tutte le sessioni di un utente",
            ),
        ],
    },
    ActionGroup {
        label: "Token per le API",
        prefix: "token.",
        actions: &[
            ("token.create", "Creazione di un token per le API"),
            ("token.revoke", "Revoca di un token per le API"),
        ],
    },
    ActionGroup {
        label: "Enti",
        prefix: "org.",
        actions: &[
            ("org.create", "Creazione di un ente"),
            ("org.update", "Modifica di un ente"),
            (
                "org.letterhead",
                "Modifica della carta intestata di un ente",
            ),
            ("org.logo", "Caricamento del logo di un ente"),
            ("org.logo_remove", "Rimozione del logo di un ente"),
            (
                "org.portal_settings",
                "Modifica delle impostazioni del portale del cittadino",
            ),
        ],
    },
    ActionGroup {
        label: "SIUSS",
        prefix: "siuss.",
        actions: &[
            (
                "siuss.sender",
                "Modifica delle impostazioni SIUSS dell'ente",
            ),
            ("siuss.view", "Consultazione dei record SIUSS di un mese"),
            ("siuss.export", "Esportazione dei file SIUSS per l'INPS"),
            ("siuss.flows", "Flussi SIUSS preparati per l'INPS"),
            (
                "siuss.flussi",
                "Lettura dei flussi SIUSS da parte dell'INPS",
            ),
            ("siuss.esiti", "Esiti dei flussi SIUSS notificati dall'INPS"),
            ("siuss.resend", "Nuovo invio di un flusso SIUSS respinto"),
        ],
    },
    ActionGroup {
        label: "Bandi e graduatorie",
        prefix: "call.",
        actions: &[
            ("call.create", "Apertura di un bando"),
            (
                "call.rules",
                "Nuova versione delle regole di punteggio di un bando",
            ),
            ("call.funds", "Fondi aggiunti allo stanziamento di un bando"),
            ("call.rank", "Calcolo della graduatoria di un bando"),
            ("call.fund", "Finanziamento della graduatoria di un bando"),
            (
                "call.top_up",
                "Domanda già accolta finanziata ancora dopo l'aggiunta di fondi",
            ),
            (
                "call.publish",
                "Pubblicazione della graduatoria di un bando",
            ),
            (
                "call.applications.view",
                "Consultazione delle domande di un bando",
            ),
            (
                "call.ranking.view",
                "Consultazione della graduatoria di un bando con i punteggi",
            ),
        ],
    },
    ActionGroup {
        label: "Fondi",
        prefix: "fund.",
        actions: &[
            ("fund.create", "Creazione di un fondo"),
            ("fund.allocation", "Stanziamento annuale di un fondo"),
            ("fund.benefit", "Prestazione legata a un fondo"),
        ],
    },
    ActionGroup {
        label: "Pagamenti",
        prefix: "payment.",
        actions: &[
            ("payment.view", "Consultazione delle distinte di pagamento"),
            ("payment.list", "Preparazione di una distinta di pagamento"),
            (
                "payment.approve",
                "Approvazione di una distinta di pagamento",
            ),
            ("payment.sepa", "Scaricamento del file SEPA per la banca"),
            ("payment.return", "Importazione dell'esito della banca"),
        ],
    },
    ActionGroup {
        label: "IBAN dei beneficiari",
        prefix: "payee.",
        actions: &[
            ("payee.view", "Consultazione dell'IBAN di una persona"),
            ("payee.save", "Modifica dell'IBAN di una persona"),
        ],
    },
    ActionGroup {
        label: "Utenti",
        prefix: "user.",
        actions: &[
            ("user.create", "Creazione di un utente"),
            ("user.disable", "Disattivazione di un utente"),
            ("user.enable", "Riattivazione di un utente"),
            ("user.password_change", "Cambio della propria password"),
            ("user.password_reset", "Nuova password provvisoria"),
            ("user.totp_enrol", "Attivazione del secondo fattore"),
            ("user.unlock", "Sblocco degli accessi di un utente"),
        ],
    },
    ActionGroup {
        label: "Ruoli degli utenti",
        prefix: "membership.",
        actions: &[
            ("membership.set", "Assegnazione di un ruolo"),
            ("membership.remove", "Revoca di un ruolo"),
        ],
    },
    ActionGroup {
        label: "Registro attività",
        prefix: "audit.",
        actions: &[
            ("audit.export", "Esportazione del registro attività"),
            (
                "audit.person_search",
                "Ricerca di chi ha visto i dati di una persona",
            ),
        ],
    },
    ActionGroup {
        label: "Persone",
        prefix: "person.",
        actions: &[
            ("person.create", "Registrazione di una persona"),
            ("person.update", "Modifica dei dati di una persona"),
            ("person.view", "Consultazione della scheda di una persona"),
            ("person.lookup", "Ricerca di una persona per codice fiscale"),
            ("person.merge", "Unione di schede doppie"),
            ("person.document.add", "Aggiunta di un documento d'identità"),
            (
                "person.document.remove",
                "Rimozione di un documento d'identità",
            ),
            ("person.mandate.add", "Registrazione di una delega o tutela"),
            ("person.mandate.revoke", "Revoca di una delega o tutela"),
            ("person.support.add", "Aggiunta alla rete di sostegno"),
            (
                "person.support.end",
                "Fine di un legame della rete di sostegno",
            ),
        ],
    },
    ActionGroup {
        label: "Nuclei familiari",
        prefix: "household.",
        actions: &[
            ("household.create", "Creazione di un nucleo familiare"),
            (
                "household.member.add",
                "Aggiunta di un componente al nucleo",
            ),
            ("household.member.end", "Uscita di un componente dal nucleo"),
            ("household.view", "Consultazione di una famiglia anagrafica"),
        ],
    },
    ActionGroup {
        label: "Anagrafe comunale",
        prefix: "anagrafe.",
        actions: &[
            ("anagrafe.import", "Importazione dall'anagrafe"),
            (
                "anagrafe.evento.verificato",
                "Verifica di un evento anagrafico",
            ),
        ],
    },
    ActionGroup {
        label: "Segretariato sociale",
        prefix: "access.",
        actions: &[
            ("access.record", "Registrazione di un accesso"),
            ("access.view", "Consultazione di una scheda di accesso"),
            (
                "access.follow_up.done",
                "Seguito di un accesso segnato come fatto",
            ),
        ],
    },
    ActionGroup {
        label: "Appuntamenti",
        prefix: "appointment.",
        actions: &[
            ("appointment.book", "Fissato un appuntamento"),
            ("appointment.outcome", "Esito di un appuntamento"),
        ],
    },
    ActionGroup {
        label: "Cartelle sociali",
        prefix: "casefile.",
        actions: &[
            ("casefile.open", "Apertura di una cartella sociale"),
            ("casefile.state", "Cambio di stato di una cartella"),
            ("casefile.view", "Consultazione del diario di una cartella"),
            ("casefile.diary", "Nota nel diario"),
            ("casefile.document", "Documento aggiunto alla cartella"),
            ("casefile.reassign", "Riassegnazione di una cartella"),
            ("casefile.reassign_self", "Presa in carico di una cartella"),
            ("casefile.team.add", "Aggiunta di un operatore all'équipe"),
            ("casefile.team.add_self", "Ingresso nell'équipe"),
            ("casefile.team.remove", "Uscita di un operatore dall'équipe"),
            (
                "casefile.breakglass",
                "Accesso d'urgenza a una cartella riservata",
            ),
        ],
    },
    ActionGroup {
        label: "Note riservate",
        prefix: "confidential.",
        actions: &[("confidential.view", "Consultazione di note riservate")],
    },
    ActionGroup {
        label: "Documenti",
        prefix: "document.",
        actions: &[("document.view", "Apertura di un documento")],
    },
    ActionGroup {
        label: "Valutazioni",
        prefix: "assessment.",
        actions: &[
            ("assessment.create", "Registrazione di una valutazione"),
            ("assessment.view", "Consultazione di una valutazione"),
        ],
    },
    ActionGroup {
        label: "PAI",
        prefix: "plan.",
        actions: &[
            ("plan.create", "Creazione di un PAI"),
            ("plan.intervention", "Intervento del PAI"),
            ("plan.review", "Verifica del PAI"),
            ("plan.print", "Stampa del PAI"),
            ("plan.view", "Consultazione di un PAI"),
        ],
    },
    ActionGroup {
        label: "DSU",
        prefix: "dsu.",
        actions: &[
            ("dsu.create", "Nuova DSU"),
            ("dsu.update", "Modifica di un quadro della DSU"),
            ("dsu.members", "Modifica del nucleo ISEE"),
            ("dsu.state", "Cambio di stato di una DSU"),
            ("dsu.view", "Consultazione di una DSU"),
        ],
    },
    ActionGroup {
        label: "Attestazioni ISEE",
        prefix: "isee.",
        actions: &[
            ("isee.add", "Registrazione di un'attestazione ISEE"),
            ("isee.simulation", "Calcolo di verifica dell'ISEE"),
        ],
    },
    ActionGroup {
        label: "Consultazioni di attestazioni ISEE",
        prefix: "attestation.",
        actions: &[("attestation.view", "Consultazione di un'attestazione ISEE")],
    },
    ActionGroup {
        label: "Prestazioni",
        prefix: "benefit.",
        actions: &[
            ("benefit.create", "Creazione di una prestazione"),
            ("benefit.update", "Modifica di una prestazione"),
            ("benefit.rule", "Nuova regola di una prestazione"),
            ("benefit.seed", "Caricamento del catalogo di base"),
        ],
    },
    ActionGroup {
        label: "Istanze",
        prefix: "application.",
        actions: &[
            ("application.create", "Nuova istanza"),
            ("application.update", "Modifica dei dati di un'istanza"),
            ("application.state", "Cambio di stato di un'istanza"),
            ("application.view", "Consultazione di un'istanza"),
            ("application.document", "Documento aggiunto a un'istanza"),
            ("application.letter", "Lettera di un'istanza"),
            (
                "application.register",
                "Consultazione del registro degli atti",
            ),
            ("application.delivery", "Registrazione di un'erogazione"),
            (
                "application.delivery.correction",
                "Rettifica di un'erogazione registrata",
            ),
            (
                "application.delivery.annul",
                "Annullamento di un'erogazione registrata",
            ),
            ("application.suspend", "Sospensione di un'erogazione"),
            ("application.resume", "Ripresa di un'erogazione"),
            (
                "application.export",
                "Esportazione dell'elenco delle istanze",
            ),
        ],
    },
    ActionGroup {
        label: "Domande online in preparazione",
        prefix: "portal_draft.",
        actions: &[
            (
                "portal_draft.create",
                "Domanda online iniziata dal cittadino",
            ),
            ("portal_draft.save", "Passo di una domanda online salvato"),
            (
                "portal_draft.document",
                "Documento allegato a una domanda online",
            ),
            (
                "portal_draft.document.remove",
                "Documento tolto da una domanda online",
            ),
            (
                "portal_draft.delete",
                "Domanda online eliminata prima dell'invio",
            ),
        ],
    },
];

/// The action in words; the code itself for one this table does not know.
pub fn action_label(code: &str) -> &str {
    GROUPS
        .iter()
        .flat_map(|g| g.actions)
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
}

/// What a value of the action filter selects: one action by its code when it is one this
/// table knows (`casefile.team.add`, not `casefile.team.add_self`), else every action whose
/// code starts with it (a group's `user.`, or a prefix typed in a link or the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    Prefix(String),
    Exact(String),
}

impl ActionFilter {
    pub fn parse(value: &str) -> Option<ActionFilter> {
        let v = value.trim();
        if v.is_empty() {
            None
        } else if action_label(v) != v {
            Some(ActionFilter::Exact(v.to_owned()))
        } else {
            Some(ActionFilter::Prefix(v.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn each_action_is_labelled_once_inside_its_group() {
        let mut seen = HashSet::new();
        for group in GROUPS {
            assert!(group.prefix.ends_with('.'), "{}", group.prefix);
            for (code, label) in group.actions {
                assert!(seen.insert(*code), "{code} twice");
                assert!(!label.is_empty());
                assert!(
                    code.starts_with(group.prefix),
                    "{code} outside {}",
                    group.label
                );
            }
        }
        assert_eq!(action_label("person.merge"), "Unione di schede doppie");
        assert_eq!(action_label("nuovo.codice"), "nuovo.codice");
        assert_eq!(
            ActionFilter::parse("user."),
            Some(ActionFilter::Prefix("user.".into()))
        );
        assert_eq!(
            ActionFilter::parse(" casefile.team.add "),
            Some(ActionFilter::Exact("casefile.team.add".into()))
        );
        assert_eq!(
            ActionFilter::parse("user.totp"),
            Some(ActionFilter::Prefix("user.totp".into()))
        );
        assert_eq!(ActionFilter::parse(""), None);
    }
}
