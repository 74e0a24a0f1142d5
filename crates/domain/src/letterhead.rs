//! The letterhead of an organization (carta intestata): the office, its address and
//! contacts, opening hours and who signs. Printed at the top and foot of every letter and
//! under every e-mail to citizens. Every field may be left empty; what is given is checked.
//! The logo, uploaded apart, is drawn at the top of every letter.

use crate::FieldError;
use crate::casework::{DocumentType, sniff};
use crate::form::{Fields, SHORT_TEXT, email, text};
use std::fmt;
use std::ops::RangeInclusive;

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct LetterheadInput {
    pub office: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub pec: String,
    pub email: String,
    pub website: String,
    pub hours: String,
    pub signer_name: String,
    pub signer_title: String,
}

/// A checked letterhead; empty strings for what was not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Letterhead {
    /// The settore or ufficio: "Settore Servizi sociali – Ufficio Prestazioni".
    pub office: String,
    /// "Piazza Matteotti 27".
    pub address: String,
    /// CAP: five digits.
    pub postcode: String,
    /// "Bergamo (BG)".
    pub city: String,
    pub phone: String,
    pub pec: String,
    pub email: String,
    /// "https://www.comune.bergamo.it".
    pub website: String,
    /// Opening hours to the public, one line per day or group of days.
    pub hours: String,
    /// "dott.ssa Anna Bianchi".
    pub signer_name: String,
    /// "La Responsabile del Servizio".
    pub signer_title: String,
    /// The logo, stored apart from the text: filled only where letters are printed.
    pub logo: Option<Logo>,
}

/// The largest logo file taken.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The sides a logo may measure, in pixels: enough to print sharp at 17 mm, small enough
/// to decode at once.
pub const LOGO_SIDES: RangeInclusive<u32> = 16..=3000;

/// The organization's logo: a PNG or JPEG by its content (whatever the file's name),
/// at most [`MAX_LOGO_BYTES`], with sides within [`LOGO_SIDES`].
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    kind: DocumentType,
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Logo({}, {} × {}, {} bytes)",
            self.kind.as_str(),
            self.width,
            self.height,
            self.bytes.len()
        )
    }
}

impl Logo {
    /// Checks an uploaded logo. `measure` reads the image as it will be printed and gives
    /// its width and height in pixels, or why it cannot be read: the format's decoding is
    /// the printer's, the limits are here.
    pub fn parse(
        bytes: Vec<u8>,
        measure: impl FnOnce(&[u8]) -> Result<(u32, u32), String>,
    ) -> Result<Logo, FieldError> {
        let refuse = |message: String| Err(FieldError::new("logo", message));
        if bytes.is_empty() {
            return refuse("scegliere il file del logo, un'immagine PNG o JPEG".into());
        }
        if bytes.len() > MAX_LOGO_BYTES {
            return refuse(format!(
                "il logo supera la dimensione massima di {} KiB",
                MAX_LOGO_BYTES / 1024
            ));
        }
        let kind = match sniff(&bytes) {
            Some(k @ (DocumentType::Png | DocumentType::Jpeg)) => k,
            _ => return refuse("il logo deve essere un'immagine PNG o JPEG".into()),
        };
        let (width, height) = match measure(&bytes) {
            Ok(size) => size,
            Err(why) => return refuse(format!("il logo non si può usare: {why}")),
        };
        if !LOGO_SIDES.contains(&width) || !LOGO_SIDES.contains(&height) {
            return refuse(format!(
                "il logo misura {width} × {height} pixel: ogni lato deve essere tra {} e {} pixel",
                LOGO_SIDES.start(),
                LOGO_SIDES.end()
            ));
        }
        Ok(Logo {
            kind,
            bytes,
            width,
            height,
        })
    }

    /// A logo as stored, checked by [`Logo::parse`] when it was uploaded.
    pub fn stored(kind: DocumentType, bytes: Vec<u8>, width: u32, height: u32) -> Logo {
        Logo {
            kind,
            bytes,
            width,
            height,
        }
    }

    /// PNG or JPEG.
    pub fn kind(&self) -> DocumentType {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }
}

const HOURS_TEXT: usize = 1_000;

fn postcode(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() || (t.len() == 5 && t.chars().all(|c| c.is_ascii_digit())) {
        Ok(t.to_owned())
    } else {
        Err(FieldError::new(
            "postcode",
            format!("il CAP «{t}» non è valido: cinque cifre, come 24121"),
        ))
    }
}

fn phone(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let allowed = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '/' | '-' | '.' | '(' | ')'));
    if t.is_empty() || (allowed && (6..=15).contains(&digits) && t.len() <= 40) {
        Ok(t.to_owned())
    } else {
        Err(FieldError::new(
            "phone",
            format!("il telefono «{t}» non è valido: cifre, spazi e +, da 6 a 15 cifre"),
        ))
    }
}

