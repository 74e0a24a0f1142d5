# Conturi locale pe portal: intrarea cu codul fiscal și parola, linkul prin e-mail pentru a o alege.

local-signin-title = Intrați cu codul fiscal și parola
local-signin-lead = Dacă nu aveți SPID sau CIE, puteți intra cu o parolă, pe care o alegeți printr-un link trimis la adresa de e-mail comunicată Primăriei dumneavoastră.
local-signin-password = Parolă
local-signin-submit = Intrați
local-signin-wrong = Cod fiscal sau parolă incorecte.
local-register-link = Prima accesare: alegeți parola
local-forgot-link = Ați uitat parola?
local-wait = { $n ->
    [one] Prea multe încercări nereușite. Din motive de siguranță, încercați din nou peste 1 minut.
    [few] Prea multe încercări nereușite. Din motive de siguranță, încercați din nou peste { $n } minute.
   *[other] Prea multe încercări nereușite. Din motive de siguranță, încercați din nou peste { $n } de minute.
}
register-title = Alegeți parola portalului
register-forgotten-title = Ați uitat parola
register-lead = Scrieți codul fiscal și adresa de e-mail comunicată serviciilor sociale ale Primăriei. Dacă se potrivesc cu cele înregistrate, vă trimitem un link pentru a alege parola.
register-cf = Cod fiscal
register-email = Adresă de e-mail
register-email-hint = Aceeași pe care ați comunicat-o la ghișeu, de exemplu nume@exemplu.it.
register-submit = Trimiteți linkul
register-errors = Nu s-a trimis nimic: corectați ce este indicat.
register-cf-invalid = Scrieți codul fiscal de 16 caractere, ca pe cardul de sănătate.
register-email-invalid = Scrieți adresa de e-mail ca nume@exemplu.it.
register-sent = Dacă datele se potrivesc cu cele înregistrate de Primărie, veți primi un e-mail cu un link pentru a alege parola. Linkul este valabil 24 de ore și o singură dată.
register-sent-more = Dacă e-mailul nu sosește în câteva minute, verificați dosarul de spam. Dacă adresa s-a schimbat, comunicați-o la ghișeul Primăriei.
register-back = Înapoi la autentificare
register-counter = Dacă nu ați comunicat niciodată o adresă de e-mail serviciilor sociale, adresați-vă ghișeului Primăriei.
confirm-title = Alegeți parola
confirm-lead = Alegeți parola cu care veți intra în portal cu codul fiscal.
confirm-password = Parolă nouă
confirm-password-hint = Cel puțin 12 caractere. O frază de mai multe cuvinte este ușor de ținut minte și greu de ghicit.
confirm-again = Repetați parola
confirm-submit = Salvați parola și intrați
confirm-errors = Parola nu a fost salvată: corectați ce este indicat.
confirm-mismatch = Cele două parole nu coincid: scrieți-o la fel.
confirm-invalid = Linkul nu este valabil: a fost deja folosit, a expirat sau ați cerut unul mai recent.
confirm-ask-again = Cereți un link nou
password-too-short = Parola trebuie să aibă cel puțin 12 caractere.
password-too-long = Parola poate avea cel mult 128 de caractere.
password-guessable = Parola este prea comună sau ușor de ghicit: alegeți una mai lungă sau mai puțin previzibilă, de exemplu o frază de mai multe cuvinte.
