//! Finding taxpayers from what a collector or a finance officer types, fast on a register
//! of a million: the counter and the register's page both ask [`find`].
//!
//! What a query finds (read once by [`Query::parse`]):
//! - a **reference**, whole or without the commune's prefix (what precedes its first
//!   `-`), in any case: `DKP-T0003`, `dkp-t0003` and `T0003` find the same taxpayer;
//! - a **phone**, in any usual spelling (`+221 76 210 55 81`, `00221…`, `76 210 55 81`),
//!   or its last digits (six or more);
//! - an **identifier** (NINEA, IFU), in any spelling its parser accepts;
//! - otherwise a **name**: each word typed starts a word of the name, in any order,
//!   accents and case forgiven (`moussa dia` finds Moussa Diallo); a word of two letters
//!   is a whole word (`Ba`, `Sy`), a single letter is left out.
//!
//! A reference, phone or identifier that matches is the answer; the name search runs
//! only when none does.
//!
//! The indexes (migration `2026-11-30-000013_search`):
//! - **SQLite**: an FTS5 index of each taxpayer's name words and of three short keys a
//!   typed word cannot hold (`_c` the commune, `_p` the phone's last three digits, `_i`
//!   the identifier's last three characters); a phone or identifier search reads the few
//!   taxpayers of its key and compares the whole value. Triggers keep the index; an
//!   import fills it at its end ([`index_import`]). References go through their unique
//!   index, tried as typed, in capitals, and behind each prefix of the commune's
//!   references ([`prefixes`]).
//! - **PostgreSQL**: a full-text (GIN) index of the starts of the name's words, read in
//!   a way that does not trust the planner's guesses ([`pg_name_hits`]; migration
//!   `2026-12-01-000020_search_word_starts`), and B-tree indexes of the
//!   reference after its first `-` in capitals, of the phone written backwards (its last
//!   digits are a prefix) and of the identifier.
//!
//! Names are listed in the order they were entered (the index's order, so a page is read
//! without sorting the matches), one page after another by id.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use super::{register_columns, Filter, RegisterRow};
use crate::communes::Country;
use crate::db::schema::{districts, taxpayers};
use crate::db::DbConn;
use crate::fields;
use crate::ids::{CommuneId, DistrictId, ImportId, TaxpayerId};
use crate::text::search_key;

/// At most this many words of a name are searched.
const MAX_WORDS: usize = 6;
/// The fewest digits that search phones (fewer are too many phones).
const MIN_PHONE_DIGITS: usize = 6;
/// The longest text tried as a reference (the import's limit).
const MAX_REFERENCE: usize = 40;
/// How far [`prefixes`] reads the reference index.
const PREFIX_PROBES: usize = 16;
/// PostgreSQL: how many taxpayers a name search reads in id order before it asks the
/// index ([`pg_name_hits`]).
const PG_WALK: i64 = 2000;
/// PostgreSQL: the longest start of a word the search index keeps (migration 000020).
const PG_INDEXED_PREFIX: usize = 8;

/// A word of a name search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// Starts a word of the name.
    Start(String),
    /// Is a word of the name (two letters: as a start it would match too many).
    Whole(String),
}

/// What was typed in a search box, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    text: String,
    /// The digits a phone ends with: the whole number in international form, without
    /// `+`, when the text is one; else the digits typed.
    phone: Option<String>,
    /// The identifier as the register stores it.
    id_number: Option<String>,
    words: Vec<Word>,
}

impl Query {
    /// Reads `typed`, phones and identifiers by the rules of `country`.
    pub fn parse(typed: &str, country: Country) -> Query {
        let text = crate::text::trim(typed);
        if text.is_empty() {
            return Query::default();
        }
        Query {
            text: text.to_string(),
            phone: phone_tail(text, country),
            id_number: fields::national_id(text, country).ok(),
            words: words(text),
        }
    }

    /// The text typed, trimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn words(&self) -> &[Word] {
        &self.words
    }

    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// The text as a reference: one word, no longer than a reference can be.
    pub fn reference(&self) -> Option<&str> {
        let one_word = !self.text.contains(char::is_whitespace);
        (one_word && self.text.len() <= MAX_REFERENCE).then_some(self.text.as_str())
    }
}

