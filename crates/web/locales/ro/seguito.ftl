# Mesajele cu biroul, răspunsurile la o cerere de completare sau la o înștiințare, decizia.

follow-errors = Nu s-a trimis nimic: corectați ce este indicat.
sent-message = Mesajul a fost trimis biroului.
sent-document = Documentul a fost trimis biroului.
sent-observations = Observațiile au fost trimise biroului: va ține cont de ele în decizie.

integration-title = Trimiteți documentele cerute
integration-lead = Biroul așteaptă documente sau informații ca să continue examinarea cererii. Ce este necesar găsiți în cererea de completare, printre scrisorile de mai jos.
integration-requirement = Documentul pe care îl trimiteți
integration-file = Fișier
integration-note = Notă pentru birou (facultativă)
integration-submit = Trimiteți documentul
document-present = deja trimis
document-missing = lipsește
document-other = alt document
file-hint = PDF, JPEG, PNG sau P7M, de cel mult 10 MiB.

observations-title = Trimiteți observațiile dumneavoastră
observations-lead = Puteți explica biroului de ce cererea ar trebui aprobată, cu un document dacă este nevoie, până la { $date }.
observations-text = Observațiile dumneavoastră
observations-file = Document justificativ (facultativ)
observations-submit = Trimiteți observațiile

messages-title = Mesaje cu biroul
messages-none = Deocamdată nu există mesaje.
message-write = Scrieți biroului
message-hint = Biroul vă răspunde aici; când există un răspuns, primiți un e-mail.
message-submit = Trimiteți mesajul
message-document = Document:
message-from-office = { $name } ({ $office })
message-kind-message = mesaj
message-kind-integration = documente pentru completare
message-kind-observations = observații la înștiințarea de respingere

letters-title = Scrisorile biroului
letter-decision = Decizie (hotărârea asupra cererii)
letter-notice = Înștiințare de respingere (motivele pentru care cererea nu ar putea fi aprobată)
letter-integration = Cerere de completare a documentelor

documents-title = Documentele cererii
documents-file = Fișier
documents-for = Pentru
documents-when = Trimis la
document-by-you = trimis de dumneavoastră

deliveries-title = Prestații și contribuție
deliveries-totals = Acordat până acum: { $delivered }. Contribuția dumneavoastră până acum: { $copayment }.
deliveries-month = Luna
deliveries-status = Stare
deliveries-amount = Acordat
deliveries-copayment = Contribuție
delivery-prevista = prevăzută
delivery-erogata = acordată
delivery-sospesa = suspendată

follow-error-not-waiting = biroul nu așteaptă documente pentru această cerere: dacă doriți să trimiteți ceva, scrieți un mesaj biroului
follow-error-closed = cererea este închisă: nu se mai pot trimite documente
follow-error-no-notice = pentru această cerere nu există o înștiințare de respingere la care să răspundeți
