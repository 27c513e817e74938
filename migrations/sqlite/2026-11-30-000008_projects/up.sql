-- Implementation: a round's winners become projects, followed until they are built (or
-- abandoned, with a reason), through dated updates. People subscribe by e-mail to news
-- of a project (and, later, of the budget).
CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    area_id BIGINT NOT NULL REFERENCES round_areas (id),
    proposal_id BIGINT NOT NULL UNIQUE REFERENCES proposals (id),
    title TEXT NOT NULL,
    -- The cost the vote granted (the reviewed cost), and what has been spent so far.
    budget BIGINT NOT NULL CHECK (budget >= 0),
    spent BIGINT NOT NULL DEFAULT 0 CHECK (spent >= 0),
    status TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'tendering', 'works', 'done', 'abandoned')),
    progress BIGINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    abandoned_reason TEXT,
    -- The date of the latest update (the day the project was created, before any).
    updated_on DATE NOT NULL,
    CHECK ((status = 'abandoned') = (abandoned_reason IS NOT NULL))
);
CREATE INDEX projects_round ON projects (round_id);

-- Each update as it was given: the project's state on that date, with a note and the
-- caption of a photo. Never changed, never deleted.
CREATE TABLE project_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    on_date DATE NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('planned', 'tendering', 'works', 'done', 'abandoned')),
    progress BIGINT NOT NULL CHECK (progress BETWEEN 0 AND 100),
    spent BIGINT NOT NULL CHECK (spent >= 0),
    note TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    author_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX project_updates_project ON project_updates (project_id, on_date);

-- Who wants news by e-mail, of what (`topic` and its `subject`, a project's id). An
-- address counts once it follows the link sent to it; the same link's token lets it
-- leave, and says nothing else.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    topic TEXT NOT NULL CHECK (topic IN ('project', 'budget')),
    subject BIGINT NOT NULL,
    email TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    token TEXT NOT NULL UNIQUE,
    confirmed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, topic, subject, email)
);

-- Per-project totals from an assembly that voted by a show of hands: no ballots, only
-- the hands counted for each project. They count under the greedy rules only, where a
-- project's score is its number of supporters, each hand as a ballot for that one
-- project; the results say how many there were.
CREATE TABLE hand_counts (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    area_id BIGINT NOT NULL REFERENCES round_areas (id),
    assembly TEXT NOT NULL,
    code TEXT NOT NULL,
    votes BIGINT NOT NULL CHECK (votes >= 0),
    entered_by BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, area_id, assembly, code)
);