/// The digits a phone typed ends with (see [`Query::phone`]), when the text is written
/// like a phone: digits and the signs people put between them, six digits or more.
fn phone_tail(text: &str, country: Country) -> Option<String> {
    let phone_like = text.chars().all(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '+' | ' ' | '.' | '-' | '/' | '(' | ')' | '\u{A0}' | '\u{202F}'
            )
    });
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if !phone_like || digits.len() < MIN_PHONE_DIGITS {
        return None;
    }
    match fields::phone(text, country) {
        Ok(full) => Some(full.trim_start_matches('+').to_string()),
        Err(_) => Some(digits),
    }
}

/// The words of a name search: the text's search key cut where FTS5's `ascii` tokenizer
/// cuts (ASCII signs and spaces; other characters belong to words).
fn words(text: &str) -> Vec<Word> {
    search_key(text)
        .split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .take(MAX_WORDS)
        .map(|w| match w.chars().count() {
            2 => Word::Whole(w.to_string()),
            _ => Word::Start(w.to_string()),
        })
        .collect()
}

/// `stored` is the reference typed: the whole of it, or what follows its first `-`,
/// ASCII case ignored.
pub fn same_reference(stored: &str, typed: &str) -> bool {
    stored.eq_ignore_ascii_case(typed) || suffix(stored).eq_ignore_ascii_case(typed)
}

/// What follows the first `-` of a reference (all of it when it has none).
fn suffix(reference: &str) -> &str {
    reference.split_once('-').map_or(reference, |(_, s)| s)
}

/// What a search found: the taxpayers of a page, and where the next page starts.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub rows: Vec<RegisterRow>,
    /// The last taxpayer of this page, when there is more.
    pub next: Option<TaxpayerId>,
}

/// The taxpayers of `commune` that `query` finds, within `filter`'s district and merged
/// records: those of its reference, phone or identifier (all of them, in reference
/// order), else a page of `limit` whose names match, after the taxpayer `after`.
pub fn find(
    conn: &mut DbConn,
    commune: CommuneId,
    query: &Query,
    filter: &Filter,
    after: Option<TaxpayerId>,
    limit: i64,
) -> QueryResult<Found> {
    if query.is_empty() {
        return Ok(Found::default());
    }
    if after.is_none() {
        let rows = by_key(conn, commune, query, filter, limit)?;
        if !rows.is_empty() {
            return Ok(Found { rows, next: None });
        }
    }
    if query.words.is_empty() {
        return Ok(Found::default());
    }
    let mut ids = match conn {
        DbConn::Sqlite(c) => {
            let (matching, checks) = fts_words(&query.words);
            fts_hits(c, commune, &matching, &checks, filter, after, limit + 1)?
        }
        DbConn::Pg(c) => pg_name_hits(c, commune, &query.words, filter, after, limit + 1)?,
    };
    let more = ids.len() as i64 > limit;
    ids.truncate(limit.max(0) as usize);
    let mut rows = load(conn, commune, &ids, filter)?;
    rows.sort_by_key(|r| r.id);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Found { rows, next })
}

