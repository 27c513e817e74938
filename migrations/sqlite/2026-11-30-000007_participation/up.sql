-- Participatory budgeting: rounds, their ballot areas (a district, or the whole commune)
-- with an envelope each, the proposals put to the vote, the ballots and the counted
-- results.
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    fiscal_year BIGINT NOT NULL,
    phase TEXT NOT NULL
        CHECK (phase IN ('proposals', 'review', 'vote', 'results', 'implementation')),
    -- The ballot: the engine's vote type and pabulib's ballot constraints. A knapsack
    -- ballot's total cost must fit its area's envelope.
    vote_type TEXT NOT NULL
        CHECK (vote_type IN ('approval', 'choose-1', 'cumulative', 'scoring', 'ordinal')),
    knapsack BOOLEAN NOT NULL DEFAULT FALSE,
    min_length BIGINT,
    max_length BIGINT,
    min_sum_cost BIGINT,
    max_sum_cost BIGINT,
    min_points BIGINT,
    max_points BIGINT,
    min_sum_points BIGINT,
    max_sum_points BIGINT,
    -- The rule that counts it (an engine rule name), and greedy completion.
    rule TEXT NOT NULL,
    complete_greedy BOOLEAN NOT NULL DEFAULT FALSE,
    score_threshold BIGINT,
    -- Who may vote: one ballot per district, or one for the whole commune.
    ballot_scope TEXT NOT NULL DEFAULT 'district' CHECK (ballot_scope IN ('district', 'commune')),
    min_age BIGINT,
    supports BOOLEAN NOT NULL DEFAULT FALSE,
    max_proposal_cost BIGINT,
    -- Amounts are in minor units of this currency (XOF has none: decimals 0).
    currency TEXT NOT NULL DEFAULT 'XOF',
    decimals BIGINT NOT NULL DEFAULT 0 CHECK (decimals BETWEEN 0 AND 6),
    -- The pabulib file a finished round was imported from, if any.
    source TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rounds_commune ON rounds (commune_id, fiscal_year);

-- Each phase's planned start, and when the round actually entered it.
CREATE TABLE round_phases (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    phase TEXT NOT NULL
        CHECK (phase IN ('proposals', 'review', 'vote', 'results', 'implementation')),
    starts_on DATE,
    started_at TIMESTAMP,
    PRIMARY KEY (round_id, phase)
);

-- Where ballots are cast: a district of the commune, or the whole commune (no
-- district). Its envelope is `budget`, fixed, or a share of the own-source revenue
-- collected in `revenue_year` (in basis points: 1000 is 10 %), computed from Revenue.
CREATE TABLE round_areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    district_id BIGINT REFERENCES districts (id),
    name TEXT NOT NULL,
    budget BIGINT NOT NULL CHECK (budget >= 0),
    revenue_share BIGINT CHECK (revenue_share > 0 AND revenue_share <= 10000),
    revenue_year BIGINT,
    revenue_collected BIGINT,
    UNIQUE (round_id, name)
);

-- A proposal, and once reviewed, a project on the ballot. `code` is its id on the
-- ballot and in the `.pb` file. It is never deleted: moderation hides it with a
-- public reason, and a merge points it at the proposal it joined.
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    area_id BIGINT NOT NULL REFERENCES round_areas (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT,
    place TEXT,
    estimated_cost BIGINT NOT NULL CHECK (estimated_cost >= 0),
    cost BIGINT CHECK (cost >= 0),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'feasible', 'unfeasible', 'merged')),
    review_note TEXT,
    reviewed_by BIGINT REFERENCES users (id),
    merged_into BIGINT REFERENCES proposals (id),
    hidden_reason TEXT,
    author_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (round_id, code)
);
CREATE INDEX proposals_area ON proposals (area_id);

-- Who wrote a proposal: its author, and after a merge the authors of the proposals
-- merged into it.
CREATE TABLE proposal_authors (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (proposal_id, user_id)
);

-- Citizens' supports of proposals, when the round allows them: one per person.
CREATE TABLE proposal_supports (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (proposal_id, user_id)
);

-- The round's voter register: who may vote, and where. Each voter votes in one area
-- (their district's, or the whole commune's).
CREATE TABLE voters (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    area_id BIGINT NOT NULL REFERENCES round_areas (id),
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    phone TEXT,
    email TEXT,
    UNIQUE (round_id, identifier)
);
CREATE INDEX voters_phone ON voters (round_id, phone);
CREATE INDEX voters_email ON voters (round_id, email);

-- One-time codes that prove who a voter is: stored hashed, short-lived, used once, and
-- dead after a few wrong tries.
CREATE TABLE voter_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    voter_id BIGINT NOT NULL REFERENCES voters (id),
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    failures BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX voter_codes_voter ON voter_codes (voter_id, created_at);

-- That someone voted, and by which channel: never what, never when. One row per voter
-- and round, so that one person votes once whatever the channel.
CREATE TABLE participations (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    voter_id BIGINT NOT NULL REFERENCES voters (id),
    channel TEXT NOT NULL CHECK (channel IN ('online', 'sms', 'paper')),
    PRIMARY KEY (round_id, voter_id)
) WITHOUT ROWID;

-- Inbound text messages already processed, by the gateway's message id: a message
-- sent twice is processed once.
CREATE TABLE sms_messages (
    id TEXT PRIMARY KEY NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- Paper ballots from assemblies and polling stations, each typed in twice by two
-- different people. Two entries that agree make a ballot; two that differ wait for a
-- third person's resolution, which makes the ballot. The paper's number is printed on
-- it and says nothing of who filled it in.
CREATE TABLE paper_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    area_id BIGINT NOT NULL REFERENCES round_areas (id),
    number TEXT NOT NULL,
    choices TEXT NOT NULL,
    points TEXT,
    entered_by BIGINT NOT NULL REFERENCES users (id),
    resolution BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (round_id, number, entered_by)
);

-- A ballot says what was voted, never who voted nor when: no voter, no time, and a
-- random public id (derived from the voter's receipt code) as its key, so that the
-- table's order says nothing about the order of voting. `choices` lists the proposals'
-- codes, comma-separated, in the voter's order; `points` the points given to each.
CREATE TABLE ballots (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    public_id TEXT NOT NULL,
    area_id BIGINT NOT NULL REFERENCES round_areas (id),
    channel TEXT NOT NULL CHECK (channel IN ('online', 'sms', 'paper', 'file')),
    choices TEXT NOT NULL,
    points TEXT,
    PRIMARY KEY (round_id, public_id)
) WITHOUT ROWID;
CREATE INDEX ballots_area ON ballots (area_id);

-- The counted result of an area: the engine's outcome as JSON (winners, and why each
-- project won or lost), and for the Method of Equal Shares what greedy would have chosen.
CREATE TABLE round_results (
    area_id BIGINT PRIMARY KEY NOT NULL REFERENCES round_areas (id),
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    rule TEXT NOT NULL,
    outcome TEXT NOT NULL,
    greedy_selected TEXT,
    counted_at TIMESTAMP NOT NULL
);

-- The import journal records voter registers too (SQLite cannot change a CHECK in
-- place: the table is rebuilt, with the same columns; nothing references it).
CREATE TABLE imports_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    kind TEXT NOT NULL CHECK (kind IN ('taxpayers', 'items', 'roll', 'voters')),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO imports_new SELECT id, commune_id, kind, file_name, file_sha256, rows, created, updated, user_id, created_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
