# Portali i qytetarit: shqip (përkthim nga italishtja; mesazhet që mungojnë shfaqen në italisht).

portal-name = Portali i shërbimeve sociale
portal-tagline = Shërbime sociale në internet
skip-content = Shko te përmbajtja kryesore
skip-menu = Shko te menyja e lundrimit
menu-label = Menyja kryesore
lang-label = Gjuha
nav-home = Kreu
nav-applications = Kërkesat e mia
nav-accesses = Kush i ka parë të dhënat e mia
sign-in = Hyr
sign-out = Dil
footer-text = Portali i shërbimeve sociale, i ndërtuar me Sportello, softuer i lirë (EUPL 1.2).

home-title = Shërbime sociale në internet
home-lead = Këtu ndiqni kërkesat e paraqitura në shërbimet sociale të Komunës suaj, shihni në çfarë faze janë dhe kush i ka parë të dhënat tuaja. Mund të llogaritni edhe sa do të paguani për një shërbim.
home-sign-in = Hyni me SPID ose CIE
home-welcome = Përshëndetje, { $name }.
home-your-applications = Shihni kërkesat tuaja
home-your-accesses = Shihni kush i ka parë të dhënat tuaja
home-calculate-title = Sa do të paguaj
home-calculate-lead = Zgjidhni shërbimin: me ISEE-në tuaj dhe pak të dhëna të tjera shihni menjëherë nëse keni të drejtë dhe sa kushton, me të njëjtat rregulla që përdor zyra.
home-no-benefits = Ende nuk është publikuar asnjë shërbim.

signin-title = Hyni në portal
signin-lead = Hyni me identitetin tuaj dixhital: SPID ose letërnjoftimin elektronik (CIE). Ju njohim nga kodi fiskal (codice fiscale).
signin-with = Hyni me { $provider }
signin-unavailable = Hyrja me SPID dhe CIE nuk është ende aktive në këtë portal. Për informacion mbi kërkesat tuaja drejtohuni në sportelin e Komunës suaj.
signin-failed = Hyrja nuk u krye. Provoni përsëri; nëse problemi përsëritet, drejtohuni në sportel.
signin-unknown = Nuk rezultoni ndër personat që ndiqen nga shërbimet sociale të këtij portali. Për të paraqitur kërkesën e parë drejtohuni në sportelin e Komunës suaj.
signin-refused = Me këtë identitet nuk mund të hyni në portal. Drejtohuni në sportel.
signout-done = Dolët nga portali.

applications-title = Kërkesat e mia
applications-lead = Kërkesat e paraqitura për ju ose për personat që përfaqësoni: në sportel, nëpërmjet një CAF-i ose në internet.
applications-none = Nuk rezulton asnjë kërkesë e paraqitur.
applications-count = { $n ->
    [one] 1 kërkesë
   *[other] { $n } kërkesa
}
col-benefit = Shërbimi
col-protocol = Numri i protokollit
col-filed = Paraqitur më
col-state = Në çfarë faze është
col-for = Për
col-office = Zyra
col-when = Data dhe ora
col-who = Kush
col-what = Çfarë
col-reason = Arsyeja
for-self = ju
open-application = Hap

application-title = Kërkesë: { $benefit }
application-protocol = Numri i protokollit
application-filed = Paraqitur më
application-channel = Paraqitur nëpërmjet
application-for = Për
application-state = Në çfarë faze është
application-next = Çfarë ndodh tani
application-due = Zyra duhet ta përfundojë brenda datës { $date } (ligji 241/1990).
application-decided = Vendim i datës { $date }.
application-amount = Shuma e njohur
application-history = Hapat e kërkesës
application-back = Kthehu te kërkesat tuaja
application-no-protocol = ende e paprotokolluar