fn website(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let host = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    let host_part = host.split('/').next().unwrap_or("");
    let ok = t.len() <= 200
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && host_part.contains('.')
        && !host_part.starts_with('.')
        && !host_part.ends_with('.')
        && host_part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    if ok {
        Ok(t.to_owned())
    } else {
        Err(FieldError::new(
            "website",
            format!("il sito «{t}» non è valido: scrivilo come https://www.comune.esempio.it"),
        ))
    }
}

impl Letterhead {
    /// Checks the form; every bad field gets its message.
    pub fn parse(i: &LetterheadInput) -> Result<Letterhead, Vec<FieldError>> {
        let mut f = Fields(Vec::new());
        let short = |field, raw: &str, what| text(field, raw, what, SHORT_TEXT, false);
        let office = f.take(short("office", &i.office, "il settore o ufficio"));
        let address = f.take(short("address", &i.address, "l'indirizzo"));
        let postcode = f.take(postcode(&i.postcode));
        let city = f.take(short("city", &i.city, "il comune"));
        let phone = f.take(phone(&i.phone));
        let pec = f.take(email("pec", &i.pec).map_err(|e| {
            FieldError::new(
                "pec",
                e.message.replace("indirizzo e-mail", "indirizzo PEC"),
            )
        }));
        let mail = f.take(email("email", &i.email));
        let website = f.take(website(&i.website));
        let hours = f.take(text(
            "hours",
            &i.hours,
            "l'orario di apertura",
            HOURS_TEXT,
            false,
        ));
        let signer_name = f.take(short("signer_name", &i.signer_name, "chi firma"));
        let signer_title = f.take(short(
            "signer_title",
            &i.signer_title,
            "la qualifica di chi firma",
        ));
        if let (Some(name), Some(title)) = (&signer_name, &signer_title) {
            f.check(
                name.is_empty() || !title.is_empty(),
                "signer_title",
                "indicare la qualifica di chi firma, come «La Responsabile del Servizio»",
            );
        }
        match (
            office,
            address,
            postcode,
            city,
            phone,
            pec,
            mail,
            website,
            hours,
            signer_name,
            signer_title,
        ) {
            (
                Some(office),
                Some(address),
                Some(postcode),
                Some(city),
                Some(phone),
                Some(pec),
                Some(email),
                Some(website),
                Some(hours),
                Some(signer_name),
                Some(signer_title),
            ) if f.0.is_empty() => Ok(Letterhead {
                office,
                address,
                postcode,
                city,
                phone,
                pec: pec.unwrap_or_default(),
                email: email.unwrap_or_default(),
                website,
                hours,
                signer_name,
                signer_title,
                logo: None,
            }),
            _ => Err(f.0),
        }
    }

    /// The form filled with what is stored.
    pub fn input(&self) -> LetterheadInput {
        LetterheadInput {
            office: self.office.clone(),
            address: self.address.clone(),
            postcode: self.postcode.clone(),
            city: self.city.clone(),
            phone: self.phone.clone(),
            pec: self.pec.clone(),
            email: self.email.clone(),
            website: self.website.clone(),
            hours: self.hours.clone(),
            signer_name: self.signer_name.clone(),
            signer_title: self.signer_title.clone(),
        }
    }

    /// "Piazza Matteotti 27 – 24122 Bergamo (BG)", or empty.
    pub fn address_line(&self) -> String {
        let place = join(&[&self.postcode, &self.city], " ");
        join(&[&self.address, &place], " – ")
    }

    /// "Tel. 035 399111 · PEC protocollo@pec.comune.it · servizi.sociali@comune.it · www…".
    pub fn contacts_line(&self) -> String {
        let phone = labelled("Tel.", &self.phone);
        let pec = labelled("PEC", &self.pec);
        let mail = labelled("E-mail", &self.email);
        join(&[&phone, &pec, &mail, &self.website], " · ")
    }

