DROP INDEX taxpayers_ref_upper;
CREATE INDEX taxpayers_ref_upper ON taxpayers (commune_id, upper(ref));

DROP INDEX taxpayers_email;
CREATE INDEX taxpayers_email ON taxpayers (commune_id, lower(email));
