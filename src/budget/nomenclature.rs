//! The budget nomenclature of each country: the chapters and articles a commune's
//! budget is written on, in two sections (operating, capital) and two directions
//! (revenue, spending), each article mapped to its GFSM 2014 economic code and, for
//! spending, its COFOG function. The nomenclature is national, set by law, so it is
//! built into the binary from `seed-data/nomenclature/` (simplified, as its README
//! says) and read once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::communes::Country;

crate::text_enum!(
    /// The two sections of a commune budget; each must balance on its own.
    pub Section {
        Operating = "fonctionnement",
        Capital = "investissement",
    }
);

crate::text_enum!(
    /// Money coming in, or going out.
    pub Direction {
        Revenue = "recette",
        Spending = "depense",
    }
);

/// A chapter (two-digit code) or an article (four digits) of the nomenclature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub code: String,
    pub section: Section,
    pub direction: Direction,
    pub name_fr: String,
    pub name_en: String,
    /// GFSM 2014 economic classification (articles only).
    pub gfsm: Option<String>,
    /// COFOG function (spending articles only).
    pub cofog: Option<String>,
    /// The article of the transfer from operating to capital (one on each side).
    pub transfer: bool,
    /// The participatory-budgeting topics whose projects go on this capital article.
    pub topics: Vec<String>,
}

impl Line {
    pub fn is_chapter(&self) -> bool {
        self.code.len() == 2
    }

    pub fn name(&self, locale: &str) -> &str {
        if locale == "en" {
            &self.name_en
        } else {
            &self.name_fr
        }
    }
}

/// A country's nomenclature: its chapters and articles, in the file's order.
#[derive(Debug, Clone)]
pub struct Nomenclature {
    pub lines: Vec<Line>,
}

impl Nomenclature {
    /// Reads and checks a nomenclature file (see `seed-data/nomenclature/README.md`).
    pub fn parse(text: &str) -> Result<Nomenclature, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut lines: Vec<Line> = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("row {}: {e}", i + 2))?;
            let at = |k: usize| row.get(k).unwrap_or("").trim().to_string();
            let optional = |k: usize| Some(at(k)).filter(|s| !s.is_empty());
            let code = at(0);
            let row_name = format!("row {} ({code})", i + 2);
            let bad = |what: &str| format!("{row_name}: {what}");
            if !(code.len() == 2 || code.len() == 4) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("a code has two digits (chapter) or four (article)"));
            }
            let section = Section::parse(&at(1)).ok_or_else(|| bad("unknown section"))?;
            let direction = Direction::parse(&at(2)).ok_or_else(|| bad("unknown direction"))?;
            let tags: Vec<String> = at(7).split_whitespace().map(String::from).collect();
            let line = Line {
                section,
                direction,
                name_fr: at(3),
                name_en: at(4),
                gfsm: optional(5),
                cofog: optional(6),
                transfer: tags.iter().any(|t| t == "transfer"),
                topics: tags.into_iter().filter(|t| t != "transfer").collect(),
                code,
            };
            if line.name_fr.is_empty() || line.name_en.is_empty() {
                return Err(bad("a line has a French and an English name"));
            }
            if !line.is_chapter() {
                let chapter = lines
                    .iter()
                    .rev()
                    .find(|c| {
                        c.is_chapter() && c.direction == direction && line.code.starts_with(&c.code)
                    })
                    .ok_or_else(|| bad("an article follows its chapter"))?;
                if chapter.section != section {
                    return Err(bad("an article is in its chapter's section"));
                }
                if line.gfsm.is_none() && !line.transfer {
                    return Err(bad("an article has its GFSM code"));
                }
                if direction == Direction::Spending && line.cofog.is_none() && !line.transfer {
                    return Err(bad("a spending article has its COFOG function"));
                }
            }
            if lines
                .iter()
                .any(|l| l.code == line.code && l.direction == direction)
            {
                return Err(bad("a code appears once per direction"));
            }
            lines.push(line);
        }
        let transfers = lines.iter().filter(|l| l.transfer).count();
        let out = lines.iter().any(|l| {
            l.transfer && (l.section, l.direction) == (Section::Operating, Direction::Spending)
        });
        if transfers != 2 || !out {
            return Err(
                "the transfer is one operating spending article and one capital revenue article"
                    .into(),
            );
        }
        Ok(Nomenclature { lines })
    }

    /// The articles (not the chapters).
    pub fn articles(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| !l.is_chapter())
    }

    /// The article with this code.
    pub fn article(&self, code: &str) -> Option<&Line> {
        self.articles().find(|l| l.code == code)
    }

    /// The chapter an article belongs to.
    pub fn chapter_of(&self, article: &Line) -> Option<&Line> {
        self.lines.iter().find(|c| {
            c.is_chapter() && c.direction == article.direction && article.code.starts_with(&c.code)
        })
    }

    /// The capital article a participatory project of `topic` goes on (`other` when no
    /// article names the topic).
    pub fn for_topic(&self, topic: &str) -> Option<&Line> {
        let on = |t: &str| {
            self.articles()
                .find(|l| l.section == Section::Capital && l.topics.iter().any(|x| x == t))
        };
        on(topic).or_else(|| on("other"))
    }

    /// The two transfer articles: (operating spending, capital revenue).
    pub fn transfer(&self) -> (&Line, &Line) {
        let find = |section| {
            self.articles()
                .find(|l| l.transfer && l.section == section)
                .expect("checked when parsed")
        };
        (find(Section::Operating), find(Section::Capital))
    }

    /// Articles by code, for lookups.
    pub fn by_code(&self) -> BTreeMap<&str, &Line> {
        self.articles().map(|l| (l.code.as_str(), l)).collect()
    }
}

