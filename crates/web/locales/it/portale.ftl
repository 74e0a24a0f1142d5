# Portale del cittadino: italiano (lingua di riferimento: ogni messaggio è qui).

portal-name = Portale dei servizi sociali
portal-tagline = Servizi sociali online
skip-content = Vai al contenuto principale
skip-menu = Vai al menu di navigazione
menu-label = Menu principale
lang-label = Lingua
nav-home = Home
nav-applications = Le mie domande
nav-accesses = Chi ha visto i miei dati
sign-in = Accedi
sign-out = Esci
footer-text = Portale dei servizi sociali, realizzato con Sportello, software libero (EUPL 1.2).

home-title = Servizi sociali online
home-lead = Qui segui le domande presentate ai servizi sociali del tuo Comune, vedi a che punto sono e chi ha consultato i tuoi dati. Puoi anche calcolare quanto pagherai per un servizio.
home-sign-in = Entra con SPID o CIE
home-welcome = Ciao { $name }.
home-your-applications = Vedi le tue domande
home-your-accesses = Vedi chi ha consultato i tuoi dati
home-calculate-title = Quanto pagherò
home-calculate-lead = Scegli il servizio: con il tuo ISEE e pochi altri dati vedi subito se ne hai diritto e quanto costa, con le stesse regole che usa l'ufficio.
home-no-benefits = Nessun servizio è ancora pubblicato.

signin-title = Accedi al portale
signin-lead = Entra con la tua identità digitale: SPID oppure la Carta d'identità elettronica (CIE). Ti riconosciamo dal codice fiscale.
signin-with = Entra con { $provider }
signin-unavailable = L'accesso con SPID e CIE non è ancora attivo su questo portale. Per informazioni sulle tue domande rivolgiti allo sportello del tuo Comune.
signin-failed = L'accesso non è riuscito. Riprova; se il problema si ripete, rivolgiti allo sportello.
signin-unknown = Non risulti tra le persone seguite dai servizi sociali di questo portale. Per presentare la prima domanda rivolgiti allo sportello del tuo Comune.
signin-refused = Con questa identità non è possibile accedere al portale. Rivolgiti allo sportello.
signout-done = Sei uscito dal portale.

applications-title = Le mie domande
applications-lead = Le domande presentate per te o per le persone che rappresenti, allo sportello, tramite un CAF o online.
applications-none = Non risultano domande presentate.
applications-count = { $n ->
    [one] 1 domanda
   *[other] { $n } domande
}
col-benefit = Servizio
col-protocol = Protocollo
col-filed = Presentata il
col-state = A che punto è
col-for = Per
col-office = Ufficio
col-when = Data e ora
col-who = Chi
col-what = Che cosa
col-reason = Motivo
for-self = te
open-application = Apri

application-title = Domanda: { $benefit }
application-protocol = Numero di protocollo
application-filed = Presentata il
application-channel = Presentata tramite
application-for = Per
application-state = A che punto è
application-next = Che cosa succede ora
application-due = L'ufficio deve concludere entro il { $date } (legge 241/1990).
application-decided = Decisione del { $date }.
application-amount = Importo riconosciuto
application-history = Le tappe della domanda
application-back = Torna alle tue domande
application-no-protocol = non ancora protocollata

state-presentata = Ricevuta: l'ufficio la esaminerà.
state-in_istruttoria = L'ufficio la sta esaminando.
state-integrazione_richiesta = L'ufficio ti ha chiesto documenti o informazioni in più.
state-preavviso_rigetto = L'ufficio ti ha comunicato i motivi per cui la domanda non potrebbe essere accolta: puoi inviare osservazioni entro 10 giorni.
state-accolta = Accolta.
state-respinta = Respinta.
state-archiviata = Archiviata.
state-in_erogazione = Accolta: il servizio o il contributo è in corso.
state-conclusa = Conclusa.
state-bozza = In preparazione.

next-presentata = Un operatore prende in carico la domanda e controlla i requisiti.
next-in_istruttoria = Quando l'esame è finito riceverai la decisione.
next-integrazione_richiesta = Porta o invia all'ufficio quello che manca: il termine per concludere riprende quando arriva.
next-preavviso_rigetto = Se hai elementi che l'ufficio non ha considerato, invia le tue osservazioni entro 10 giorni dalla comunicazione.
next-accolta = L'ufficio organizza l'avvio del servizio o il pagamento.
next-respinta = Nella decisione trovi i motivi e come fare ricorso.
next-archiviata = La domanda non prosegue.
next-in_erogazione = Il servizio o il contributo è in corso: l'ufficio registra ogni mese.
next-conclusa = Non ci sono altri passi.
next-bozza = La domanda non è ancora stata presentata.

accesses-title = Chi ha visto i miei dati
accesses-lead = Ogni volta che qualcuno dell'ufficio apre la tua scheda, la tua cartella sociale, le tue domande o il tuo ISEE, resta scritto qui: data e ora, ufficio, chi e che cosa. Il contenuto delle note riservate non è mai mostrato.
accesses-none = Nessun operatore ha ancora consultato questi dati.
accesses-person = Dati di
accesses-show = Mostra
accesses-limit = Sono mostrati gli ultimi { $n } accessi.

