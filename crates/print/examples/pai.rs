//! Writes a sample individual plan: `cargo run -p print --example pai -- out.pdf`.

use print::{Document, Heading};

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "pai.pdf".to_owned());
    let mut doc = Document::new(Heading::new(
        "Comune di Bergamo",
        "Servizi sociali",
        "Progetto individualizzato (PAI)",
    ));
    doc.fields(&[
        ("Beneficiario", "Mario Rossi"),
        ("Codice fiscale", "RSSMRA80A01A794X"),
        ("Indirizzo", "Via XX Settembre 12\n24122 Bergamo"),
        ("Assistente sociale", "dott.ssa Giulia Verdi"),
    ]);
    doc.section("Situazione");
    doc.paragraph(
        "Il signor Rossi vive da solo dopo la morte della moglie; la figlia abita a Milano e \
         lo visita nei fine settimana. Dopo la caduta di marzo ha bisogno di aiuto per l’igiene \
         personale e per la spesa. Non è più in grado di guidare.\n\n\
         Riceve l’indennità di accompagnamento (€ 542,02 al mese). ISEE socio-sanitario: \
         € 9.874,33 — attestazione valida fino al 31/12.",
    );
    doc.section("Obiettivi");
    doc.paragraph(
        "1. Mantenere l’autonomia a domicilio il più a lungo possibile.\n\
         2. Ridurre l’isolamento: frequenza al centro diurno «Il Girasole».\n\
         3. Sostenere la figlia nel ruolo di cura.",
    );
    doc.section("Interventi");
    let mut rows = Vec::new();
    for k in 0..14 {
        rows.push(vec![
            format!("Assistenza domiciliare (SAD), intervento n. {}", k + 1),
            "2 ore, lunedì e giovedì".to_owned(),
            "Cooperativa sociale Città Aperta".to_owned(),
            "€ 3,50 / ora".to_owned(),
        ]);
    }
    doc.table(
        &["Intervento", "Frequenza", "Erogatore", "Compartecipazione"],
        &[4, 3, 3, 2],
        &rows,
    );
    doc.section("Impegni della persona e della famiglia");
    doc.paragraph(
        "La persona si impegna a comunicare ogni variazione della sua situazione. "
            .repeat(6)
            .trim(),
    );
    doc.section("Verifica");
    doc.paragraph("Il progetto sarà verificato entro sei mesi, o prima se la situazione cambia.");
    doc.signatures(&["Il beneficiario", "L’assistente sociale"]);
    std::fs::write(path, doc.render())
}