/// The taxpayers of the reference, phone or identifier typed, in reference order; a
/// merged record gives the one it joined, unless the filter shows merged records.
fn by_key(
    conn: &mut DbConn,
    commune: CommuneId,
    query: &Query,
    filter: &Filter,
    limit: i64,
) -> QueryResult<Vec<RegisterRow>> {
    let mut hits: Vec<(TaxpayerId, Option<TaxpayerId>)> = Vec::new();
    if let Some(typed) = query.reference() {
        hits.extend(reference_hits(conn, commune, typed)?);
    }
    let every = Filter {
        include_merged: true,
        district: None,
        ..Filter::default()
    };
    if let Some(tail) = query.phone.as_deref() {
        let ids = match conn {
            DbConn::Sqlite(c) => {
                let key = format!("\"_p{}\"", last_chars(tail, 3));
                let like = [("t.phone LIKE", format!("%{tail}"))];
                fts_hits(c, commune, &key, &like, &every, None, limit)?
            }
            DbConn::Pg(c) => taxpayers::table
                .filter(taxpayers::commune_id.eq(commune))
                .filter(taxpayers::phone.is_not_null())
                .filter(
                    diesel::dsl::sql::<Bool>("reverse(phone) LIKE ")
                        .bind::<Text, _>(format!("{}%", tail.chars().rev().collect::<String>())),
                )
                .select(taxpayers::id)
                .limit(limit)
                .load(c)?,
        };
        hits.extend(merged_into(conn, &ids)?);
    }
    if let Some(id_number) = query.id_number.as_deref() {
        let key = last_chars(id_number, 3).to_ascii_lowercase();
        let ids = match conn {
            DbConn::Sqlite(c) if key.chars().all(|c| c.is_ascii_alphanumeric()) => {
                let matching = format!("\"_i{key}\"");
                let equal = [("t.id_number =", id_number.to_string())];
                fts_hits(c, commune, &matching, &equal, &every, None, limit)?
            }
            DbConn::Sqlite(_) => Vec::new(),
            DbConn::Pg(c) => taxpayers::table
                .filter(taxpayers::commune_id.eq(commune))
                .filter(taxpayers::id_number.eq(id_number))
                .select(taxpayers::id)
                .limit(limit)
                .load(c)?,
        };
        hits.extend(merged_into(conn, &ids)?);
    }
    let mut ids: Vec<TaxpayerId> = hits
        .into_iter()
        .map(|(id, kept)| match kept {
            Some(kept) if !filter.include_merged => kept,
            _ => id,
        })
        .collect();
    ids.sort();
    ids.dedup();
    let mut rows = load(conn, commune, &ids, filter)?;
    rows.sort_by(|a, b| a.reference.cmp(&b.reference));
    rows.truncate(limit.max(0) as usize);
    Ok(rows)
}

/// The taxpayers whose reference is the one typed ([`same_reference`]), with the record
/// each was merged into.
fn reference_hits(
    conn: &mut DbConn,
    commune: CommuneId,
    typed: &str,
) -> QueryResult<Vec<(TaxpayerId, Option<TaxpayerId>)>> {
    let found: Vec<(TaxpayerId, String, Option<TaxpayerId>)> = match conn {
        DbConn::Sqlite(c) => {
            let upper = typed.to_ascii_uppercase();
            let mut tried = vec![typed.to_string(), upper.clone(), typed.to_ascii_lowercase()];
            for prefix in prefixes(c, commune)? {
                tried.push(format!("{prefix}{upper}"));
                tried.push(format!("{prefix}{typed}"));
            }
            taxpayers::table
                .filter(taxpayers::commune_id.eq(commune))
                .filter(taxpayers::reference.eq_any(tried))
                .select((taxpayers::id, taxpayers::reference, taxpayers::merged_into))
                .load(c)?
        }
        DbConn::Pg(c) => taxpayers::table
            .filter(taxpayers::commune_id.eq(commune))
            .filter(
                diesel::dsl::sql::<Bool>("upper(substr(ref, strpos(ref, '-') + 1)) IN (upper(")
                    .bind::<Text, _>(typed.to_string())
                    .sql("), upper(")
                    .bind::<Text, _>(suffix(typed).to_string())
                    .sql("))"),
            )
            .select((taxpayers::id, taxpayers::reference, taxpayers::merged_into))
            .load(c)?,
    };
    Ok(found
        .into_iter()
        .filter(|(_, reference, _)| same_reference(reference, typed))
        .map(|(id, _, kept)| (id, kept))
        .collect())
}

/// The prefixes of the commune's references (`DKP-`: what precedes and includes the
/// first `-`), read from the reference index a few entries at a time: the first
/// reference, then the first past every reference of its prefix, and so on. SQLite
/// compares text byte by byte, which makes "past the prefix" one range.
fn prefixes(conn: &mut SqliteConnection, commune: CommuneId) -> QueryResult<Vec<String>> {
    let mut found = Vec::new();
    let mut cursor = String::new();
    for _ in 0..PREFIX_PROBES {
        let next: Option<String> = taxpayers::table
            .filter(taxpayers::commune_id.eq(commune))
            .filter(taxpayers::reference.gt(&cursor))
            .order(taxpayers::reference.asc())
            .select(taxpayers::reference)
            .limit(1)
            .get_result(conn)
            .optional()?;
        let Some(reference) = next else { break };
        match reference.find('-') {
            Some(dash) => {
                let prefix = &reference[..=dash];
                cursor = format!("{prefix}{}", char::MAX);
                found.push(prefix.to_string());
            }
            None => cursor = reference,
        }
    }
    Ok(found)
}