quanto-title = Quanto pagherò: { $benefit }
quanto-lead = Inserisci i tuoi dati: il calcolo usa le stesse regole dell'ufficio. È una stima: conta la decisione sulla domanda.
quanto-isee = Valore ISEE (euro)
quanto-isee-hint = Lo trovi sull'attestazione ISEE; lascia vuoto se non ce l'hai.
quanto-household = Persone nel nucleo familiare
quanto-minors = Di cui minorenni
quanto-birth = Data di nascita di chi riceve il servizio
quanto-birth-hint = Nella forma gg/mm/aaaa.
quanto-resident = Residente nel Comune
quanto-resident-since = Residente dal
quanto-disability = Con disabilità o non autosufficienza certificata
quanto-units = Quantità al mese (ore, pasti, giorni)
quanto-cost = Costo del servizio al mese (euro)
quanto-submit = Calcola
quanto-result = Risultato
quanto-eligible = Con questi dati ne avresti diritto.
quanto-not-eligible = Con questi dati non ne avresti diritto: almeno un requisito non è soddisfatto.
quanto-requirements = Requisiti
quanto-amount = Importo
quanto-how = Come si calcola
quanto-rules = Regole applicate: versione valida dal { $date }, { $citation }.
quanto-no-amount = Le regole non prevedono un importo calcolabile con questi dati.
quanto-errors = Controlla i dati indicati:
met = soddisfatto
not-met = non soddisfatto
to-check = da verificare

error-title = Qualcosa non va
error-text = Si è verificato un problema. Riprova; se si ripete, rivolgiti allo sportello del tuo Comune.
error-not-found-title = Pagina non trovata
error-not-found = La pagina che cerchi non esiste o è stata spostata. Controlla l'indirizzo oppure torna alla pagina iniziale.
error-forbidden-title = Accesso negato
error-forbidden = Non puoi vedere questa pagina. Se pensi che sia un errore, rivolgiti allo sportello del tuo Comune.
error-bad-request-title = Richiesta non valida
error-bad-request = I dati inviati non sono validi: controlla e riprova.
error-later-title = Riprova più tardi
error-later = In questo momento il portale non può rispondere. Riprova tra qualche minuto.
error-internal-title = Errore interno
error-internal = Si è verificato un errore. Riprova; se il problema si ripete, rivolgiti allo sportello del tuo Comune.
error-code = Codice dell'errore: { $code }.
error-home = Torna alla pagina iniziale

# The access log: what was opened, and the operator named by role.
opened-person = la scheda anagrafica
opened-isee = l'ISEE
opened-application = una domanda
opened-document = un documento
opened-casefile = la cartella sociale
opened-assessment = una valutazione
opened-plan = il progetto individuale (PAI)
opened-access = una scheda di accesso al segretariato
opened-household = il nucleo familiare
opened-confidential = la parte riservata della cartella sociale
opened-other = una scheda
role-amministratore = Amministratore
role-responsabile = Responsabile del servizio
role-assistente_sociale = Assistente sociale
role-operatore_sportello = Operatore di sportello
role-operatore_caf = Operatore CAF
role-ragioneria = Ragioneria
role-revisore = Revisore
role-cittadino = Cittadino
operator-former = Un operatore dell'ufficio

# Errori nei moduli: accanto al campo e, dopo il nome del campo, nell'elenco in cima al modulo.
field-problem = { $field }: { $problem }
field-required = compila questo campo
field-choose = scegli un valore dell'elenco
field-too-long = è troppo lungo: al massimo { $max } caratteri
field-character = contiene un carattere non ammesso ({ $char }): toglilo
field-date = «{ $value }» non è una data valida: scrivila come gg/mm/aaaa, ad esempio 01/03/2015
field-date-span = la data deve essere tra il { $first } e il { $last }
field-date-future = la data non può essere nel futuro
field-amount = «{ $value }» non è un importo valido: scrivilo in euro, con la virgola per i decimali, ad esempio 250,00
field-amount-negative = l'importo non può essere negativo
field-amount-too-large = l'importo supera il massimo ammesso ({ $max })
field-whole-number = «{ $value }» non va bene: scrivi un numero intero da { $min } a { $max }
field-email = «{ $value }» non è un indirizzo e-mail valido
field-file = scegli il file da allegare
field-file-too-large = il file supera la dimensione massima di { $mib } MiB
field-file-unreadable = il PDF non si legge: è incompleto o danneggiato; prova a salvarlo di nuovo come PDF
field-file-type = il file non è un PDF, un'immagine JPEG o PNG né un documento firmato digitalmente (P7M)
field-file-name = il nome «{ $name }» non corrisponde al contenuto del file ({ $kind }): rinominalo o scegli il file giusto
field-requirement = il documento scelto non è tra quelli richiesti per questa prestazione
quanto-error-birth = la data di nascita non può essere dopo la data della domanda
quanto-error-minors = i minori ({ $minors }) non possono essere più delle persone del nucleo ({ $household })
