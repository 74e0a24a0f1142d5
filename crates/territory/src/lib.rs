//! Italian territorial reference data and the codice fiscale.
//!
//! - [`places`] (re-exported here): comuni current and historical by ISTAT
//!   code, Belfiore code and date, or name; foreign states by `Z` code.
//! - [`codice_fiscale`]: parse, decode, encode, omocodia.
//! - [`cli`]: the logic behind the `sportello cf` commands.
//! - [`demo`]: a synthetic, deterministic resident population (the
//!   civil-registry import file) for demonstrations and benchmarks.
//!
//! ```
//! use territory::{CodiceFiscale, Sex};
//! use time::macros::date;
//!
//! let cf = CodiceFiscale::parse("rssmra85t10a562s")?;
//! let person = cf.decode_with_reference(date!(2026 - 11 - 26))?.expect("ordinary code");
//! assert_eq!(person.sex, Sex::M);
//! assert_eq!(person.birth_date, date!(1985 - 12 - 10));
//! assert_eq!(person.birthplace.name(), "San Giuliano Terme");
//! # Ok::<(), territory::CodiceFiscaleError>(())
//! ```
//!
//! Data: ISTAT list of comuni (CC BY 3.0 IT) and the historical Belfiore
//! and foreign-state tables of python-codicefiscale (MIT, Fabio Caccamo);
//! see `data/README.md`.

pub mod cli;
pub mod codice_fiscale;
pub mod demo;
pub mod places;
mod text;
pub use text::name_words;

#[cfg(test)]
mod datagen;

pub use codice_fiscale::{
    CodiceFiscale, CodiceFiscaleError, CodiceFiscaleKind, EncodeError, MONTH_NAMES, PersonalData,
    Sex,
};
pub use places::{
    BelfioreCode, Birthplace, BirthplaceMatch, Comune, ForeignState, birthplace_by_code,
    birthplaces_by_name, comune_by_belfiore, comune_by_istat, comune_history, comuni,
    comuni_by_name, comuni_in_force_starting, foreign_state_by_code, foreign_state_history,
    foreign_states, foreign_states_by_name,
};
