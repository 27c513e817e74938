//! A budget document as open data: one CSV row per line and phase, each with its
//! section, direction, chapter, article, GFSM and COFOG codes, in whole francs. The
//! columns are those the Fiscal Data Package's model maps (see the README of
//! `seed-data/nomenclature/`). The same bytes are published, hashed and exported.

use super::nomenclature::Nomenclature;
use crate::tabular::write::CsvWriter;

pub const HEADER: [&str; 16] = [
    "fiscal_year",
    "document",
    "kind",
    "section",
    "direction",
    "chapter",
    "article",
    "article_name",
    "label",
    "gfsm",
    "cofog",
    "phase",
    "amount",
    "currency",
    "round",
    "project",
];

/// A line of a document, as the file writes it.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub article: &'a str,
    pub label: &'a str,
    pub amount: i64,
    pub round: Option<i64>,
    pub project: Option<i64>,
}

/// What a document says about its figures: what the council voted, or (for the
/// compte administratif) what was executed.
pub fn phase_of(kind: &str) -> &'static str {
    if kind == "compte_administratif" {
        "executed"
    } else {
        "approved"
    }
}

/// The CSV of a document's rows, in the order given.
pub fn csv(
    n: &Nomenclature,
    year: i64,
    document: i64,
    kind: &str,
    rows: &[Row<'_>],
) -> csv::Result<String> {
    let mut out = Vec::new();
    let mut w = CsvWriter::new(&mut out, &HEADER)?;
    let number = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        let article = n.article(r.article);
        let chapter = article.and_then(|a| n.chapter_of(a));
        w.row([
            year.to_string(),
            document.to_string(),
            kind.to_string(),
            article
                .map(|a| a.section.as_str())
                .unwrap_or("")
                .to_string(),
            article
                .map(|a| a.direction.as_str())
                .unwrap_or("")
                .to_string(),
            chapter.map(|c| c.code.clone()).unwrap_or_default(),
            r.article.to_string(),
            article.map(|a| a.name_fr.clone()).unwrap_or_default(),
            r.label.to_string(),
            article.and_then(|a| a.gfsm.clone()).unwrap_or_default(),
            article.and_then(|a| a.cofog.clone()).unwrap_or_default(),
            phase_of(kind).to_string(),
            r.amount.to_string(),
            "XOF".to_string(),
            number(r.round),
            number(r.project),
        ])?;
    }
    w.finish()?;
    Ok(String::from_utf8(out).expect("the writer writes UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    #[test]
    fn each_row_carries_its_classifications_and_the_file_is_stable() {
        let n = nomenclature::of(Country::Senegal);
        let rows = [
            Row {
                article: "7011",
                label: "",
                amount: 84_250_000,
                round: None,
                project: None,
            },
            Row {
                article: "2131",
                label: "Un forage à Kermel",
                amount: 4_000_000,
                round: Some(3),
                project: Some(7),
            },
        ];
        let text = csv(n, 2027, 12, "primitif", &rows).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), HEADER.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "2027,12,primitif,fonctionnement,recette,70,7011,Contribution foncière des propriétés bâties,,1131,,approved,84250000,XOF,,"
        );
        assert_eq!(
            lines.next().unwrap(),
            "2027,12,primitif,investissement,depense,21,2131,Hydraulique et bornes-fontaines,Un forage à Kermel,31,06.3,approved,4000000,XOF,3,7"
        );
        assert_eq!(
            text,
            csv(n, 2027, 12, "primitif", &rows).unwrap(),
            "the same bytes"
        );
    }
}
