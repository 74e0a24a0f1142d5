//! Decoding throughput for `sportello cf decode`.
//! Run: `cd crates/territory && cargo bench --bench cf`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use territory::{CodiceFiscale, Sex, cli, comuni, foreign_states};
use time::{Date, Duration, macros::date};

const TODAY: Date = date!(2026 - 11 - 26);
const SURNAMES: [&str; 8] = [
    "Rossi", "Bianchi", "De Luca", "Esposito", "Fo", "D'Angelo", "Müller", "Ngom",
];
const NAMES: [&str; 8] = [
    "Mario",
    "Giovanna",
    "Francesco",
    "Ugo",
    "Anna",
    "Lucia",
    "Mohamed",
    "Li",
];

/// Deterministic pseudo-random numbers (64-bit LCG), to keep the mix stable.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// A realistic day at the counter: mostly ordinary codes born in Italy
/// (current and historical comuni), some omocodes, births abroad, codes
/// without personal data, and typos.
fn mix(n: usize) -> Vec<String> {
    let mut rng = Lcg(42);
    let comuni = comuni();
    let states = foreign_states();
    (0..n)
        .map(|_| {
            let birth = TODAY - Duration::days(rng.below(90 * 365) as i64);
            let sex = if rng.below(2) == 0 { Sex::M } else { Sex::F };
            let (surname, name) = (SURNAMES[rng.below(8)], NAMES[rng.below(8)]);
            let roll = rng.below(100);
            let place = if roll < 85 {
                // A comune that existed on the birth date, as on real codes.
                let mut c = comuni[rng.below(comuni.len())];
                while !(c.valid_from <= birth && c.valid_to.is_none_or(|t| birth <= t)) {
                    c = comuni[rng.below(comuni.len())];
                }
                c.belfiore
            } else {
                states[rng.below(states.len())].code
            };
            let cf = CodiceFiscale::encode(surname, name, sex, birth, place).expect("encodes");
            match roll {
                0..=69 => cf.to_string(),
                70..=79 => cf.omocodes()[rng.below(127)].to_string(),
                80..=84 => {
                    ["12345678903", "STP0301234567890", "ENI0301234567890"][rng.below(3)].to_owned()
                }
                85..=94 => cf.to_string().to_lowercase(),
                // Typos: a wrong check character or a missing character.
                _ if rng.below(2) == 0 => format!("{}A", &cf.as_str()[..15]),
                _ => cf.as_str()[1..].to_owned(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let codes = mix(10_000);
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("cf_decode");
    group.throughput(Throughput::Elements(refs.len() as u64));
    group.bench_function("parse_check_date_birthplace", |b| {
        b.iter(|| {
            for s in &refs {
                let r = CodiceFiscale::parse(black_box(s))
                    .and_then(|cf| cf.decode_with_reference(TODAY));
                black_box(r.is_ok());
            }
        })
    });
    let mut buf = Vec::with_capacity(1 << 20);
    group.bench_function("with_json", |b| {
        b.iter(|| {
            buf.clear();
            cli::decode_lines(refs.iter().copied(), TODAY, &mut buf).expect("in-memory write");
            black_box(buf.len());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
