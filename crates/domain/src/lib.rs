//! Pure domain of Sportello: types that cannot be invalid, and the rules that decide who may
//! do what. No I/O here: the store and the web layer call into this crate.

/// Declares a closed set of codes stored as text, with its Italian label.
macro_rules! coded_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        // Stored JSON (rules, outcomes) holds the code, as the database columns do.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(format!("codice sconosciuto «{raw}»"))
                })
            }
        }
    };
}

pub mod application;
pub mod assessment;
pub mod audit;
pub mod audit_actions;
pub mod benefit;
pub mod casework;
pub mod changes;
pub mod dates;
pub mod dsu;
mod form;
pub mod holidays;
pub mod inps_xml;
pub mod letterhead;
pub mod localtime;
pub mod mandate;
pub mod money;
pub mod org;
pub mod person;
pub mod policy;
pub mod registry;
pub mod siuss;
pub mod user;

pub use org::{OrgCode, OrgKind};
pub use policy::{Action, Actor, Decision, RecordScope, Role};
pub use user::{Login, PasswordError, check_new_password};

/// A one-line, Italian, user-facing error for a value that failed to parse; `field` names the
/// form field or input column so the UI can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// How a refused character is named in a message: a blank is invisible between quotes.
pub(crate) fn char_name(c: char) -> String {
    match c {
        ' ' => "lo spazio".to_owned(),
        c if c.is_whitespace() || c.is_control() => format!("il carattere U+{:04X}", u32::from(c)),
        c => format!("il carattere «{c}»"),
    }
}