/// Each of `ids` with the record it was merged into.
fn merged_into(
    conn: &mut DbConn,
    ids: &[TaxpayerId],
) -> QueryResult<Vec<(TaxpayerId, Option<TaxpayerId>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    taxpayers::table
        .filter(taxpayers::id.eq_any(ids))
        .select((taxpayers::id, taxpayers::merged_into))
        .load(conn)
}

/// The rows of `ids` in the commune that pass `filter`, in no particular order.
///
/// The query reads the rows by primary key only, and the commune, merged records and
/// district are checked here: with the commune in the `WHERE`, SQLite (without
/// statistics) chose the commune's index over the dozen ids and read the whole register,
/// about 40 ms of every name search at a million taxpayers (as in
/// `reminders::contacts`).
fn load(
    conn: &mut DbConn,
    commune: CommuneId,
    ids: &[TaxpayerId],
    filter: &Filter,
) -> QueryResult<Vec<RegisterRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(RegisterRow, CommuneId, Option<DistrictId>)> = taxpayers::table
        .left_join(districts::table)
        .filter(taxpayers::id.eq_any(ids))
        .select((
            register_columns(),
            taxpayers::commune_id,
            taxpayers::district_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(row, of, district)| {
            *of == commune
                && (filter.include_merged || row.merged_into.is_none())
                && filter.district.is_none_or(|d| *district == Some(d))
        })
        .map(|(row, _, _)| row)
        .collect())
}

/// The last `n` characters of `s`.
fn last_chars(s: &str, n: usize) -> &str {
    let start = s.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i);
    &s[start..]
}

/// The longest prefix the FTS5 index keeps (`prefix = '3 4'`, migration 000019).
const INDEXED_PREFIX: usize = 4;

