# Portalul cetățeanului: română (traducere din italiană; mesajele lipsă apar în italiană).

portal-name = Portalul serviciilor sociale
portal-tagline = Servicii sociale online
skip-content = Mergeți la conținutul principal
skip-menu = Mergeți la meniul de navigare
menu-label = Meniul principal
lang-label = Limba
nav-home = Acasă
nav-applications = Cererile mele
nav-accesses = Cine mi-a văzut datele
sign-in = Autentificare
sign-out = Ieșire
footer-text = Portalul serviciilor sociale, realizat cu Sportello, software liber (EUPL 1.2).

home-title = Servicii sociale online
home-lead = Aici puteți urmări cererile depuse la serviciile sociale ale primăriei dumneavoastră, puteți vedea în ce stadiu sunt și cine v-a consultat datele. Puteți calcula și cât veți plăti pentru un serviciu.
home-sign-in = Intrați cu SPID sau CIE
home-welcome = Bună ziua, { $name }.
home-your-applications = Vedeți cererile dumneavoastră
home-your-accesses = Vedeți cine v-a consultat datele
home-calculate-title = Cât voi plăti
home-calculate-lead = Alegeți serviciul: cu ISEE-ul dumneavoastră și câteva alte date vedeți imediat dacă aveți dreptul la el și cât costă, după aceleași reguli pe care le folosește biroul.
home-no-benefits = Niciun serviciu nu a fost publicat încă.

signin-title = Autentificare în portal
signin-lead = Intrați cu identitatea dumneavoastră digitală: SPID sau cartea de identitate electronică (CIE). Vă recunoaștem după codul fiscal (codice fiscale).
signin-with = Intrați cu { $provider }
signin-unavailable = Autentificarea cu SPID și CIE nu este încă activă pe acest portal. Pentru informații despre cererile dumneavoastră, adresați-vă ghișeului primăriei.
signin-failed = Autentificarea nu a reușit. Încercați din nou; dacă problema se repetă, adresați-vă ghișeului.
signin-unknown = Nu figurați printre persoanele urmărite de serviciile sociale ale acestui portal. Pentru a depune prima cerere, adresați-vă ghișeului primăriei.
signin-refused = Cu această identitate nu vă puteți autentifica în portal. Adresați-vă ghișeului.
signout-done = Ați ieșit din portal.

applications-title = Cererile mele
applications-lead = Cererile depuse pentru dumneavoastră sau pentru persoanele pe care le reprezentați: la ghișeu, printr-un CAF sau online.
applications-none = Nu există cereri depuse.
applications-count = { $n ->
    [one] 1 cerere
    [few] { $n } cereri
   *[other] { $n } de cereri
}
col-benefit = Serviciu
col-protocol = Număr de înregistrare
col-filed = Depusă la
col-state = În ce stadiu este
col-for = Pentru
col-office = Birou
col-when = Data și ora
col-who = Cine
col-what = Ce
col-reason = Motiv
for-self = dumneavoastră
open-application = Deschideți

application-title = Cerere: { $benefit }
application-protocol = Număr de înregistrare
application-filed = Depusă la
application-channel = Depusă prin
application-for = Pentru
application-state = În ce stadiu este
application-next = Ce urmează
application-due = Biroul trebuie să încheie procedura până la { $date } (Legea 241/1990).
application-decided = Decizie din { $date }.
application-amount = Suma acordată
application-history = Etapele cererii
application-back = Înapoi la cererile dumneavoastră
application-no-protocol = încă neînregistrată

state-presentata = Primită: biroul o va examina.
state-in_istruttoria = Biroul o examinează.
state-integrazione_richiesta = Biroul v-a cerut documente sau informații suplimentare.
state-preavviso_rigetto = Biroul v-a comunicat motivele pentru care cererea ar putea să nu fie aprobată: puteți trimite observații în 10 zile.
state-accolta = Aprobată.
state-respinta = Respinsă.
state-archiviata = Arhivată.
state-in_erogazione = Aprobată: serviciul sau ajutorul este în curs.
state-conclusa = Încheiată.
state-bozza = În pregătire.

next-presentata = Un funcționar preia cererea și verifică cerințele.
next-in_istruttoria = Când examinarea se încheie, veți primi decizia.
next-integrazione_richiesta = Aduceți sau trimiteți biroului ce lipsește: termenul de încheiere reîncepe când acestea ajung.
next-preavviso_rigetto = Dacă aveți elemente pe care biroul nu le-a luat în considerare, trimiteți observațiile în 10 zile de la comunicare.
next-accolta = Biroul organizează începerea serviciului sau plata.
next-respinta = În decizie găsiți motivele și cum puteți face contestație.
next-archiviata = Cererea nu continuă.
next-in_erogazione = Serviciul sau ajutorul este în curs: biroul înregistrează fiecare lună.
next-conclusa = Nu mai există alți pași.
next-bozza = Cererea nu a fost încă depusă.

accesses-title = Cine mi-a văzut datele
accesses-lead = De fiecare dată când cineva de la birou vă deschide fișa, dosarul social, cererile sau ISEE-ul, rămâne scris aici: data și ora, biroul, cine și ce. Conținutul notelor confidențiale nu este afișat niciodată.
accesses-none = Niciun funcționar nu a consultat încă aceste date.
accesses-person = Datele persoanei
accesses-show = Afișați
accesses-limit = Sunt afișate ultimele { $n } accesări.

