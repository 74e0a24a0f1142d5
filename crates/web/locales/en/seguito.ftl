# Messages with the office, answers to an integration request or a notice, the decision.

follow-errors = Nothing was sent: please correct what is shown.
sent-message = Message sent to the office.
sent-document = Document sent to the office.
sent-observations = Observations sent to the office: it will take them into account in its decision.

integration-title = Send the documents requested
integration-lead = The office is waiting for documents or information to continue examining the application. What is needed is in the request for documents, among the letters below.
integration-requirement = Document you are sending
integration-file = File
integration-note = Note for the office (optional)
integration-submit = Send the document
document-present = already sent
document-missing = missing
document-other = other document
file-hint = PDF, JPEG, PNG or P7M, 10 MiB at most.

observations-title = Send your observations
observations-lead = You can explain to the office why the application should be accepted, with a document if needed, by { $date }.
observations-text = Your observations
observations-file = Supporting document (optional)
observations-submit = Send the observations

messages-title = Messages with the office
messages-none = No messages yet.
message-write = Write to the office
message-hint = The office answers here; you receive an e-mail when there is an answer.
message-submit = Send the message
message-document = Document:
message-from-office = { $name } ({ $office })
message-kind-message = message
message-kind-integration = documents requested
message-kind-observations = observations on the notice of rejection

letters-title = Letters from the office
letter-decision = Decision on the application
letter-notice = Notice of intended rejection (the reasons the application could not be accepted)
letter-integration = Request for further documents

documents-title = Documents of the application
documents-file = File
documents-for = For
documents-when = Sent on
document-by-you = sent by you

deliveries-title = Payments, services and co-payment
deliveries-totals = Delivered so far: { $delivered }. Your co-payment so far: { $copayment }.
deliveries-month = Month
deliveries-status = Status
deliveries-amount = Delivered
deliveries-copayment = Co-payment
delivery-prevista = planned
delivery-erogata = delivered
delivery-sospesa = suspended

follow-error-not-waiting = the office is not waiting for documents for this application: if you want to send something, write a message to the office
follow-error-closed = the application is closed: no more documents can be sent
follow-error-no-notice = there is no notice of intended rejection to answer for this application
