-- Personas (spec 003 and the play API of its SDK). definition holds the creator's validated
-- definition as JSON (decoded again, strictly, on every read). The shipped example personas are
-- not stored: the service serves them from the binary, so their ids never appear here and
-- persona_id below has no foreign key.
CREATE TABLE personas (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    definition  TEXT NOT NULL,
    is_public   INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
    play_link   TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX personas_account ON personas (account_id, created_at);
CREATE INDEX personas_public ON personas (is_public, created_at);

-- A player's whole standing with a persona: the turn engine's state (sessions, completions,
-- unlocks, route, cross-machine variables) as JSON. A player is an API key's account plus the
-- user_session_id its game gives each of its own players. version makes concurrent turns of one
-- player compare-and-set: the loser is refused, never merged.
CREATE TABLE persona_progress (
    persona_id      TEXT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    user_session_id TEXT NOT NULL,
    state           TEXT NOT NULL,
    version         BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (persona_id, account_id, user_session_id)
);

-- One conversation with one machine; starting again replaces it (new id, history gone).
CREATE TABLE persona_sessions (
    id              TEXT PRIMARY KEY,
    persona_id      TEXT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    user_session_id TEXT NOT NULL,
    machine_key     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'completed')),
    created_at      BIGINT NOT NULL,
    UNIQUE (persona_id, account_id, user_session_id, machine_key)
);

-- Chat history of a session, in order.
CREATE TABLE persona_messages (
    session_id  TEXT NOT NULL REFERENCES persona_sessions (id),
    seq         INTEGER NOT NULL,
    role        TEXT NOT NULL,
    content     TEXT NOT NULL,
    state_key   TEXT NOT NULL,
    score       INTEGER NOT NULL,
    decision    TEXT NOT NULL,
    follow_up   INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, seq)
);

-- The persona SDK's keys (pk_live_…) are ordinary API keys with a name its creator gives them.
ALTER TABLE api_keys ADD COLUMN name TEXT;