quanto-title = Cât voi plăti: { $benefit }
quanto-lead = Introduceți datele dumneavoastră: calculul folosește aceleași reguli ca biroul. Este o estimare: contează decizia privind cererea.
quanto-isee = Valoarea ISEE (euro)
quanto-isee-hint = O găsiți pe atestatul ISEE; lăsați gol dacă nu îl aveți.
quanto-household = Persoane în gospodărie
quanto-minors = Dintre care minori
quanto-birth = Data nașterii persoanei care primește serviciul
quanto-birth-hint = În forma zz/ll/aaaa.
quanto-resident = Cu domiciliul în comună
quanto-resident-since = Cu domiciliul din
quanto-disability = Cu dizabilitate sau lipsă de autonomie certificată
quanto-units = Cantitate pe lună (ore, mese, zile)
quanto-cost = Costul serviciului pe lună (euro)
quanto-submit = Calculați
quanto-result = Rezultat
quanto-eligible = Cu aceste date ați avea dreptul.
quanto-not-eligible = Cu aceste date nu ați avea dreptul: cel puțin o cerință nu este îndeplinită.
quanto-requirements = Cerințe
quanto-amount = Suma
quanto-how = Cum se calculează
quanto-rules = Reguli aplicate: versiunea valabilă din { $date }, { $citation }.
quanto-no-amount = Regulile nu prevăd o sumă care să poată fi calculată cu aceste date.
quanto-errors = Verificați datele introduse:
met = îndeplinită
not-met = neîndeplinită
to-check = de verificat

error-title = Ceva nu este în regulă
error-text = A apărut o problemă. Încercați din nou; dacă se repetă, adresați-vă ghișeului primăriei.
error-not-found-title = Pagina nu a fost găsită
error-not-found = Pagina pe care o căutați nu există sau a fost mutată. Verificați adresa sau reveniți la pagina principală.
error-forbidden-title = Acces refuzat
error-forbidden = Nu puteți vedea această pagină. Dacă credeți că este o greșeală, adresați-vă ghișeului primăriei.
error-bad-request-title = Cerere nevalidă
error-bad-request = Datele trimise nu sunt valide: verificați-le și încercați din nou.
error-later-title = Încercați mai târziu
error-later = Portalul nu poate răspunde în acest moment. Încercați din nou peste câteva minute.
error-internal-title = Eroare internă
error-internal = A apărut o eroare. Încercați din nou; dacă problema se repetă, adresați-vă ghișeului primăriei.
error-code = Codul erorii: { $code }.
error-home = Înapoi la pagina principală

# The access log: what was opened, and the operator named by role.
opened-person = fișa de evidență
opened-isee = ISEE
opened-application = o cerere
opened-document = un document
opened-casefile = dosarul social
opened-assessment = o evaluare
opened-plan = planul individual (PAI)
opened-access = o fișă de acces la secretariatul social
opened-household = familia
opened-confidential = partea confidențială a dosarului social
opened-other = o fișă
role-amministratore = Administrator
role-responsabile = Responsabilul serviciului
role-assistente_sociale = Asistent social
role-operatore_sportello = Operator la ghișeu
role-operatore_caf = Operator CAF
role-ragioneria = Contabilitate
role-revisore = Auditor
role-cittadino = Cetățean
operator-former = Un operator al biroului

# Erori în formulare: lângă câmp și, după numele câmpului, în lista din partea de sus a formularului.
field-problem = { $field }: { $problem }
field-required = completați acest câmp
field-choose = alegeți o valoare din listă
field-too-long = este prea lung: { $max ->
    [one] cel mult un caracter
    [few] cel mult { $max } caractere
   *[other] cel mult { $max } de caractere
}
field-character = conține un caracter nepermis ({ $char }): eliminați-l
field-date = „{ $value }” nu este o dată validă: scrieți-o în forma zz/ll/aaaa, de exemplu 01/03/2015
field-date-span = data trebuie să fie între { $first } și { $last }
field-date-future = data nu poate fi în viitor
field-amount = „{ $value }” nu este o sumă validă: scrieți-o în euro, cu virgulă pentru zecimale, de exemplu 250,00
field-amount-negative = suma nu poate fi negativă
field-amount-too-large = suma depășește maximul admis ({ $max })
field-whole-number = „{ $value }” nu este bun: scrieți un număr întreg de la { $min } la { $max }
field-email = „{ $value }” nu este o adresă de e-mail validă
field-file = alegeți fișierul de atașat
field-file-too-large = fișierul depășește dimensiunea maximă de { $mib } MiB
field-file-unreadable = PDF-ul nu se poate citi: este incomplet sau deteriorat; încercați să îl salvați din nou ca PDF
field-file-type = fișierul nu este un PDF, o imagine JPEG sau PNG ori un document semnat digital (P7M)
field-file-name = numele „{ $name }” nu corespunde conținutului fișierului ({ $kind }): redenumiți-l sau alegeți fișierul potrivit
field-requirement = documentul ales nu este printre cele cerute pentru acest serviciu
quanto-error-birth = data nașterii nu poate fi după data cererii
quanto-error-minors = minorii ({ $minors }) nu pot fi mai mulți decât persoanele din gospodărie ({ $household })
