//! A direct reader for the plain form of the DSU JSON, the hot path of `batch`.
//!
//! It reads the modules every DSU has (MB.1, FC.1 with quadri FC1–FC5, FC.2, FC.3) field by
//! field, hands the rarer ones (MB.1 ridotto, MB.2, MB.3, FC.4, FC6, FC7, modulo sostitutivo)
//! to serde as they are, and reads every scalar with the serde `Deserialize` impl of its type,
//! so the result is the [`DsuInput`] serde would build. It gives up (`None`) on anything
//! outside that plain form: escapes in strings, `null`, numbers for amounts, unknown,
//! duplicate or missing fields, invalid values. The caller then parses with serde, which
//! builds the same value or reports the error with its path, exactly as before.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::value::{BorrowedStrDeserializer, Error as ValueError};

use super::input::*;
use crate::values::{CodiceFiscale, Data, Importo, parse_date};

/// Reads `text` as a DSU, or `None` when serde must do it.
pub(crate) fn parse(text: &str) -> Option<DsuInput> {
    let mut p = P {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let dsu = p.dsu()?;
    p.ws();
    (p.i == p.b.len()).then_some(dsu)
}

struct P<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Length of a string body: bytes up to the first `"`, `\\` or control character, eight at a
/// time (the lowest flagged byte of each test is always a true match).
fn body_len(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    let mut off = 0;
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().ok()?);
        let q = x ^ (ONES * u64::from(b'"'));
        let s = x ^ (ONES * u64::from(b'\\'));
        let flags = (q.wrapping_sub(ONES) & !q)
            | (s.wrapping_sub(ONES) & !s)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        let flags = flags & HIGH;
        if flags != 0 {
            return Some(off + (flags.trailing_zeros() / 8) as usize);
        }
        off += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|p| off + p)
}

/// Stores a field value, giving up on a duplicate key or a bad value.
macro_rules! set {
    ($slot:ident, $value:expr) => {{
        if $slot.is_some() {
            return None;
        }
        $slot = Some($value?);
    }};
}

