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

-- One snapshot per stream: the latest. Loading = snapshot + later events.
CREATE TABLE IF NOT EXISTS bahi_snapshots (
    stream_id      text PRIMARY KEY,
    stream_type    text NOT NULL,
    version        bigint NOT NULL,
    schema_version int NOT NULL,
    state          jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

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
CREATE OR REPLACE FUNCTION bahi_append(
    s_ids text[], s_types text[], s_expected bigint[],
    e_stream int[], e_ids uuid[], e_types text[], e_schema int[], e_data jsonb[], e_meta jsonb[],
    idem_key text, idem_hash text, idem_response jsonb, idem_stream text
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
            -- A concurrent twin with the same key fails here and rolls back whole.
            INSERT INTO bahi_idempotency (key, request_hash, response, stream_id, version, position)
            VALUES (idem_key, idem_hash, idem_response, idem_stream, version, last_position);
        END IF;
        RETURN NEXT;
    END LOOP;
END;
$$;
