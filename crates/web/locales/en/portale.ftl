# Citizens' portal: English.

portal-name = Social services portal
portal-tagline = Social services online
skip-content = Skip to main content
skip-menu = Skip to navigation menu
menu-label = Main menu
lang-label = Language
nav-home = Home
nav-applications = My applications
nav-accesses = Who viewed my data
sign-in = Sign in
sign-out = Sign out
footer-text = Social services portal, made with Sportello, free software (EUPL 1.2).

home-title = Social services online
home-lead = Here you follow the applications made to the social services of your municipality, see where they stand and who viewed your data. You can also work out how much you will pay for a service.
home-sign-in = Sign in with SPID or CIE
home-welcome = Hello { $name }.
home-your-applications = See your applications
home-your-accesses = See who viewed your data
home-calculate-title = How much will I pay
home-calculate-lead = Choose the service: with your ISEE and a few other details you see at once whether you are entitled and what it costs, by the same rules the office uses.
home-no-benefits = No service has been published yet.

signin-title = Sign in to the portal
signin-lead = Sign in with your digital identity: SPID or the electronic identity card (CIE). We recognise you by your tax code (codice fiscale).
signin-with = Sign in with { $provider }
signin-unavailable = Signing in with SPID and CIE is not active on this portal yet. For information on your applications, contact your municipality's office.
signin-failed = Signing in did not succeed. Try again; if it happens again, contact the office.
signin-unknown = You are not among the people the social services of this portal know. To make your first application, contact your municipality's office.
signin-refused = This identity cannot be used to sign in to the portal. Please contact the office.
signout-done = You have signed out of the portal.

applications-title = My applications
applications-lead = The applications made for you or for the people you represent, at the office, through a CAF or online.
applications-none = No applications found.
applications-count = { $n ->
    [one] 1 application
   *[other] { $n } applications
}
col-benefit = Service
col-protocol = Reference number
col-filed = Filed on
col-state = Where it stands
col-for = For
col-office = Office
col-when = Date and time
col-who = Who
col-what = What
col-reason = Reason
for-self = you
open-application = Open

application-title = Application: { $benefit }
application-protocol = Reference number
application-filed = Filed on
application-channel = Filed through
application-for = For
application-state = Where it stands
application-next = What happens now
application-due = The office must conclude by { $date } (Law 241/1990).
application-decided = Decision of { $date }.
application-amount = Amount granted
application-history = The steps of the application
application-back = Back to your applications
application-no-protocol = not registered yet

state-presentata = Received: the office will examine it.
state-in_istruttoria = The office is examining it.
state-integrazione_richiesta = The office has asked you for more documents or information.
state-preavviso_rigetto = The office has told you why the application might not be granted: you may send your observations within 10 days.
state-accolta = Granted.
state-respinta = Refused.
state-archiviata = Closed without a decision.
state-in_erogazione = Granted: the service or the payment is under way.
state-conclusa = Concluded.
state-bozza = Being prepared.

next-presentata = An officer takes the application and checks the requirements.
next-in_istruttoria = When the examination is over you will receive the decision.
next-integrazione_richiesta = Bring or send the office what is missing: the time limit starts again when it arrives.
next-preavviso_rigetto = If you have facts the office has not considered, send your observations within 10 days of the notice.
next-accolta = The office arranges the start of the service or the payment.
next-respinta = The decision gives the reasons and how to appeal.
next-archiviata = The application does not go on.
next-in_erogazione = The service or the payment is under way: the office records each month.
next-conclusa = There are no further steps.
next-bozza = The application has not been filed yet.

accesses-title = Who viewed my data
accesses-lead = Every time someone in the office opens your record, your case file, your applications or your ISEE, it is written here: date and time, office, who and what. The content of confidential notes is never shown.
accesses-none = No officer has viewed these data yet.
accesses-person = Data of
accesses-show = Show
accesses-limit = The last { $n } accesses are shown.

