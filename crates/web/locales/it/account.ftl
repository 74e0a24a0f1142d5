# Local accounts on the portal: signing in with codice fiscale and password, the link by e-mail to choose it.

local-signin-title = Entra con codice fiscale e password
local-signin-lead = Se non hai SPID o CIE puoi entrare con una password, che scegli con un collegamento inviato all'indirizzo e-mail che hai comunicato al tuo Comune.
local-signin-password = Password
local-signin-submit = Entra
local-signin-wrong = Codice fiscale o password non corretti.
local-register-link = Primo accesso: scegli la password
local-forgot-link = Password dimenticata?
local-wait = { $n ->
    [one] Troppi tentativi non riusciti. Per sicurezza riprova tra 1 minuto.
   *[other] Troppi tentativi non riusciti. Per sicurezza riprova tra { $n } minuti.
}

register-title = Scegli la password del portale
register-forgotten-title = Password dimenticata
register-lead = Scrivi il tuo codice fiscale e l'indirizzo e-mail che hai comunicato ai servizi sociali del tuo Comune. Se corrispondono a quelli registrati, ti mandiamo un collegamento per scegliere la password.
register-cf = Codice fiscale
register-email = Indirizzo e-mail
register-email-hint = Lo stesso che hai comunicato allo sportello, ad esempio nome@esempio.it.
register-submit = Invia il collegamento
register-errors = Non è stato inviato nulla: correggi quello che è indicato.
register-cf-invalid = Scrivi il codice fiscale di 16 caratteri, come sulla tessera sanitaria.
register-email-invalid = Scrivi l'indirizzo e-mail come nome@esempio.it.
register-sent = Se i dati corrispondono a quelli registrati dal tuo Comune riceverai un'e-mail con un collegamento per scegliere la password. Il collegamento vale 24 ore e una volta sola.
register-sent-more = Se l'e-mail non arriva entro qualche minuto controlla la posta indesiderata. Se il tuo indirizzo è cambiato, comunicalo allo sportello del tuo Comune.
register-back = Torna all'accesso
register-counter = Se non hai mai comunicato un indirizzo e-mail ai servizi sociali, rivolgiti allo sportello del tuo Comune.

confirm-title = Scegli la tua password
confirm-lead = Scegli la password con cui entrerai nel portale con il tuo codice fiscale.
confirm-password = Nuova password
confirm-password-hint = Almeno 12 caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.
confirm-again = Ripeti la password
confirm-submit = Salva la password ed entra
confirm-errors = La password non è stata salvata: correggi quello che è indicato.
confirm-mismatch = Le due password non coincidono: riscrivila uguale.
confirm-invalid = Il collegamento non è valido: è già stato usato, è scaduto oppure ne hai chiesto uno più recente.
confirm-ask-again = Chiedi un nuovo collegamento
password-too-short = La password deve avere almeno 12 caratteri.
password-too-long = La password può avere al massimo 128 caratteri.
password-guessable = La password è troppo comune o facile da indovinare: scegline una più lunga o meno prevedibile, ad esempio una frase di più parole.
