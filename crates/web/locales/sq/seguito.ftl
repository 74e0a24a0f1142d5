# Mesazhet me zyrën, përgjigjet ndaj një kërkese për plotësim ose një njoftimi, vendimi.

follow-errors = Nuk u dërgua asgjë: korrigjoni atë që është treguar.
sent-message = Mesazhi iu dërgua zyrës.
sent-document = Dokumenti iu dërgua zyrës.
sent-observations = Vërejtjet iu dërguan zyrës: do t'i marrë parasysh në vendim.

integration-title = Dërgoni dokumentet e kërkuara
integration-lead = Zyra pret dokumente ose informacione për të vazhduar shqyrtimin e kërkesës. Çfarë nevojitet e gjeni te kërkesa për plotësim, ndër letrat më poshtë.
integration-requirement = Dokumenti që dërgoni
integration-file = Skedari
integration-note = Shënim për zyrën (sipas dëshirës)
integration-submit = Dërgo dokumentin
document-present = i dërguar tashmë
document-missing = mungon
document-other = dokument tjetër
file-hint = PDF, JPEG, PNG ose P7M, jo më shumë se 10 MiB.

observations-title = Dërgoni vërejtjet tuaja
observations-lead = Mund t'i shpjegoni zyrës pse kërkesa duhet pranuar, me një dokument nëse nevojitet, deri më { $date }.
observations-text = Vërejtjet tuaja
observations-file = Dokument mbështetës (sipas dëshirës)
observations-submit = Dërgo vërejtjet

messages-title = Mesazhet me zyrën
messages-none = Ende asnjë mesazh.
message-write = Shkruajini zyrës
message-hint = Zyra ju përgjigjet këtu; kur ka një përgjigje, merrni një e-mail.
message-submit = Dërgo mesazhin
message-document = Dokumenti:
message-from-office = { $name } ({ $office })
message-kind-message = mesazh
message-kind-integration = dokumente për plotësim
message-kind-observations = vërejtje ndaj njoftimit për refuzim

letters-title = Letrat e zyrës
letter-decision = Vendimi (vendimi mbi kërkesën)
letter-notice = Njoftim për refuzim (arsyet pse kërkesa mund të mos pranohet)
letter-integration = Kërkesë për plotësimin e dokumenteve

documents-title = Dokumentet e kërkesës
documents-file = Skedari
documents-for = Për
documents-when = Dërguar më
document-by-you = dërguar nga ju

deliveries-title = Dhënia e shërbimit dhe bashkëpagesa
deliveries-totals = Dhënë deri tani: { $delivered }. Bashkëpagesa juaj deri tani: { $copayment }.
deliveries-month = Muaji
deliveries-status = Gjendja
deliveries-amount = Dhënë
deliveries-copayment = Bashkëpagesa
delivery-prevista = e parashikuar
delivery-erogata = e dhënë
delivery-sospesa = e pezulluar

follow-error-not-waiting = zyra nuk po pret dokumente për këtë kërkesë: nëse doni të dërgoni diçka, shkruajini një mesazh zyrës
follow-error-closed = kërkesa është mbyllur: nuk mund të dërgohen dokumente të tjera
follow-error-no-notice = për këtë kërkesë nuk ka njoftim për refuzim për t'iu përgjigjur