/// The FTS5 query of a name's words (`"mous"* AND "ba"`), and the checks that the
/// index alone cannot make.
///
/// A prefix query reads the whole list of every word it names unless the index keeps
/// that prefix: `"moussa"*` takes tens of milliseconds at a million taxpayers, `"mous"*`
/// a fraction of one, as the index streams it and a page stops early. So a longer word
/// is asked by its first four letters, and each row found is checked for the whole start
/// (`' ' || search_name LIKE '% moussa%'`; a name's key is its words, spaced). The
/// commune is not in the query either: its key is in every document of the commune, and
/// reading it costs as much; the join checks the commune instead.
fn fts_words(words: &[Word]) -> (String, Vec<(&'static str, String)>) {
    let mut parts = Vec::new();
    let mut checks = Vec::new();
    for word in words {
        // Words hold no ASCII sign, so no `"`, `%` or `_` to escape.
        match word {
            Word::Start(w) if w.chars().count() > INDEXED_PREFIX => {
                let head: String = w.chars().take(INDEXED_PREFIX).collect();
                parts.push(format!("\"{head}\"*"));
                checks.push(("' ' || t.search_name LIKE", format!("% {w}%")));
            }
            Word::Start(w) => parts.push(format!("\"{w}\"*")),
            Word::Whole(w) => parts.push(format!("\"{w}\"")),
        }
    }
    (parts.join(" AND "), checks)
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// SQLite: the ids that the FTS5 query `matching` finds, in index order, that pass
/// `checks` (each a column of `t` compared with a value, e.g. `("t.phone LIKE", "%581")`) and the
/// filter, after `after`. The index drives the loop, so a page stops at `limit`.
fn fts_hits(
    conn: &mut SqliteConnection,
    commune: CommuneId,
    matching: &str,
    checks: &[(&str, String)],
    filter: &Filter,
    after: Option<TaxpayerId>,
    limit: i64,
) -> QueryResult<Vec<TaxpayerId>> {
    let check_sql: String = checks
        .iter()
        .map(|(column, _)| format!(" AND {column} ?"))
        .collect();
    let sql = format!(
        "SELECT t.id FROM taxpayer_search s JOIN taxpayers t ON t.id = s.rowid \
         WHERE taxpayer_search MATCH ? AND s.rowid > ? AND t.commune_id = ? \
         AND (? OR t.merged_into IS NULL) AND (? IS NULL OR t.district_id = ?){check_sql} \
         ORDER BY s.rowid LIMIT ?"
    );
    let district = filter.district.map(|d| d.0);
    let mut q = diesel::sql_query(sql)
        .into_boxed::<diesel::sqlite::Sqlite>()
        .bind::<Text, _>(matching.to_string())
        .bind::<BigInt, _>(after.map_or(0, |a| a.0))
        .bind::<BigInt, _>(commune.0)
        .bind::<Bool, _>(filter.include_merged)
        .bind::<Nullable<BigInt>, _>(district)
        .bind::<Nullable<BigInt>, _>(district);
    for (_, value) in checks {
        q = q.bind::<Text, _>(value.clone());
    }
    let hits: Vec<Hit> = q.bind::<BigInt, _>(limit).load(conn)?;
    Ok(hits.into_iter().map(|h| TaxpayerId(h.id)).collect())
}

/// PostgreSQL: the first `limit` ids after `after` whose name holds every word.
///
/// The planner's estimates cannot be trusted here: words each common but never together
/// ("Moussa Houessou", a Senegalese first name and a Beninese surname) look common, and
/// reading the register in id order until a page is full would then read all of it. So
/// the plan is chosen from what is found, in at most three queries:
/// 1. the next [`PG_WALK`] taxpayers in id order, through the primary key: when the words
///    are common (a surname alone), the page is full there;
/// 2. else the index only, `limit + 1` matches in any order: fewer, and they are all the
///    matches, sorted here;
/// 3. else the first `limit` matches lie at or below the `limit`-th smallest id found in
///    2, and the index with the primary key's range up to it finds them in order. The
///    index lists rows in the table's order, which is nearly the order of their ids, so
///    that range is short.
///
/// The index (migration 000020) holds the starts of each word of the name, three letters
/// to [`PG_INDEXED_PREFIX`], and each word of two letters: a word typed is one entry of
/// it (`'diallo'`; a longer one by its start), read straight, and the index intersects
/// the words' entries. Each row is then checked by the rule itself, on
/// `taxpayer_search_words` (000013): a word's start (`strpos`) or a whole word, after a plain
/// `LIKE` on the name, the cheapest test. No step starts parallel workers: starting them
/// costs more than these queries.
fn pg_name_hits(
    conn: &mut PgConnection,
    commune: CommuneId,
    words: &[Word],
    filter: &Filter,
    after: Option<TaxpayerId>,
    limit: i64,
) -> QueryResult<Vec<TaxpayerId>> {
    let mut checks = String::new();
    let mut texts: Vec<String> = Vec::new();
    let mut entries: Vec<String> = Vec::new();
    for word in words {
        // Words hold no ASCII sign, so no `%`, `_`, `\` or `'` to escape.
        let n = texts.len() + 8;
        match word {
            Word::Start(w) => {
                checks.push_str(&format!(
                    " AND search_name LIKE ${n} \
                     AND strpos(taxpayer_search_words(search_name), ${}) > 0",
                    n + 1
                ));
                texts.extend([format!("%{w}%"), format!(" {w}")]);
                let indexed: String = w.chars().take(PG_INDEXED_PREFIX).collect();
                entries.push(format!("'{indexed}'"));
            }
            Word::Whole(w) => {
                checks.push_str(&format!(
                    " AND search_name LIKE ${n} AND taxpayer_search_words(search_name) LIKE ${}",
                    n + 1
                ));
                texts.extend([format!("%{w}%"), format!("% {w} %")]);
                entries.push(format!("'{w}'"));
            }
        }
    }
    let last = texts.len() + 8;
    // $6 and $7 are read by some steps only: the number of rows walked (1) and the highest
    // id of the range (3).
    let candidates = "FROM taxpayers WHERE commune_id = $1 AND id > $2 \
                      AND ($3 OR merged_into IS NULL) AND ($4::BIGINT IS NULL OR district_id = $5)";
    let indexed = "taxpayer_search_prefixes(search_name) @@ $6::tsquery";
    let district = filter.district.map(|d| d.0);
    let run = |c: &mut PgConnection, sql: String, up_to: i64, limit: i64| -> QueryResult<_> {
        let mut q = diesel::sql_query(format!("{sql} LIMIT ${last}"))
            .into_boxed::<diesel::pg::Pg>()
            .bind::<BigInt, _>(commune.0)
            .bind::<BigInt, _>(after.map_or(0, |a| a.0))
            .bind::<Bool, _>(filter.include_merged)
            .bind::<Nullable<BigInt>, _>(district)
            .bind::<Nullable<BigInt>, _>(district)
            .bind::<Text, _>(entries.join(" & "))
            .bind::<BigInt, _>(up_to);
        for text in &texts {
            q = q.bind::<Text, _>(text.clone());
        }
        let hits: Vec<Hit> = q.bind::<BigInt, _>(limit).load(c)?;
        Ok(hits
            .into_iter()
            .map(|h| TaxpayerId(h.id))
            .collect::<Vec<_>>())
    };
    conn.transaction(|c| {
        c.batch_execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; \
             SET LOCAL max_parallel_workers_per_gather = 0",
        )?;
        let walked = format!(
            "SELECT id FROM (SELECT id, search_name {candidates} ORDER BY id LIMIT $7) walked \
             WHERE true{checks} ORDER BY id"
        );
        let mut ids = run(c, walked, PG_WALK, limit)?;
        if (ids.len() as i64) < limit {
            c.batch_execute(
                "SET LOCAL enable_bitmapscan = DEFAULT; SET LOCAL enable_indexscan = off",
            )?;
            let any = format!("SELECT id {candidates} AND {indexed}{checks}");
            ids = run(c, any, 0, limit + 1)?;
            ids.sort();
            if ids.len() as i64 > limit {
                let up_to = ids[limit as usize - 1].0;
                let ranged = format!(
                    "SELECT id {candidates} AND id <= $7 AND {indexed}{checks} ORDER BY id"
                );
                ids = run(c, ranged, up_to, limit)?;
            }
        }
        // SET LOCAL lasts until the end of the outermost transaction, which may go on.
        c.batch_execute(
            "SET LOCAL enable_seqscan = DEFAULT; SET LOCAL enable_indexscan = DEFAULT; \
             SET LOCAL enable_bitmapscan = DEFAULT; \
             SET LOCAL max_parallel_workers_per_gather = DEFAULT",
        )?;
        Ok(ids)
    })
}

/// After an import: indexes the taxpayers it created (those past `last_before`, the
/// highest id before it), in one statement.
/// - SQLite: the insert trigger leaves the rows an import writes to this (a million rows
///   go in several times faster).
/// - PostgreSQL: the name index keeps itself, but a GIN index puts what is written into a
///   pending list first, which every search then reads through (several milliseconds
///   after a large import, until a vacuum); the list goes into the index here.
pub fn index_import(
    conn: &mut DbConn,
    last_before: TaxpayerId,
    import: ImportId,
) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query(
                "INSERT INTO taxpayer_search (rowid, doc) \
                 SELECT id, doc FROM taxpayer_search_docs WHERE id > ? AND import_batch = ?",
            )
            .bind::<BigInt, _>(last_before.0)
            .bind::<BigInt, _>(import.0)
            .execute(c)?;
        }
        DbConn::Pg(c) => {
            c.batch_execute("SELECT gin_clean_pending_list('taxpayers_search_prefixes')")?;
        }
    }
    Ok(())
}