    /// The lines under the office's name at the top of a letter.
    pub fn heading_lines(&self) -> Vec<String> {
        [self.address_line(), self.contacts_line()]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The opening hours on one line: "lun–ven 9–12; gio 14–17", or empty.
    pub fn hours_words(&self) -> String {
        self.hours
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// "Orari di apertura: lun–ven 9–12; gio 14–17", or empty.
    pub fn hours_line(&self) -> String {
        labelled("Orari di apertura:", &self.hours_words())
    }

    /// Who signs, as printed under a letter: "La Responsabile del Servizio\ndott.ssa Anna
    /// Bianchi"; without a signer on the letterhead, the person who acted.
    pub fn signature_label(&self, acted_by: &str) -> String {
        let (title, name) = if self.signer_name.trim().is_empty() {
            ("Il responsabile del servizio", acted_by.trim())
        } else {
            (self.signer_title.trim(), self.signer_name.trim())
        };
        join(&[title, name], "\n")
    }

    /// The name of who signs: the letterhead's signer or the person who acted.
    pub fn signer<'a>(&'a self, acted_by: &'a str) -> &'a str {
        if self.signer_name.trim().is_empty() {
            acted_by.trim()
        } else {
            self.signer_name.trim()
        }
    }

    /// The signature of an e-mail to citizens: the organization, the office, where and when
    /// it receives, how to reach it; one item per line.
    pub fn mail_signature(&self, org_name: &str) -> Vec<String> {
        [
            org_name.trim().to_owned(),
            self.office.trim().to_owned(),
            self.address_line(),
            self.contacts_line(),
            self.hours_line(),
        ]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect()
    }
}

fn labelled(label: &str, value: &str) -> String {
    if value.trim().is_empty() {
        String::new()
    } else {
        format!("{label} {}", value.trim())
    }
}

fn join(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> LetterheadInput {
        LetterheadInput {
            office: " Settore Servizi sociali ".into(),
            address: "Piazza Matteotti 27".into(),
            postcode: "24122".into(),
            city: "Bergamo (BG)".into(),
            phone: "+39 035 399111".into(),
            pec: "protocollo@cert.comune.bergamo.it".into(),
            email: "servizisociali@comune.bergamo.it".into(),
            website: "https://www.comune.bergamo.it".into(),
            hours: "lun–ven 9–12\n\ngio 14–16".into(),
            signer_name: "dott.ssa Anna Bianchi".into(),
            signer_title: "La Responsabile del Servizio".into(),
        }
    }

    #[test]
    fn a_full_letterhead_prints_address_contacts_hours_and_signer() {
        let l = Letterhead::parse(&full()).unwrap();
        assert_eq!(l.office, "Settore Servizi sociali");
        assert_eq!(
            l.heading_lines(),
            vec![
                "Piazza Matteotti 27 – 24122 Bergamo (BG)".to_owned(),
                "Tel. +39 035 399111 · PEC protocollo@cert.comune.bergamo.it · E-mail servizisociali@comune.bergamo.it · https://www.comune.bergamo.it".to_owned(),
            ]
        );
        assert_eq!(l.hours_line(), "Orari di apertura: lun–ven 9–12; gio 14–16");
        assert_eq!(
            l.signature_label("Mario Verdi"),
            "La Responsabile del Servizio\ndott.ssa Anna Bianchi"
        );
        assert_eq!(l.mail_signature("Comune di Bergamo").len(), 5);
    }

    #[test]
    fn an_empty_letterhead_is_valid_and_signs_with_who_acted() {
        let l = Letterhead::parse(&LetterheadInput::default()).unwrap();
        assert!(l.heading_lines().is_empty());
        assert_eq!(
            l.signature_label("Mario Verdi"),
            "Il responsabile del servizio\nMario Verdi"
        );
        assert_eq!(l.signer("Mario Verdi"), "Mario Verdi");
        assert_eq!(
            l.mail_signature("Comune di Bergamo"),
            vec!["Comune di Bergamo"]
        );
    }

    #[test]
    fn bad_fields_are_named_in_italian() {
        let bad = LetterheadInput {
            postcode: "2412".into(),
            phone: "chiamare".into(),
            pec: "protocollo-at-pec".into(),
            email: "x@y".into(),
            website: "non un sito".into(),
            signer_name: "Anna Bianchi".into(),
            hours: "a\u{7}".into(),
            ..LetterheadInput::default()
        };
        let errors = Letterhead::parse(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "postcode",
                "phone",
                "pec",
                "email",
                "website",
                "hours",
                "signer_title"
            ]
        );
        assert!(errors[2].message.contains("PEC"), "{}", errors[2].message);
    }

    /// The smallest PNG's signature, header and end: enough for the sniffing, whose
    /// measure is given.
    fn png_bytes() -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        b.extend_from_slice(&[0; 40]);
        b.extend_from_slice(b"IEND");
        b
    }

    #[test]
    fn a_logo_is_a_png_or_jpeg_by_content_within_the_limits() {
        let ok = Logo::parse(png_bytes(), |_| Ok((200, 80))).expect("a PNG");
        assert_eq!(
            (ok.kind(), ok.width(), ok.height()),
            (DocumentType::Png, 200, 80)
        );
        let refused = |bytes: Vec<u8>, size: Result<(u32, u32), String>| {
            let e = Logo::parse(bytes, |_| size).expect_err("refused");
            assert_eq!(e.field, "logo");
            e.message
        };
        assert!(refused(Vec::new(), Ok((20, 20))).contains("scegliere"));
        assert!(
            refused(b"<html><body>logo</body></html>".to_vec(), Ok((20, 20)))
                .contains("PNG o JPEG")
        );
        let mut pdf = b"%PDF-1.4
"
        .to_vec();
        pdf.extend_from_slice(b"%%EOF");
        assert!(refused(pdf, Ok((20, 20))).contains("PNG o JPEG"));
        let mut big = png_bytes();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert!(refused(big, Ok((20, 20))).contains("512 KiB"));
        assert!(refused(png_bytes(), Ok((4000, 100))).contains("4000 × 100"));
        assert!(refused(png_bytes(), Ok((100, 8))).contains("tra 16 e 3000"));
        assert!(refused(png_bytes(), Err("danneggiata".into())).contains("danneggiata"));
    }
}
