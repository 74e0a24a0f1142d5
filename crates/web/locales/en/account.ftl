# Local accounts on the portal: signing in with tax code and password, the link by e-mail to choose it.

local-signin-title = Sign in with tax code and password
local-signin-lead = If you have neither SPID nor CIE you can sign in with a password, which you choose through a link sent to the e-mail address you gave your municipality.
local-signin-password = Password
local-signin-submit = Sign in
local-signin-wrong = Wrong tax code or password.
local-register-link = First time: choose your password
local-forgot-link = Forgot your password?
local-wait = { $n ->
    [one] Too many failed attempts. For your security, try again in 1 minute.
   *[other] Too many failed attempts. For your security, try again in { $n } minutes.
}

register-title = Choose your portal password
register-forgotten-title = Forgotten password
register-lead = Enter your tax code (codice fiscale) and the e-mail address you gave your municipality's social services. If they match the ones on record, we send you a link to choose your password.
register-cf = Tax code (codice fiscale)
register-email = E-mail address
register-email-hint = The one you gave the office, for example name@example.com.
register-submit = Send the link
register-errors = Nothing was sent: please correct what is shown.
register-cf-invalid = Enter the 16-character tax code, as on your health insurance card.
register-email-invalid = Enter the e-mail address as name@example.com.
register-sent = If the details match the ones your municipality has on record, you will receive an e-mail with a link to choose your password. The link works once, for 24 hours.
register-sent-more = If the e-mail does not arrive within a few minutes, check your spam folder. If your address has changed, tell your municipality's office.
register-back = Back to sign-in
register-counter = If you never gave the social services an e-mail address, please contact your municipality's office.

confirm-title = Choose your password
confirm-lead = Choose the password you will use with your tax code to sign in to the portal.
confirm-password = New password
confirm-password-hint = At least 12 characters. A sentence of several words is easy to remember and hard to guess.
confirm-again = Repeat the password
confirm-submit = Save the password and sign in
confirm-errors = The password was not saved: please correct what is shown.
confirm-mismatch = The two passwords differ: type the same one twice.
confirm-invalid = This link cannot be used: it was already used, it has expired, or you asked for a newer one.
confirm-ask-again = Ask for a new link
password-too-short = The password must be at least 12 characters long.
password-too-long = The password may be at most 128 characters long.
password-guessable = The password is too common or easy to guess: choose a longer or less predictable one, for example a sentence of several words.
