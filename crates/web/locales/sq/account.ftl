# Llogaritë lokale të portalit: hyrja me kodin fiskal dhe fjalëkalimin, lidhja me e-mail për ta zgjedhur.

local-signin-title = Hyni me kodin fiskal dhe fjalëkalimin
local-signin-lead = Nëse nuk keni SPID ose CIE, mund të hyni me një fjalëkalim, që e zgjidhni përmes një lidhjeje të dërguar në adresën e-mail që i keni dhënë Komunës suaj.
local-signin-password = Fjalëkalimi
local-signin-submit = Hyni
local-signin-wrong = Kodi fiskal ose fjalëkalimi nuk janë të sakta.
local-register-link = Hyrja e parë: zgjidhni fjalëkalimin
local-forgot-link = Keni harruar fjalëkalimin?
local-wait = { $n ->
    [one] Shumë përpjekje të pasuksesshme. Për siguri provoni përsëri pas 1 minute.
   *[other] Shumë përpjekje të pasuksesshme. Për siguri provoni përsëri pas { $n } minutash.
}
register-title = Zgjidhni fjalëkalimin e portalit
register-forgotten-title = Fjalëkalim i harruar
register-lead = Shkruani kodin tuaj fiskal dhe adresën e-mail që u keni dhënë shërbimeve sociale të Komunës. Nëse përputhen me ato të regjistruara, ju dërgojmë një lidhje për të zgjedhur fjalëkalimin.
register-cf = Kodi fiskal
register-email = Adresa e-mail
register-email-hint = E njëjta që keni dhënë në sportel, për shembull emri@shembull.it.
register-submit = Dërgo lidhjen
register-errors = Nuk u dërgua asgjë: korrigjoni atë që tregohet.
register-cf-invalid = Shkruani kodin fiskal me 16 karaktere, si në kartën shëndetësore.
register-email-invalid = Shkruani adresën e-mail si emri@shembull.it.
register-sent = Nëse të dhënat përputhen me ato të regjistruara nga Komuna, do të merrni një e-mail me një lidhje për të zgjedhur fjalëkalimin. Lidhja vlen 24 orë dhe vetëm një herë.
register-sent-more = Nëse e-maili nuk vjen brenda pak minutash, kontrolloni postën e padëshiruar. Nëse adresa juaj ka ndryshuar, njoftojeni në sportelin e Komunës.
register-back = Kthehu te hyrja
register-counter = Nëse nuk u keni dhënë kurrë një adresë e-mail shërbimeve sociale, drejtohuni te sporteli i Komunës.
confirm-title = Zgjidhni fjalëkalimin tuaj
confirm-lead = Zgjidhni fjalëkalimin me të cilin do të hyni në portal me kodin tuaj fiskal.
confirm-password = Fjalëkalimi i ri
confirm-password-hint = Të paktën 12 karaktere. Një frazë me disa fjalë është e lehtë për t'u mbajtur mend dhe e vështirë për t'u gjetur.
confirm-again = Përsëritni fjalëkalimin
confirm-submit = Ruaj fjalëkalimin dhe hyr
confirm-errors = Fjalëkalimi nuk u ruajt: korrigjoni atë që tregohet.
confirm-mismatch = Dy fjalëkalimet nuk përputhen: shkruajeni njësoj.
confirm-invalid = Lidhja nuk është e vlefshme: është përdorur tashmë, ka skaduar ose keni kërkuar një më të re.
confirm-ask-again = Kërkoni një lidhje të re
password-too-short = Fjalëkalimi duhet të ketë të paktën 12 karaktere.
password-too-long = Fjalëkalimi mund të ketë të shumtën 128 karaktere.
password-guessable = Fjalëkalimi është shumë i zakonshëm ose i lehtë për t'u gjetur: zgjidhni një më të gjatë ose më pak të parashikueshëm, për shembull një frazë me disa fjalë.
