DROP TABLE round_results;
DROP TABLE ballots;
DROP TABLE proposal_supports;
DROP TABLE proposal_authors;
DROP TABLE proposals;
DROP TABLE round_areas;
DROP TABLE round_phases;
DROP TABLE rounds;