/// The nomenclature of a country, read once from the files built into the binary.
pub fn of(country: Country) -> &'static Nomenclature {
    static SN: OnceLock<Nomenclature> = OnceLock::new();
    static BJ: OnceLock<Nomenclature> = OnceLock::new();
    let (cell, text) = match country {
        Country::Senegal => (&SN, include_str!("../../seed-data/nomenclature/SN.csv")),
        Country::Benin => (&BJ, include_str!("../../seed-data/nomenclature/BJ.csv")),
    };
    cell.get_or_init(|| {
        Nomenclature::parse(text).unwrap_or_else(|e| panic!("the built-in nomenclature: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_built_in_nomenclatures_read_and_map_every_topic_to_a_capital_article() {
        for country in [Country::Senegal, Country::Benin] {
            let n = of(country);
            assert!(n.articles().count() > 30, "{country}");
            for topic in crate::participation::proposals::Category::ALL
                .iter()
                .map(|c| c.as_str())
            {
                let line = n.for_topic(topic).expect("a line for every topic");
                assert_eq!(
                    (line.section, line.direction),
                    (Section::Capital, Direction::Spending)
                );
            }
            let (out, into) = n.transfer();
            assert_eq!(out.direction, Direction::Spending);
            assert_eq!(into.direction, Direction::Revenue);
            assert_eq!(into.section, Section::Capital);
            let a = n.article("2131").unwrap();
            assert_eq!(n.chapter_of(a).unwrap().code, "21");
        }
    }

    #[test]
    fn the_demo_tax_types_budget_lines_are_revenue_articles_of_their_country() {
        for (country, codes) in [
            (
                Country::Senegal,
                ["7011", "7012", "7013", "7021", "7031", "7032", "7041"].as_slice(),
            ),
            (
                Country::Benin,
                ["7111", "7112", "7121", "7131", "7141", "7142"].as_slice(),
            ),
        ] {
            for code in codes {
                let line = of(country)
                    .article(code)
                    .unwrap_or_else(|| panic!("{code}"));
                assert_eq!(
                    (line.section, line.direction),
                    (Section::Operating, Direction::Revenue)
                );
            }
        }
    }

    #[test]
    fn a_file_with_a_mistake_is_refused_with_its_row() {
        let head = "code,section,direction,name_fr,name_en,gfsm,cofog,tag\n";
        let orphan = format!("{head}7011,fonctionnement,recette,Foncier,Property,1131,,\n");
        assert!(Nomenclature::parse(&orphan)
            .unwrap_err()
            .contains("row 2 (7011)"));
        let no_cofog = format!(
            "{head}60,fonctionnement,depense,Personnel,Staff,,,\n6011,fonctionnement,depense,Salaires,Salaries,211,,\n"
        );
        assert!(Nomenclature::parse(&no_cofog)
            .unwrap_err()
            .contains("COFOG"));
        let bad_code = format!("{head}7,fonctionnement,recette,X,X,,,\n");
        assert!(Nomenclature::parse(&bad_code)
            .unwrap_err()
            .contains("two digits"));
    }
}
