# Messages with the office, answers to an integration request or a notice, the decision.

follow-errors = Non è stato inviato nulla: correggi quello che è indicato.
sent-message = Messaggio inviato all'ufficio.
sent-document = Documento inviato all'ufficio.
sent-observations = Osservazioni inviate all'ufficio: ne terrà conto nella decisione.

integration-title = Invia i documenti richiesti
integration-lead = L'ufficio aspetta documenti o informazioni per continuare a esaminare la domanda. Trovi che cosa serve nella richiesta di integrazione, tra le lettere qui sotto.
integration-requirement = Documento che invii
integration-file = File
integration-note = Nota per l'ufficio (facoltativa)
integration-submit = Invia il documento
document-present = già inviato
document-missing = manca
document-other = altro documento
file-hint = PDF, JPEG, PNG o P7M, al massimo 10 MiB.

observations-title = Invia le tue osservazioni
observations-lead = Puoi spiegare all'ufficio perché la domanda dovrebbe essere accolta, con un documento se serve, entro il { $date }.
observations-text = Le tue osservazioni
observations-file = Documento a sostegno (facoltativo)
observations-submit = Invia le osservazioni

messages-title = Messaggi con l'ufficio
messages-none = Nessun messaggio per ora.
message-write = Scrivi all'ufficio
message-hint = Ti risponde qui; quando c'è una risposta ricevi un'e-mail.
message-submit = Invia il messaggio
message-document = Documento:
message-from-office = { $name } ({ $office })
message-kind-message = messaggio
message-kind-integration = documenti per l'integrazione
message-kind-observations = osservazioni al preavviso di rigetto

letters-title = Lettere dell'ufficio
letter-decision = Provvedimento (decisione sulla domanda)
letter-notice = Preavviso di rigetto (motivi per cui la domanda non potrebbe essere accolta)
letter-integration = Richiesta di integrazione dei documenti

documents-title = Documenti della domanda
documents-file = File
documents-for = Per
documents-when = Inviato il
document-by-you = inviato da te

deliveries-title = Erogazioni e compartecipazione
deliveries-totals = Erogato finora: { $delivered }. Compartecipazione a tuo carico finora: { $copayment }.
deliveries-month = Mese
deliveries-status = Stato
deliveries-amount = Erogato
deliveries-copayment = Compartecipazione
delivery-prevista = prevista
delivery-erogata = erogata
delivery-sospesa = sospesa

follow-error-not-waiting = l'ufficio non sta aspettando documenti per questa domanda: se vuoi mandare qualcosa, scrivi un messaggio all'ufficio
follow-error-closed = la domanda è chiusa: non si possono inviare altri documenti
follow-error-no-notice = per questa domanda non c'è un preavviso di rigetto a cui rispondere
