DROP INDEX taxpayers_merged_into;
