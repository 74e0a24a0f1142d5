//! Organizations (enti): the installation itself, Ambiti territoriali, Comuni, CAF, providers.

use crate::{FieldError, char_name};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// The installation: its administrators manage every other organization.
    Sistema,
    AmbitoTerritoriale,
    Comune,
    Caf,
    /// Ente erogatore: cooperative, RSA, home-care provider.
    Erogatore,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        OrgKind::Sistema,
        OrgKind::AmbitoTerritoriale,
        OrgKind::Comune,
        OrgKind::Caf,
        OrgKind::Erogatore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Sistema => "sistema",
            OrgKind::AmbitoTerritoriale => "ambito_territoriale",
            OrgKind::Comune => "comune",
            OrgKind::Caf => "caf",
            OrgKind::Erogatore => "erogatore",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Sistema => "Sistema",
            OrgKind::AmbitoTerritoriale => "Ambito territoriale",
            OrgKind::Comune => "Comune",
            OrgKind::Caf => "CAF",
            OrgKind::Erogatore => "Ente erogatore",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| FieldError::new("tipo", "scegli un tipo di ente dall'elenco"))
    }

    /// Whether the organization covers comuni: an Ambito lists its comuni, a Comune is one.
    pub fn has_comuni(self) -> bool {
        matches!(self, OrgKind::AmbitoTerritoriale | OrgKind::Comune)
    }
}

/// Short unique code of an organization, used in URLs, the CLI and protocol numbers:
/// lowercase letters, digits and dashes, 2 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        let err = |m: &str| FieldError::new("codice", m);
        if s.chars().count() < 2 || s.chars().count() > 40 {
            return Err(err("il codice deve avere da 2 a 40 caratteri"));
        }
        if let Some((i, c)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(err(&format!(
                "{} in posizione {} non è ammesso: usa lettere, cifre e trattini",
                char_name(c),
                i + 1
            )));
        }
        if s.starts_with('-') || s.ends_with('-') {
            return Err(err("il codice non può iniziare o finire con un trattino"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<OrgCode> for String {
    fn from(c: OrgCode) -> String {
        c.0
    }
}

impl std::fmt::Display for OrgCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organization's display name: 2 to 200 characters, trimmed.
pub fn parse_org_name(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    match s.chars().count() {
        0 => Err(FieldError::new("nome", "inserisci il nome dell'ente")),
        1 => Err(FieldError::new(
            "nome",
            "il nome deve avere almeno 2 caratteri",
        )),
        n if n > 200 => Err(FieldError::new(
            "nome",
            "il nome può avere al massimo 200 caratteri",
        )),
        _ => Ok(s.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_code_is_normalized_and_checked() {
        assert_eq!(
            OrgCode::parse(" Ambito-BG1 ").unwrap().as_str(),
            "ambito-bg1"
        );
        assert!(OrgCode::parse("a").is_err());
        let e = OrgCode::parse("ab cd").unwrap_err();
        assert!(e.message.contains("posizione 3"), "{e}");
        assert!(OrgCode::parse("-ab").is_err());
    }

    #[test]
    fn org_kind_round_trips_through_text() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(OrgKind::parse("banca").is_err());
    }
}

/// How the citizen's access log on the portal names the operator who opened their data: as
/// the comune decides, by name (as the Fascicolo sanitario elettronico does) or only by role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OperatorNaming {
    #[default]
    Name,
    Role,
}

impl OperatorNaming {
    pub const ALL: [OperatorNaming; 2] = [OperatorNaming::Name, OperatorNaming::Role];

    pub fn as_str(self) -> &'static str {
        match self {
            OperatorNaming::Name => "nome",
            OperatorNaming::Role => "ruolo",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OperatorNaming::Name => "Nome e cognome dell'operatore",
            OperatorNaming::Role => {
                "Solo il ruolo dell'operatore (per esempio «Assistente sociale»)"
            }
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "operator_naming",
                    "scegliere come il registro degli accessi indica l'operatore",
                )
            })
    }
}