impl<'a> P<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The body of a string without escapes or control characters, as bytes.
    fn bytes(&mut self) -> Option<&'a [u8]> {
        self.ws();
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let len = body_len(self.b.get(start..)?)?;
        let body = self.b.get(start..start + len)?;
        if self.b.get(start + len) != Some(&b'"') {
            return None;
        }
        self.i = start + len + 1;
        Some(body)
    }

    /// A string without escapes or control characters, borrowed from the input.
    fn str(&mut self) -> Option<&'a str> {
        let len = self.bytes()?.len();
        // The body ends just before the closing quote.
        let end = self.i - 1;
        self.s.get(end - len..end)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    /// An amount: plain forms directly, others by the `Deserialize` impl.
    fn importo(&mut self) -> Option<Importo> {
        let s = self.str()?;
        Importo::from_plain(s.as_bytes())
            .or_else(|| Importo::deserialize(BorrowedStrDeserializer::<ValueError>::new(s)).ok())
    }

    /// A codice fiscale (what its `Deserialize` impl does).
    fn cf(&mut self) -> Option<CodiceFiscale> {
        CodiceFiscale::parse_bytes(self.bytes()?)
    }

    /// A date (what its `Deserialize` impl does).
    fn data(&mut self) -> Option<Data> {
        parse_date(self.str()?).map(Data)
    }

    /// A scalar written as a JSON string, read by its own `Deserialize` impl.
    fn leaf<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let s = self.str()?;
        T::deserialize(BorrowedStrDeserializer::<ValueError>::new(s)).ok()
    }

    fn boolean(&mut self) -> Option<bool> {
        self.ws();
        let rest = self.b.get(self.i..)?;
        if rest.starts_with(b"true") {
            self.i += 4;
            Some(true)
        } else if rest.starts_with(b"false") {
            self.i += 5;
            Some(false)
        } else {
            None
        }
    }

    /// A non-negative JSON integer that fits in a u32 (no sign, fraction or exponent).
    fn u32(&mut self) -> Option<u32> {
        self.ws();
        let start = self.i;
        let mut v: u32 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            v = v.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        // serde_json refuses leading zeros; '.', 'e' or 'E' after the digits make the
        // object or array reader give up.
        if len == 0 || (len > 1 && self.b.get(start) == Some(&b'0')) {
            return None;
        }
        Some(v)
    }

    /// Any JSON value handed to serde as it is (serde checks it).
    fn raw<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.ws();
        let start = self.i;
        self.skip()?;
        serde_json::from_str(self.s.get(start..self.i)?).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return Some(()),
                _ => {}
            }
        }
    }

    /// Moves past one value (not checked: serde checks what `raw` hands it).
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => self.skip_string()?,
                        b'{' | b'[' => {
                            depth += 1;
                            self.i += 1;
                        }
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            self.i += 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        _ => self.i += 1,
                    }
                }
            }
            _ => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r') {
                        break;
                    }
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// Reads an object, calling `field` with each key to read its value.
    fn obj(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.ws();
        if self.peek()? != b'{' {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.bytes()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            field(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Reads an array, each element with `item`.
    fn arr<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.ws();
        if self.peek()? != b'[' {
            return None;
        }
        self.i += 1;
        let mut v = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(v);
        }
        loop {
            v.push(item(self)?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(v);
                }
                _ => return None,
            }
        }
    }

    fn dsu(&mut self) -> Option<DsuInput> {
        let (mut protocollo, mut data_presentazione, mut variante, mut prestazione) =
            (None, None, None, None);
        let (mut mb1, mut mb1_ridotto, mut mb2, mut mb3) = (None, None, None, None);
        let (mut fc1, mut fc2, mut fc3, mut fc4, mut modulo_sostitutivo) =
            (None, None, None, None, None);
        self.obj(|p, k| {
            match k {
                b"protocollo" => set!(protocollo, p.string()),
                b"data_presentazione" => set!(data_presentazione, p.data()),
                b"variante" => set!(variante, p.leaf()),
                b"prestazione" => set!(prestazione, p.leaf()),
                b"mb1" => set!(mb1, p.mb1()),
                b"mb1_ridotto" => set!(mb1_ridotto, p.raw()),
                b"mb2" => set!(mb2, p.raw()),
                b"mb3" => set!(mb3, p.raw()),
                b"fc1" => set!(fc1, p.arr(P::fc1)),
                b"fc2" => set!(fc2, p.arr(P::fc2)),
                b"fc3" => set!(fc3, p.arr(P::fc3)),
                b"fc4" => set!(fc4, p.raw()),
                b"modulo_sostitutivo" => set!(modulo_sostitutivo, p.raw()),
                _ => return None,
            }
            Some(())
        })?;
        Some(DsuInput {
            protocollo,
            data_presentazione: data_presentazione?,
            variante: variante.unwrap_or_default(),
            prestazione: prestazione.unwrap_or_default(),
            mb1: mb1?,
            mb1_ridotto: mb1_ridotto.flatten(),
            mb2: mb2.flatten(),
            mb3: mb3.flatten(),
            fc1: fc1?,
            fc2: fc2.unwrap_or_default(),
            fc3: fc3.unwrap_or_default(),
            fc4: fc4.unwrap_or_default(),
            modulo_sostitutivo: modulo_sostitutivo.flatten(),
        })
    }

    fn mb1(&mut self) -> Option<ModuloMb1> {
        let (mut quadro_a, mut quadro_b) = (None, None);
        self.obj(|p, k| {
            match k {
                b"quadro_a" => set!(quadro_a, p.quadro_a()),
                b"quadro_b" => set!(quadro_b, p.quadro_b()),
                _ => return None,
            }
            Some(())
        })?;
        Some(ModuloMb1 {
            quadro_a: quadro_a?,
            quadro_b: quadro_b?,
        })
    }

    fn quadro_a(&mut self) -> Option<QuadroA> {
        let mut componenti = None;
        self.obj(|p, k| {
            match k {
                b"componenti" => set!(componenti, p.arr(P::componente_a)),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroA {
            componenti: componenti?,
        })
    }

    fn componente_a(&mut self) -> Option<ComponenteA> {
        let (mut codice_fiscale, mut cognome, mut nome, mut data_nascita) =
            (None, None, None, None);
        self.obj(|p, k| {
            match k {
                b"codice_fiscale" => set!(codice_fiscale, p.cf()),
                b"cognome" => set!(cognome, p.string()),
                b"nome" => set!(nome, p.string()),
                b"data_nascita" => set!(data_nascita, p.data()),
                _ => return None,
            }
            Some(())
        })?;
        Some(ComponenteA {
            codice_fiscale: codice_fiscale?,
            cognome: cognome?,
            nome: nome?,
            data_nascita: data_nascita?,
        })
    }

    fn quadro_b(&mut self) -> Option<QuadroB> {
        let (mut casa_abitazione, mut locazione, mut coniugi_residenza_diversa) =
            (None, None, None);
        let (mut genitori_lavoratori, mut unico_genitore, mut numero_figli) = (None, None, None);
        self.obj(|p, k| {
            match k {
                b"casa_abitazione" => set!(casa_abitazione, p.leaf()),
                b"locazione" => set!(locazione, p.locazione()),
                b"coniugi_residenza_diversa" => set!(coniugi_residenza_diversa, p.boolean()),
                b"genitori_lavoratori" => set!(genitori_lavoratori, p.boolean()),
                b"unico_genitore" => set!(unico_genitore, p.boolean()),
                b"numero_figli" => set!(numero_figli, p.u32()),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroB {
            casa_abitazione: casa_abitazione?,
            locazione,
            coniugi_residenza_diversa: coniugi_residenza_diversa.unwrap_or_default(),
            genitori_lavoratori: genitori_lavoratori.unwrap_or_default(),
            unico_genitore: unico_genitore.unwrap_or_default(),
            numero_figli,
        })
    }

    fn locazione(&mut self) -> Option<Locazione> {
        let (mut intestatario, mut data_registrazione) = (None, None);
        let (mut estremi_registrazione, mut canone_annuo) = (None, None);
        self.obj(|p, k| {
            match k {
                b"intestatario" => set!(intestatario, p.cf()),
                b"data_registrazione" => set!(data_registrazione, p.data()),
                b"estremi_registrazione" => set!(estremi_registrazione, p.string()),
                b"canone_annuo" => set!(canone_annuo, p.importo()),
                _ => return None,
            }
            Some(())
        })?;
        Some(Locazione {
            intestatario: intestatario?,
            data_registrazione: data_registrazione?,
            estremi_registrazione: estremi_registrazione?,
            canone_annuo: canone_annuo?,
        })
    }

    fn fc1(&mut self) -> Option<ModuloFc1> {
        let (mut codice_fiscale, mut quadro_fc1, mut quadro_fc2) = (None, None, None);
        let (mut quadro_fc3, mut quadro_fc4, mut quadro_fc5, mut quadro_fc6) =
            (None, None, None, None);
        self.obj(|p, k| {
            match k {
                b"codice_fiscale" => set!(codice_fiscale, p.cf()),
                b"quadro_fc1" => set!(quadro_fc1, p.quadro_fc1()),
                b"quadro_fc2" => set!(quadro_fc2, p.quadro_fc2()),
                b"quadro_fc3" => set!(quadro_fc3, p.quadro_fc3()),
                b"quadro_fc4" => set!(quadro_fc4, p.quadro_fc4()),
                b"quadro_fc5" => set!(quadro_fc5, p.quadro_fc5()),
                b"quadro_fc6" => set!(quadro_fc6, p.raw()),
                _ => return None,
            }
            Some(())
        })?;
        Some(ModuloFc1 {
            codice_fiscale: codice_fiscale?,
            quadro_fc1: quadro_fc1?,
            quadro_fc2: quadro_fc2.unwrap_or_default(),
            quadro_fc3: quadro_fc3.unwrap_or_default(),
            quadro_fc4: quadro_fc4.unwrap_or_default(),
            quadro_fc5: quadro_fc5.unwrap_or_default(),
            quadro_fc6: quadro_fc6.unwrap_or_default(),
        })
    }

    fn quadro_fc1(&mut self) -> Option<QuadroFc1> {
        let (mut relazione, mut convivenza_anagrafica, mut attivita_lavorativa) =
            (None, None, None);
        self.obj(|p, k| {
            match k {
                b"relazione" => set!(relazione, p.leaf()),
                b"convivenza_anagrafica" => set!(convivenza_anagrafica, p.boolean()),
                b"attivita_lavorativa" => set!(attivita_lavorativa, p.string()),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroFc1 {
            relazione: relazione?,
            convivenza_anagrafica: convivenza_anagrafica.unwrap_or_default(),
            attivita_lavorativa,
        })
    }

    fn quadro_fc2(&mut self) -> Option<QuadroFc2> {
        let (mut rapporti, mut incrementi_patrimonio) = (None, None);
        self.obj(|p, k| {
            match k {
                b"rapporti" => set!(rapporti, p.arr(P::rapporto)),
                b"incrementi_patrimonio" => set!(incrementi_patrimonio, p.importo()),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroFc2 {
            rapporti: rapporti.unwrap_or_default(),
            incrementi_patrimonio: incrementi_patrimonio.unwrap_or_default(),
        })
    }

    fn rapporto(&mut self) -> Option<Rapporto> {
        let (mut tipo, mut operatore, mut identificativo, mut postale) = (None, None, None, None);
        let (mut quota, mut saldo, mut giacenza_media) = (None, None, None);
        let (mut valore, mut titoli_di_stato) = (None, None);
        self.obj(|p, k| {
            match k {
                b"tipo" => set!(tipo, p.leaf()),
                b"operatore" => set!(operatore, p.string()),
                b"identificativo" => set!(identificativo, p.string()),
                b"postale" => set!(postale, p.boolean()),
                b"quota" => set!(quota, p.leaf()),
                b"saldo" => set!(saldo, p.importo()),
                b"giacenza_media" => set!(giacenza_media, p.importo()),
                b"valore" => set!(valore, p.importo()),
                b"titoli_di_stato" => set!(titoli_di_stato, p.importo()),
                _ => return None,
            }
            Some(())
        })?;
        Some(Rapporto {
            tipo: tipo?,
            operatore,
            identificativo,
            postale: postale.unwrap_or_default(),
            quota: quota.unwrap_or_default(),
            saldo,
            giacenza_media,
            valore,
            titoli_di_stato,
        })
    }

    fn quadro_fc3(&mut self) -> Option<QuadroFc3> {
        let mut immobili = None;
        self.obj(|p, k| {
            match k {
                b"immobili" => set!(immobili, p.arr(P::immobile)),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroFc3 {
            immobili: immobili.unwrap_or_default(),
        })
    }

    fn immobile(&mut self) -> Option<Immobile> {
        let (mut tipo, mut comune_o_stato, mut estero, mut quota) = (None, None, None, None);
        let (mut valore, mut mutuo_residuo, mut casa_abitazione) = (None, None, None);
        self.obj(|p, k| {
            match k {
                b"tipo" => set!(tipo, p.leaf()),
                b"comune_o_stato" => set!(comune_o_stato, p.string()),
                b"estero" => set!(estero, p.boolean()),
                b"quota" => set!(quota, p.leaf()),
                b"valore" => set!(valore, p.importo()),
                b"mutuo_residuo" => set!(mutuo_residuo, p.importo()),
                b"casa_abitazione" => set!(casa_abitazione, p.boolean()),
                _ => return None,
            }
            Some(())
        })?;
        Some(Immobile {
            tipo: tipo?,
            comune_o_stato: comune_o_stato?,
            estero: estero.unwrap_or_default(),
            quota: quota.unwrap_or_default(),
            valore: valore?,
            mutuo_residuo: mutuo_residuo.unwrap_or_default(),
            casa_abitazione: casa_abitazione.unwrap_or_default(),
        })
    }

    fn quadro_fc4(&mut self) -> Option<QuadroFc4> {
        let (mut redditi_imposta_sostitutiva, mut redditi_esenti, mut redditi_esteri) =
            (None, None, None);
        let (mut redditi_fondiari_esenti, mut trattamenti_non_inps) = (None, None);
        self.obj(|p, k| {
            match k {
                b"redditi_imposta_sostitutiva" => set!(redditi_imposta_sostitutiva, p.importo()),
                b"redditi_esenti" => set!(redditi_esenti, p.importo()),
                b"redditi_esteri" => set!(redditi_esteri, p.importo()),
                b"redditi_fondiari_esenti" => set!(redditi_fondiari_esenti, p.importo()),
                b"trattamenti_non_inps" => set!(trattamenti_non_inps, p.importo()),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroFc4 {
            redditi_imposta_sostitutiva: redditi_imposta_sostitutiva.unwrap_or_default(),
            redditi_esenti: redditi_esenti.unwrap_or_default(),
            redditi_esteri: redditi_esteri.unwrap_or_default(),
            redditi_fondiari_esenti: redditi_fondiari_esenti.unwrap_or_default(),
            trattamenti_non_inps: trattamenti_non_inps.unwrap_or_default(),
        })
    }

    fn quadro_fc5(&mut self) -> Option<QuadroFc5> {
        let (mut ricevuti, mut coniuge, mut figli) = (None, None, None);
        self.obj(|p, k| {
            match k {
                b"assegni_figli_ricevuti" => set!(ricevuti, p.importo()),
                b"assegni_coniuge_corrisposti" => set!(coniuge, p.importo()),
                b"assegni_figli_corrisposti" => set!(figli, p.importo()),
                _ => return None,
            }
            Some(())
        })?;
        Some(QuadroFc5 {
            assegni_figli_ricevuti: ricevuti.unwrap_or_default(),
            assegni_coniuge_corrisposti: coniuge.unwrap_or_default(),
            assegni_figli_corrisposti: figli.unwrap_or_default(),
        })
    }

    fn fc2(&mut self) -> Option<ModuloFc2> {
        let (mut codice_fiscale, mut quadro_fc7) = (None, None);
        self.obj(|p, k| {
            match k {
                b"codice_fiscale" => set!(codice_fiscale, p.cf()),
                b"quadro_fc7" => set!(quadro_fc7, p.raw()),
                _ => return None,
            }
            Some(())
        })?;
        Some(ModuloFc2 {
            codice_fiscale: codice_fiscale?,
            quadro_fc7: quadro_fc7?,
        })
    }

    fn fc3(&mut self) -> Option<ModuloFc3> {
        let (mut codice_fiscale, mut quadro_fc8) = (None, None);
        self.obj(|p, k| {
            match k {
                b"codice_fiscale" => set!(codice_fiscale, p.cf()),
                b"quadro_fc8" => set!(quadro_fc8, p.quadro_fc8()),
                _ => return None,
            }
            Some(())
        })?;
        Some(ModuloFc3 {
            codice_fiscale: codice_fiscale?,
            quadro_fc8: quadro_fc8?,
        })
    }

    fn quadro_fc8(&mut self) -> Option<QuadroFc8> {
        let mut f: [Option<Importo>; 9] = [None; 9];
        self.obj(|p, k| {
            let i = match k {
                b"reddito_complessivo" => 0,
                b"di_cui_lavoro_dipendente" => 1,
                b"di_cui_pensione" => 2,
                b"di_cui_redditi_agrari" => 3,
                b"proventi_agrari" => 4,
                b"trattamenti_inps" => 5,
                b"assegno_unico" => 6,
                b"trattamenti_disabilita" => 7,
                b"spese_sanitarie_disabili" => 8,
                _ => return None,
            };
            let slot = f.get_mut(i)?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(p.importo()?);
            Some(())
        })?;
        let [a, b, c, d, e, g, h, i, j] = f.map(Option::unwrap_or_default);
        Some(QuadroFc8 {
            reddito_complessivo: a,
            di_cui_lavoro_dipendente: b,
            di_cui_pensione: c,
            di_cui_redditi_agrari: d,
            proventi_agrari: e,
            trattamenti_inps: g,
            assegno_unico: h,
            trattamenti_disabilita: i,
            spese_sanitarie_disabili: j,
        })
    }
}