state-presentata = E marrë: zyra do ta shqyrtojë.
state-in_istruttoria = Zyra po e shqyrton.
state-integrazione_richiesta = Zyra ju ka kërkuar dokumente ose informacione shtesë.
state-preavviso_rigetto = Zyra ju ka njoftuar arsyet pse kërkesa mund të mos pranohet: mund të dërgoni vërejtje brenda 10 ditëve.
state-accolta = E pranuar.
state-respinta = E refuzuar.
state-archiviata = E arkivuar.
state-in_erogazione = E pranuar: shërbimi ose ndihma është në vazhdim.
state-conclusa = E përfunduar.
state-bozza = Në përgatitje.

next-presentata = Një punonjës e merr në ngarkim kërkesën dhe kontrollon kushtet.
next-in_istruttoria = Kur të përfundojë shqyrtimi, do të merrni vendimin.
next-integrazione_richiesta = Sillni ose dërgoni në zyrë atë që mungon: afati për përfundim rifillon kur të mbërrijë.
next-preavviso_rigetto = Nëse keni elemente që zyra nuk i ka marrë parasysh, dërgoni vërejtjet tuaja brenda 10 ditëve nga njoftimi.
next-accolta = Zyra organizon fillimin e shërbimit ose pagesën.
next-respinta = Në vendim gjeni arsyet dhe si të bëni ankim.
next-archiviata = Kërkesa nuk vazhdon.
next-in_erogazione = Shërbimi ose ndihma është në vazhdim: zyra regjistron çdo muaj.
next-conclusa = Nuk ka hapa të tjerë.
next-bozza = Kërkesa nuk është paraqitur ende.

accesses-title = Kush i ka parë të dhënat e mia
accesses-lead = Sa herë që dikush nga zyra hap kartelën tuaj, dosjen sociale, kërkesat ose ISEE-në tuaj, kjo mbetet e shkruar këtu: data dhe ora, zyra, kush dhe çfarë. Përmbajtja e shënimeve konfidenciale nuk shfaqet kurrë.
accesses-none = Asnjë punonjës nuk i ka parë ende këto të dhëna.
accesses-person = Të dhënat e
accesses-show = Shfaq
accesses-limit = Shfaqen { $n } hyrjet e fundit.

quanto-title = Sa do të paguaj: { $benefit }
quanto-lead = Shkruani të dhënat tuaja: llogaritja përdor të njëjtat rregulla si zyra. Është një vlerësim: vlen vendimi për kërkesën.
quanto-isee = Vlera ISEE (euro)
quanto-isee-hint = E gjeni në vërtetimin ISEE; lëreni bosh nëse nuk e keni.
quanto-household = Persona në familje
quanto-minors = Prej tyre të mitur
quanto-birth = Data e lindjes së personit që merr shërbimin
quanto-birth-hint = Në formën dd/mm/vvvv.
quanto-resident = Banor në Komunë
quanto-resident-since = Banor që nga
quanto-disability = Me aftësi të kufizuara ose mungesë autonomie të vërtetuar
quanto-units = Sasia në muaj (orë, vakte, ditë)
quanto-cost = Kostoja e shërbimit në muaj (euro)
quanto-submit = Llogarit
quanto-result = Rezultati
quanto-eligible = Me këto të dhëna do të kishit të drejtë.
quanto-not-eligible = Me këto të dhëna nuk do të kishit të drejtë: të paktën një kusht nuk plotësohet.
quanto-requirements = Kushtet
quanto-amount = Shuma
quanto-how = Si llogaritet
quanto-rules = Rregullat e zbatuara: versioni në fuqi nga { $date }, { $citation }.
quanto-no-amount = Rregullat nuk parashikojnë një shumë që mund të llogaritet me këto të dhëna.
quanto-errors = Kontrolloni të dhënat e shkruara:
met = i plotësuar
not-met = i paplotësuar
to-check = për t'u verifikuar

