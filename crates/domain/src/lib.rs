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
pub mod bill;
pub mod call;
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
pub mod payment;
pub mod person;
pub mod policy;
pub mod registry;
pub mod siuss;
pub mod stats;
pub mod user;

pub use org::{OrgCode, OrgKind};
pub use policy::{Action, Actor, Decision, RecordScope, Role};
pub use user::{Login, PasswordError, check_new_password};

/// A one-line, Italian, user-facing error for a value that failed to parse; `field` names the
/// form field or input column so the UI can point at it. An error a citizen can meet on the
/// portal also [`says`](FieldError::says) what it refuses as a message id with its arguments,
/// which the portal words in the citizen's language; the office shows `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
    pub says: Option<Says>,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
            says: None,
        }
    }

    /// «indicare …»: a required field left empty; `what` names it in Italian.
    pub fn required(field: &'static str, what: &str) -> Self {
        Self::new(field, format!("indicare {what}")).says("field-required", [])
    }

    /// A count typed wrong (`message` says so in Italian), with the whole numbers it takes.
    pub fn not_a_count(
        field: &'static str,
        message: impl Into<String>,
        typed: &str,
        range: std::ops::RangeInclusive<u32>,
    ) -> Self {
        Self::new(field, message).says(
            "field-whole-number",
            [
                ("value", Arg::Text(typed.to_owned())),
                ("min", Arg::Number((*range.start()).into())),
                ("max", Arg::Number((*range.end()).into())),
            ],
        )
    }

    /// The same refusal as the message `id` of the portal's catalogues, with its arguments.
    pub fn says<const N: usize>(
        mut self,
        id: &'static str,
        args: [(&'static str, Arg); N],
    ) -> Self {
        self.says = Some(Says {
            id,
            args: args.into(),
        });
        self
    }
}

/// A message by its id in a catalogue, with named arguments: what the domain refuses, for a
/// surface that words it in another language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Says {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument of a message, typed so that each language writes it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// As typed or as named (a value the citizen typed, a file name).
    Text(String),
    Number(i64),
    Date(time::Date),
    Money(money::Money),
}

/// How a refused character is named in a message: a blank is invisible between quotes.
pub(crate) fn char_name(c: char) -> String {
    match c {
        ' ' => "lo spazio".to_owned(),
        c if c.is_whitespace() || c.is_control() => format!("il carattere U+{:04X}", u32::from(c)),
        c => format!("il carattere «{c}»"),
    }
}
