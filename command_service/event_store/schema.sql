-- Bahi event store schema (idempotent: safe to run at every start).

CREATE TABLE IF NOT EXISTS bahi_streams (
    stream_id   text PRIMARY KEY,
    stream_type text NOT NULL,
    version     bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS bahi_events (
    position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction: the relay reads only rows of transactions older
    -- than every running one, so a late commit can never be skipped.
    tx_id          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id       uuid NOT NULL UNIQUE,
    stream_id      text NOT NULL,
    stream_type    text NOT NULL,
    version        bigint NOT NULL,
    event_type     text NOT NULL,
    schema_version int NOT NULL,
    data           jsonb NOT NULL,
    metadata       jsonb NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (stream_id, version)
);
CREATE INDEX IF NOT EXISTS bahi_events_commit_order ON bahi_events (tx_id, position);

CREATE TABLE IF NOT EXISTS bahi_idempotency (
    key          text PRIMARY KEY,
    request_hash text NOT NULL,
    response     jsonb NOT NULL,
    stream_id    text NOT NULL,
    version      bigint NOT NULL,
    position     bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Named counters handing out blocks of numbers (`reserve`: an RRN's serials per IST hour). A
-- block is the caller's once this row's update commits; what it does not hand out is lost.
CREATE TABLE IF NOT EXISTS bahi_counters (
    name text PRIMARY KEY,
    next bigint NOT NULL
);

-- Snapshots per stream and version (one every N events of the aggregate type), with the recorded
-- time of the event they are at: loading = the latest snapshot at or before the wanted version
-- (or moment) + later events, so a past state folds at most N events too.
CREATE TABLE IF NOT EXISTS bahi_snapshots (
    stream_id      text NOT NULL,
    stream_type    text NOT NULL,
    version        bigint NOT NULL,
    schema_version int NOT NULL,
    state          jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    recorded_at    timestamptz,
    PRIMARY KEY (stream_id, version)
);
-- Databases made when only the latest snapshot was kept (primary key stream_id alone).
ALTER TABLE bahi_snapshots ADD COLUMN IF NOT EXISTS recorded_at timestamptz;
DO $$
BEGIN
    IF (SELECT array_length(conkey, 1) FROM pg_constraint
        WHERE conrelid = 'bahi_snapshots'::regclass AND contype = 'p') = 1 THEN
        ALTER TABLE bahi_snapshots DROP CONSTRAINT bahi_snapshots_pkey;
        ALTER TABLE bahi_snapshots ADD PRIMARY KEY (stream_id, version);
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS bahi_relay_checkpoint (
    name     text PRIMARY KEY,
    tx_id    xid8 NOT NULL,
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Append to several streams, each at its expected version (-1 any, 0 no stream,
-- n exact), all or nothing, in one round trip. Per-stream advisory locks are
-- taken BEFORE the first write, so the transaction id (assigned at the first
-- write) of a later writer to a stream is always greater than an earlier one's:
-- ordering the feed by (tx_id, position) keeps every stream in version order.
-- Its idempotency records (an Idempotency-Key header's, a ledger's movement ids) are written
-- with the events of the first stream, all or nothing.
DROP FUNCTION IF EXISTS bahi_append(
    text[], text[], bigint[], int[], uuid[], text[], int[], jsonb[], jsonb[], text, text, jsonb, text);
CREATE OR REPLACE FUNCTION bahi_append(
    s_ids text[], s_types text[], s_expected bigint[],
    e_stream int[], e_ids uuid[], e_types text[], e_schema int[], e_data jsonb[], e_meta jsonb[],
    idem_keys text[], idem_hashes text[], idem_responses jsonb[], idem_stream text
) RETURNS TABLE (stream_id text, version bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    n_streams int := cardinality(s_ids);
    base bigint[] := array_fill(0::bigint, ARRAY[cardinality(s_ids)]);
    counts int[] := array_fill(0, ARRAY[cardinality(s_ids)]);
    cur bigint;
    i int;
BEGIN
    FOR i IN 1..n_streams LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended(s_ids[i], 0));
    END LOOP;
    FOR i IN 1..cardinality(e_stream) LOOP
        counts[e_stream[i]] := counts[e_stream[i]] + 1;
    END LOOP;
    FOR i IN 1..n_streams LOOP
        SELECT s.version INTO cur FROM bahi_streams s WHERE s.stream_id = s_ids[i];
        cur := coalesce(cur, 0);
        IF s_expected[i] >= 0 AND cur <> s_expected[i] THEN
            RAISE EXCEPTION 'wrong expected version' USING ERRCODE = 'BH409',
                DETAIL = json_build_object('stream_id', s_ids[i], 'expected', s_expected[i], 'actual', cur)::text;
        END IF;
        base[i] := cur;
        IF cur = 0 THEN
            INSERT INTO bahi_streams VALUES (s_ids[i], s_types[i], counts[i]);
        ELSE
            UPDATE bahi_streams s SET version = cur + counts[i] WHERE s.stream_id = s_ids[i];
        END IF;
    END LOOP;
    FOR stream_id, version, last_position IN
        WITH ins AS (
            INSERT INTO bahi_events AS e (event_id, stream_id, stream_type, version, event_type, schema_version, data, metadata)
            SELECT u.id, s_ids[u.sx], s_types[u.sx],
                   base[u.sx] + row_number() OVER (PARTITION BY u.sx ORDER BY u.ord),
                   u.typ, u.sch, u.dat, u.met
            FROM unnest(e_stream, e_ids, e_types, e_schema, e_data, e_meta) WITH ORDINALITY
                 AS u(sx, id, typ, sch, dat, met, ord)
            ORDER BY u.ord
            RETURNING e.stream_id, e.version, e.position
        )
        SELECT ins.stream_id, max(ins.version), max(ins.position) FROM ins GROUP BY ins.stream_id
    LOOP
        IF stream_id = idem_stream THEN
            -- A concurrent twin with one of these keys fails here and rolls back whole.
            INSERT INTO bahi_idempotency (key, request_hash, response, stream_id, version, position)
            SELECT k.key, k.hash, k.response, idem_stream, version, last_position
            FROM unnest(idem_keys, idem_hashes, idem_responses) AS k(key, hash, response);
        END IF;
        RETURN NEXT;
    END LOOP;
END;
$$;

-- Group commit: concurrent appends of one process in ONE transaction (one commit, one
-- WAL flush), each command keeping its own outcome: its events are written only if
-- every one of its streams is at the expected version and its idempotency key is new;
-- otherwise it is reported 'rejected' and writes nothing while the others commit. The
-- caller never puts two commands on one stream or with one key in a batch, so the
-- checks are independent and set-based. Locks: streams in byte order (as bahi_append),
-- then keys, before the first write (the relay's per-stream order relies on it).
-- c_stream: each command's first stream (its keys' stream); k_*: the keys, k_cmd naming
-- the command of each (a command has none, one or several).
DROP FUNCTION IF EXISTS bahi_append_batch(
    text[], text[], jsonb[], text[], int[], text[], text[], bigint[], int[],
    int[], uuid[], text[], int[], jsonb[], jsonb[]);
CREATE OR REPLACE FUNCTION bahi_append_batch(
    c_stream text[], k_cmd int[], k_key text[], k_hash text[], k_response jsonb[],
    s_cmd int[], s_ids text[], s_types text[], s_expected bigint[], s_count int[],
    e_stream int[], e_ids uuid[], e_types text[], e_schema int[], e_data jsonb[], e_meta jsonb[]
) RETURNS TABLE (cmd int, stream_id text, version bigint, last_position bigint, status text, detail text)
LANGUAGE plpgsql AS $$
DECLARE
    n_cmds int := cardinality(c_stream);
    cur bigint[];
    ok boolean[] := array_fill(true, ARRAY[cardinality(c_stream)]);
    taken boolean[];
    why text[] := array_fill(NULL::text, ARRAY[cardinality(c_stream)]);
    j int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(x.id, 0))
    FROM (SELECT DISTINCT u.id COLLATE "C" AS id FROM unnest(s_ids) AS u(id) ORDER BY 1) AS x;
    PERFORM pg_advisory_xact_lock(7140003, hashtext(x.k))
    FROM (SELECT DISTINCT u.k COLLATE "C" AS k FROM unnest(k_key) AS u(k) ORDER BY 1) AS x;

    -- One primary-key probe per stream and per key (a subquery each, not a join): the plan
    -- is cached per session, and a join planned while the tables were small became a
    -- sequential scan of each table per batch as they grew (throughput fell by half
    -- within seconds of a fresh store, until an ANALYZE).
    SELECT array_agg(coalesce((SELECT s.version FROM bahi_streams s WHERE s.stream_id = u.id), 0) ORDER BY u.i)
    INTO cur FROM unnest(s_ids) WITH ORDINALITY AS u(id, i);
    SELECT array_agg(EXISTS (SELECT FROM bahi_idempotency k WHERE k.key = u.key) ORDER BY u.i)
    INTO taken FROM unnest(k_key) WITH ORDINALITY AS u(key, i);
    FOR j IN 1..coalesce(cardinality(k_key), 0) LOOP
        IF taken[j] AND ok[k_cmd[j]] THEN
            ok[k_cmd[j]] := false;
            why[k_cmd[j]] := 'duplicate:' || k_key[j];
        END IF;
    END LOOP;
    FOR j IN 1..cardinality(s_ids) LOOP
        IF ok[s_cmd[j]] AND s_expected[j] >= 0 AND cur[j] <> s_expected[j] THEN
            ok[s_cmd[j]] := false;
            why[s_cmd[j]] := json_build_object(
                'stream_id', s_ids[j], 'expected', s_expected[j], 'actual', cur[j])::text;
        END IF;
    END LOOP;

    INSERT INTO bahi_streams AS s (stream_id, stream_type, version)
    SELECT s_ids[i], s_types[i], cur[i] + s_count[i] FROM generate_subscripts(s_ids, 1) AS i WHERE ok[s_cmd[i]]
    ON CONFLICT ON CONSTRAINT bahi_streams_pkey DO UPDATE SET version = excluded.version;

    RETURN QUERY
    WITH ins AS (
        INSERT INTO bahi_events AS e
            (event_id, stream_id, stream_type, version, event_type, schema_version, data, metadata)
        SELECT u.id, s_ids[u.sx], s_types[u.sx],
               cur[u.sx] + row_number() OVER (PARTITION BY u.sx ORDER BY u.ord),
               u.typ, u.sch, u.dat, u.met
        FROM unnest(e_stream, e_ids, e_types, e_schema, e_data, e_meta) WITH ORDINALITY
             AS u(sx, id, typ, sch, dat, met, ord)
        WHERE ok[s_cmd[u.sx]]
        ORDER BY u.ord
        RETURNING e.stream_id, e.version, e.position
    ), per_stream AS (
        SELECT ins.stream_id, max(ins.version) AS version, max(ins.position) AS last_position
        FROM ins GROUP BY ins.stream_id
    ), idem AS (
        INSERT INTO bahi_idempotency (key, request_hash, response, stream_id, version, position)
        SELECT k_key[k], k_hash[k], k_response[k], p.stream_id, p.version, p.last_position
        FROM generate_subscripts(k_key, 1) AS k JOIN per_stream p ON p.stream_id = c_stream[k_cmd[k]]
        WHERE ok[k_cmd[k]]
    )
    SELECT s_cmd[i], p.stream_id, p.version, p.last_position, 'ok', NULL::text
    FROM generate_subscripts(s_ids, 1) AS i JOIN per_stream p ON p.stream_id = s_ids[i]
    UNION ALL
    SELECT c, NULL, NULL, NULL, 'rejected', why[c] FROM generate_subscripts(c_stream, 1) AS c WHERE NOT ok[c];
END;
$$;
