-- Two of the register's indexes hold only the rows they serve: an index entry costs
-- every row an import writes (together about 0.9 s of a million-row import on SQLite).
--
-- An e-mail is looked up only when the register has one (a tenth of taxpayers or so).
DROP INDEX taxpayers_email;
CREATE INDEX taxpayers_email ON taxpayers (commune_id, lower(email)) WHERE email IS NOT NULL;

-- A reference typed in another case: one stored in capitals (nearly all of them) is
-- found by the capitalised spelling through the reference's own unique index; the
-- index below holds the others (src/revenue/collectors.rs, `taxpayer_by_ref`).
DROP INDEX taxpayers_ref_upper;
CREATE INDEX taxpayers_ref_upper ON taxpayers (commune_id, upper(ref)) WHERE ref <> upper(ref);
