//! Operators' identities and the password rules (OWASP ASVS 2.1: length, no composition rules,
//! common and guessable passwords refused).

use crate::{FieldError, char_name};
use serde::{Deserialize, Serialize};

/// A login name: 3 to 64 characters among lowercase letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Login(String);

impl Login {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        let err = |m: String| FieldError::new("login", m);
        let n = s.chars().count();
        if !(3..=64).contains(&n) {
            return Err(err("il nome utente deve avere da 3 a 64 caratteri".into()));
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        }) {
            return Err(err(format!(
                "{} in posizione {} non è ammesso: usa lettere, cifre, punto, trattino o trattino basso",
                char_name(c),
                i + 1
            )));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Login {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<Login> for String {
    fn from(l: Login) -> String {
        l.0
    }
}

impl std::fmt::Display for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name for an operator account.
pub fn parse_full_name(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    match s.chars().count() {
        0 => Err(FieldError::new("nome", "inserisci nome e cognome")),
        n if n > 200 => Err(FieldError::new(
            "nome",
            "nome e cognome possono avere al massimo 200 caratteri",
        )),
        _ => Ok(s.to_owned()),
    }
}

/// An e-mail address, loosely checked: one `@`, something on each side, a dot in the domain.
pub fn parse_email(raw: &str) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let ok = s.len() <= 254
        && !s.chars().any(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if ok {
        Ok(Some(s.to_owned()))
    } else {
        Err(FieldError::new(
            "email",
            "l'indirizzo e-mail non è valido: scrivilo come nome@esempio.it",
        ))
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("la password deve avere almeno {PASSWORD_MIN_CHARS} caratteri")]
    TooShort,
    #[error("la password può avere al massimo {PASSWORD_MAX_CHARS} caratteri")]
    TooLong,
    #[error(
        "la password è troppo comune o facile da indovinare: scegline una più lunga o meno prevedibile, ad esempio una frase di più parole"
    )]
    TooGuessable,
}

/// Checks a new password. `personal` holds words the password must not be built from (login,
/// name, e-mail): zxcvbn treats them as a dictionary, so "mario.rossi2026" is refused for Mario.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    // Score 3 is "safely unguessable: moderate protection from offline slow-hash scenario"
    // (zxcvbn's scale); lower scores are common passwords, keyboard walks, dates and repeats.
    let estimate = zxcvbn::zxcvbn(password, personal);
    if (estimate.score() as u8) < 3 {
        return Err(PasswordError::TooGuessable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_is_lowercased_and_limited_to_safe_characters() {
        assert_eq!(
            Login::parse(" Mario.Rossi ").unwrap().as_str(),
            "mario.rossi"
        );
        assert!(Login::parse("ab").is_err());
        assert!(
            Login::parse("mario rossi")
                .unwrap_err()
                .message
                .contains("posizione 6")
        );
    }

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert_eq!(
            check_new_password("corta", &[]),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_new_password("password1234", &[]),
            Err(PasswordError::TooGuessable)
        );
        assert_eq!(
            check_new_password("qwertyuiop12", &[]),
            Err(PasswordError::TooGuessable)
        );
        assert_eq!(
            check_new_password("rossimario12", &["mario", "rossi"]),
            Err(PasswordError::TooGuessable)
        );
        assert_eq!(
            check_new_password(&"a".repeat(129), &[]),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn long_passphrases_without_composition_rules_are_accepted() {
        assert_eq!(
            check_new_password("gatto nero sul tetto di vetro", &[]),
            Ok(())
        );
        assert_eq!(check_new_password("Ciliegie-Marzo-Lanterna-7", &[]), Ok(()));
    }

    #[test]
    fn email_is_optional_but_checked() {
        assert_eq!(parse_email("  ").unwrap(), None);
        assert!(parse_email("a@b.it").unwrap().is_some());
        assert!(parse_email("a@b").is_err());
        assert!(parse_email("a b@c.it").is_err());
    }
}