error-title = Diçka nuk shkon
error-text = Ndodhi një problem. Provoni përsëri; nëse përsëritet, drejtohuni në sportelin e Komunës suaj.
error-not-found-title = Faqja nuk u gjet
error-not-found = Faqja që kërkoni nuk ekziston ose është zhvendosur. Kontrolloni adresën ose kthehuni në faqen kryesore.
error-forbidden-title = Hyrja nuk lejohet
error-forbidden = Nuk mund ta shihni këtë faqe. Nëse mendoni se është gabim, drejtohuni në sportelin e Komunës suaj.
error-bad-request-title = Kërkesë e pavlefshme
error-bad-request = Të dhënat e dërguara nuk janë të vlefshme: kontrollojini dhe provoni përsëri.
error-later-title = Provoni më vonë
error-later = Portali nuk mund të përgjigjet në këtë moment. Provoni përsëri pas disa minutash.
error-internal-title = Gabim i brendshëm
error-internal = Ndodhi një gabim. Provoni përsëri; nëse problemi përsëritet, drejtohuni në sportelin e Komunës suaj.
error-code = Kodi i gabimit: { $code }.
error-home = Kthehu në faqen kryesore

# The access log: what was opened, and the operator named by role.
opened-person = kartela e regjistrit
opened-isee = ISEE
opened-application = një kërkesë
opened-document = një dokument
opened-casefile = dosja sociale
opened-assessment = një vlerësim
opened-plan = plani individual (PAI)
opened-access = një kartelë hyrjeje në sekretariatin social
opened-household = familja
opened-confidential = pjesa konfidenciale e dosjes sociale
opened-other = një kartelë
role-amministratore = Administrator
role-responsabile = Përgjegjësi i shërbimit
role-assistente_sociale = Punonjës social
role-operatore_sportello = Operator i sportelit
role-operatore_caf = Operator CAF
role-ragioneria = Llogaritë
role-revisore = Auditor
role-cittadino = Qytetar
operator-former = Një operator i zyrës

# Gabime në formularë: pranë fushës dhe, pas emrit të fushës, në listën në krye të formularit.
field-problem = { $field }: { $problem }
field-required = plotësoni këtë fushë
field-choose = zgjidhni një vlerë nga lista
field-too-long = është shumë i gjatë: jo më shumë se { $max } shenja
field-character = përmban një shenjë të palejuar ({ $char }): hiqeni
field-date = «{ $value }» nuk është datë e vlefshme: shkruajeni në formën dd/mm/vvvv, për shembull 01/03/2015
field-date-span = data duhet të jetë ndërmjet { $first } dhe { $last }
field-date-future = data nuk mund të jetë në të ardhmen
field-amount = «{ $value }» nuk është shumë e vlefshme: shkruajeni në euro, me presje për decimalet, për shembull 250,00
field-amount-negative = shuma nuk mund të jetë negative
field-amount-too-large = shuma e kalon maksimumin e lejuar ({ $max })
field-whole-number = «{ $value }» nuk shkon: shkruani një numër të plotë nga { $min } deri në { $max }
field-email = «{ $value }» nuk është adresë e-maili e vlefshme
field-file = zgjidhni skedarin që do të bashkëngjitni
field-file-too-large = skedari e kalon madhësinë maksimale prej { $mib } MiB
field-file-unreadable = PDF-ja nuk lexohet: është e paplotë ose e dëmtuar; provoni ta ruani përsëri si PDF
field-file-type = skedari nuk është PDF, imazh JPEG ose PNG, as dokument i nënshkruar dixhitalisht (P7M)
field-file-name = emri «{ $name }» nuk përputhet me përmbajtjen e skedarit ({ $kind }): riemërtojeni ose zgjidhni skedarin e duhur
field-requirement = dokumenti i zgjedhur nuk është ndër ato që kërkohen për këtë shërbim
quanto-error-birth = data e lindjes nuk mund të jetë pas datës së kërkesës
quanto-error-minors = të miturit ({ $minors }) nuk mund të jenë më shumë se personat në familje ({ $household })
