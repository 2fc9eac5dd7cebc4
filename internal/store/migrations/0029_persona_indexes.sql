-- Two persona reads that grew with every player (docs/queries.md).
--
-- persona.sessions.migrate (service.migrateSQL) looks up one player's progress by account and
-- user session; persona_progress's key starts with persona_id, so it read the progress of every
-- player of every persona. This index holds the whole lookup and its order (persona_id). Progress
-- rows are inserted once per player and persona and updated per turn in columns it does not hold,
-- so a turn does not write it.
CREATE INDEX persona_progress_session ON persona_progress (account_id, user_session_id, persona_id);

-- personas_public (0016) was (is_public, created_at) over every persona. With is_public = 1 as an
-- equality it drew the planner away from personas_account: the SDK listing of one account's
-- published personas (service.sdkListSQL) read every public persona, and the caller's listing
-- (public OR own) merged both indexes and sorted the lot. As a partial index of the public ones it
-- lists them newest first as before, private personas cost it nothing, and a query with
-- account_id = ? picks personas_account. The queries write the literal is_public = 1 it needs.
DROP INDEX personas_public;
CREATE INDEX personas_public ON personas (created_at) WHERE is_public = 1;
