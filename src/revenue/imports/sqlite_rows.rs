//! New taxpayers on SQLite: a chunk of an import in one plain multi-row `INSERT`.
//!
//! Diesel's own multi-row insert walks a generic tree of values three times a statement
//! (to check it may be cached, to type its binds, to bind them); at a million rows that
//! was most of an import's own time (about 0.4 s). This statement binds the same columns
//! in one flat loop. Plain, without `ON CONFLICT`: a reference already in the register
//! fails this one statement, which SQLite then undoes alone, leaving the import's
//! transaction as it was, with no savepoint to open or release around each chunk.

use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

use crate::revenue::taxpayers::NewTaxpayer;

/// The rows of one statement. `FULL` says the chunk has the import's usual number of
/// rows: its statement is then the same every time, prepared once and cached (diesel
/// keys the cache by this type); a shorter chunk is prepared for itself.
pub(super) struct NewRows<'a, const FULL: bool>(pub &'a [NewTaxpayer<'a>]);

impl<const FULL: bool> QueryId for NewRows<'_, FULL> {
    type QueryId = NewRows<'static, FULL>;
    const HAS_STATIC_QUERY_ID: bool = FULL;
}

impl<const FULL: bool> RunQueryDsl<diesel::SqliteConnection> for NewRows<'_, FULL> {}

impl<const FULL: bool> QueryFragment<Sqlite> for NewRows<'_, FULL> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        if !FULL {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(
            "INSERT INTO taxpayers (commune_id, ref, kind, name, search_name, id_number, \
             phone, email, district_id, address, lat_e6, lon_e6, import_batch) VALUES ",
        );
        for (i, t) in self.0.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            out.push_bind_param::<BigInt, _>(&t.commune_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(t.reference)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&t.kind)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(t.name)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(t.search_name)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&t.id_number)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&t.phone)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&t.email)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<BigInt>, _>(&t.district_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&t.address)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<BigInt>, _>(&t.lat_e6)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<BigInt>, _>(&t.lon_e6)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<BigInt>, _>(&t.import_batch)?;
            out.push_sql(")");
        }
        Ok(())
    }
}
