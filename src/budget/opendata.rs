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

/// The published CSV as JSON: one object per row, every value as the CSV holds it but
/// the amounts and years, which are numbers.
pub fn json_rows(csv_text: &str) -> csv::Result<serde_json::Value> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let mut row = serde_json::Map::new();
        for (name, value) in header.iter().zip(record.iter()) {
            let numeric = matches!(
                name.as_str(),
                "fiscal_year" | "document" | "amount" | "round" | "project"
            );
            let v = match value.parse::<i64>() {
                Ok(n) if numeric => serde_json::json!(n),
                _ if value.is_empty() => serde_json::Value::Null,
                _ => serde_json::json!(value),
            };
            row.insert(name.clone(), v);
        }
        rows.push(serde_json::Value::Object(row));
    }
    Ok(serde_json::Value::Array(rows))
}

/// The Fiscal Data Package descriptor of a published budget CSV: its schema, each
/// column's OpenSpending type (`columnType`), and the model that maps the columns to
/// the measure and the dimensions; the currency is the constant XOF.
pub fn datapackage(
    name: &str,
    title: &str,
    csv_file: &str,
    sha256: &str,
    bytes: usize,
) -> serde_json::Value {
    use serde_json::json;
    let field = |name: &str, kind: &str, column: Option<&str>| {
        let mut f = json!({ "name": name, "type": kind });
        if let Some(c) = column {
            f["columnType"] = json!(c);
        }
        f
    };
    json!({
        // The base profile, which validators know without the network; the Fiscal Data
        // Package's own is a URL they would fetch. The FDP parts are the fields'
        // `columnType`s and the `model`.
        "profile": "data-package",
        "name": name,
        "title": title,
        "resources": [{
            "name": "budget-lines",
            "path": csv_file,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": bytes,
            "hash": format!("sha256:{sha256}"),
            "schema": {
                "fields": [
                    field("fiscal_year", "integer", Some("date:fiscal-year")),
                    field("document", "integer", None),
                    field("kind", "string", None),
                    field("section", "string", Some("economic-classification:generic:level1:label")),
                    field("direction", "string", Some("direction")),
                    field("chapter", "string", Some("administrative-classification:generic:level1:code")),
                    field("article", "string", Some("administrative-classification:generic:level2:code")),
                    field("article_name", "string", Some("administrative-classification:generic:level2:label")),
                    field("label", "string", None),
                    field("gfsm", "string", Some("economic-classification:gfsm:code")),
                    field("cofog", "string", Some("functional-classification:cofog:code")),
                    field("phase", "string", Some("phase")),
                    field("amount", "integer", Some("value")),
                    field("currency", "string", None),
                    field("round", "integer", None),
                    field("project", "integer", None),
                ]
            }
        }],
        "model": {
            "measures": {
                "amount": { "source": "amount", "currency": "XOF" }
            },
            "dimensions": {
                "fiscal_year": { "dimensionType": "datetime", "primaryKey": ["fiscal_year"],
                                 "attributes": { "fiscal_year": { "source": "fiscal_year" } } },
                "direction": { "dimensionType": "fact", "primaryKey": ["direction"],
                               "attributes": { "direction": { "source": "direction" } } },
                "phase": { "dimensionType": "fact", "primaryKey": ["phase"],
                           "attributes": { "phase": { "source": "phase" } } },
                "economic": { "dimensionType": "classification", "classificationType": "economic",
                              "primaryKey": ["gfsm"], "attributes": { "gfsm": { "source": "gfsm" } } },
                "functional": { "dimensionType": "classification", "classificationType": "functional",
                                "primaryKey": ["cofog"], "attributes": { "cofog": { "source": "cofog" } } },
                "line": { "dimensionType": "classification", "classificationType": "administrative",
                          "primaryKey": ["article"],
                          "attributes": { "chapter": { "source": "chapter" }, "article": { "source": "article" },
                                          "article_name": { "source": "article_name" } } }
            }
        }
    })
}

#[cfg(test)]
mod package_tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    #[test]
    fn the_json_holds_the_csv_rows_and_the_package_names_the_csv_and_its_hash() {
        let n = nomenclature::of(Country::Benin);
        let rows = [Row {
            article: "7111",
            label: "",
            amount: 5_000,
            round: None,
            project: None,
        }];
        let text = csv(n, 2026, 3, "primitif", &rows).unwrap();
        let json = json_rows(&text).unwrap();
        assert_eq!(json[0]["amount"], 5_000);
        assert_eq!(json[0]["gfsm"], "1131");
        assert_eq!(json[0]["cofog"], serde_json::Value::Null);
        let p = datapackage(
            "abomey-calavi-budget-2026",
            "Budget 2026",
            "b.csv",
            "ab12",
            text.len(),
        );
        assert_eq!(p["resources"][0]["hash"], "sha256:ab12");
        let fields = p["resources"][0]["schema"]["fields"].as_array().unwrap();
        assert_eq!(fields.len(), HEADER.len());
        for (f, h) in fields.iter().zip(HEADER) {
            assert_eq!(f["name"], h, "the schema follows the CSV's columns");
        }
        assert_eq!(p["model"]["measures"]["amount"]["currency"], "XOF");
    }
}