quanto-title = How much will I pay: { $benefit }
quanto-lead = Enter your details: the calculation uses the same rules as the office. It is an estimate: the decision on the application is what counts.
quanto-isee = ISEE value (euro)
quanto-isee-hint = You find it on the ISEE certificate; leave it empty if you do not have one.
quanto-household = People in the household
quanto-minors = Of whom under 18
quanto-birth = Date of birth of the person receiving the service
quanto-birth-hint = As dd/mm/yyyy.
quanto-resident = Resident in the municipality
quanto-resident-since = Resident since
quanto-disability = With a certified disability or dependency
quanto-units = Quantity per month (hours, meals, days)
quanto-cost = Cost of the service per month (euro)
quanto-submit = Calculate
quanto-result = Result
quanto-eligible = With these details you would be entitled.
quanto-not-eligible = With these details you would not be entitled: at least one requirement is not met.
quanto-requirements = Requirements
quanto-amount = Amount
quanto-how = How it is calculated
quanto-rules = Rules applied: version in force from { $date }, { $citation }.
quanto-no-amount = The rules give no amount that can be calculated with these details.
quanto-errors = Check the details you entered:
met = met
not-met = not met
to-check = to be checked

error-title = Something is wrong
error-text = Something went wrong. Try again; if it happens again, contact your municipality's office.
error-not-found-title = Page not found
error-not-found = The page you are looking for does not exist or has moved. Check the address or go back to the home page.
error-forbidden-title = Access denied
error-forbidden = You cannot see this page. If you think this is a mistake, contact your municipality's office.
error-bad-request-title = Request not valid
error-bad-request = The details sent are not valid: check them and try again.
error-later-title = Try again later
error-later = The portal cannot answer right now. Try again in a few minutes.
error-internal-title = Internal error
error-internal = An error occurred. Try again; if it happens again, contact your municipality's office.
error-code = Error code: { $code }.
error-home = Back to the home page

# The access log: what was opened, and the operator named by role.
opened-person = the registry record
opened-isee = the ISEE
opened-application = an application
opened-document = a document
opened-casefile = the social case file
opened-assessment = an assessment
opened-plan = the individual plan (PAI)
opened-access = a social secretariat access record
opened-household = the household
opened-confidential = the confidential part of the case file
opened-other = a record
role-amministratore = Administrator
role-responsabile = Head of service
role-assistente_sociale = Social worker
role-operatore_sportello = Front-desk operator
role-operatore_caf = CAF operator
role-ragioneria = Accounts office
role-revisore = Auditor
role-cittadino = Citizen
operator-former = An office operator

# Form errors: beside the field and, after the field's name, in the list at the top of the form.
field-problem = { $field }: { $problem }
field-required = please fill in this field
field-choose = please choose a value from the list
field-too-long = it is too long: { $max } characters at most
field-character = it contains a character that is not allowed ({ $char }): please remove it
field-date = «{ $value }» is not a valid date: write it as dd/mm/yyyy, for example 01/03/2015
field-date-span = the date must be between { $first } and { $last }
field-date-future = the date cannot be in the future
field-amount = «{ $value }» is not a valid amount: write it in euro, with a comma for the cents, for example 250,00
field-amount-negative = the amount cannot be negative
field-amount-too-large = the amount is over the maximum allowed ({ $max })
field-whole-number = «{ $value }» will not do: write a whole number from { $min } to { $max }
field-email = «{ $value }» is not a valid e-mail address
field-file = please choose the file to attach
field-file-too-large = the file is over the maximum size of { $mib } MiB
field-file-unreadable = the PDF cannot be read: it is incomplete or damaged; try saving it as PDF again
field-file-type = the file is not a PDF, a JPEG or PNG image, or a digitally signed document (P7M)
field-file-name = the name «{ $name }» does not match the file's content ({ $kind }): rename it or choose the right file
field-requirement = the document chosen is not one of those required for this service
quanto-error-birth = the date of birth cannot be after the date of the application
quanto-error-minors = the minors ({ $minors }) cannot be more than the people in the household ({ $household })