/// The highest taxpayer id so far (0 for an empty register): where an import's rows
/// will start, for [`index_import`].
pub fn last_id(conn: &mut DbConn) -> QueryResult<TaxpayerId> {
    let last: Option<TaxpayerId> = taxpayers::table
        .select(diesel::dsl::max(taxpayers::id))
        .get_result(conn)?;
    Ok(last.unwrap_or(TaxpayerId(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sn(text: &str) -> Query {
        Query::parse(text, Country::Senegal)
    }

    fn start(w: &str) -> Word {
        Word::Start(w.to_string())
    }

    #[test]
    fn a_name_is_its_words_without_accents_or_case_each_found_by_its_start() {
        let q = sn("  Ndèye  FATOU-Diop ");
        assert_eq!(q.text(), "Ndèye  FATOU-Diop");
        assert_eq!(q.words(), [start("ndeye"), start("fatou"), start("diop")]);
        assert_eq!(q.phone(), None);
        assert_eq!(
            sn("Société (Sandaga)").words(),
            [start("societe"), start("sandaga")]
        );
    }

    #[test]
    fn two_letters_are_a_whole_word_and_one_letter_is_left_out() {
        assert_eq!(sn("A. Ba").words(), [Word::Whole("ba".to_string())],);
        assert_eq!(sn("x").words(), []);
        assert!(!sn("x").is_empty());
        assert!(sn("   ").is_empty());
        assert_eq!(sn("a b c d e f g h i j k l m").words().len(), 0);
        assert_eq!(
            sn("aa bb cc dd ee ff gg hh").words().len(),
            MAX_WORDS,
            "a long text searches its first words"
        );
    }

    #[test]
    fn a_phone_in_any_usual_spelling_is_its_whole_international_number() {
        for typed in [
            "+221 76 210 55 81",
            "76 210 55 81",
            "762105581",
            "00221762105581",
            "76.210.55.81",
        ] {
            assert_eq!(sn(typed).phone(), Some("221762105581"), "{typed}");
        }
        assert_eq!(
            Query::parse("97 12 34 56", Country::Benin).phone(),
            Some("2290197123456")
        );
    }

    #[test]
    fn six_digits_or_more_that_are_no_whole_phone_are_the_end_of_one() {
        assert_eq!(sn("210 55 81").phone(), Some("2105581"));
        assert_eq!(sn("55 81").phone(), None, "too few digits");
        assert_eq!(sn("T0003").phone(), None);
        assert_eq!(sn("Diallo 762105581").phone(), None);
    }

    #[test]
    fn a_one_word_text_is_tried_as_a_reference() {
        assert_eq!(sn(" dkp-t0003 ").reference(), Some("dkp-t0003"));
        assert_eq!(sn("T0003").reference(), Some("T0003"));
        assert_eq!(sn("Moussa Diallo").reference(), None);
        assert_eq!(sn(&"X".repeat(41)).reference(), None);
    }

    #[test]
    fn a_reference_matches_whole_or_without_its_prefix_in_any_case() {
        assert!(same_reference("DKP-T0003", "DKP-T0003"));
        assert!(same_reference("DKP-T0003", "dkp-t0003"));
        assert!(same_reference("DKP-T0003", "t0003"));
        assert!(same_reference("DKP-2024-0001", "2024-0001"));
        assert!(!same_reference("DKP-T0003", "0003"));
        assert!(!same_reference("DKP-T0003", "ACV-T0003"));
        assert!(!same_reference("DKP-T00031", "T0003"));
        assert!(same_reference("T0003", "t0003"));
    }

    #[test]
    fn an_identifier_is_read_by_the_country_s_rules() {
        assert_eq!(
            sn("004512378 2G3").id_number.as_deref(),
            Some("0045123782G3")
        );
        assert_eq!(sn("Moussa").id_number, None);
    }

    #[test]
    fn the_fts_query_asks_the_index_s_prefixes_and_checks_the_rest() {
        let words = [start("moussa"), Word::Whole("ba".into()), start("dia")];
        let (matching, checks) = fts_words(&words);
        assert_eq!(matching, r#""mous"* AND "ba" AND "dia"*"#);
        assert_eq!(
            checks,
            vec![("' ' || t.search_name LIKE", "% moussa%".to_string())]
        );
        assert_eq!(last_chars("+221762105581", 3), "581");
        assert_eq!(last_chars("2G", 3), "2G");
    }
}
