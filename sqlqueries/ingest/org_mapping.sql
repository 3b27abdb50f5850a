-- name: org_mapping
-- description: Turns the org-mapping lines of one ingest run into organizations
--   and memberships. The priority rule itself is the org_mapping_resolved view
--   (org_id > org_external_id, named by org_name when it must be created > org_name).
-- params: :run_id, :source, :tenant, :now, :after_row

-- Every statement reads the run's lines in file order: the unary + keeps the
-- planner off the indexes on the lines, so that the user lookups follow the
-- order of the users file (the order exports list users in) and walk the
-- users index in order instead of jumping around it. At a million lines the
-- lookups are most of the work, so no temporary copy of the lines is made
-- either: each statement joins what it needs. The run's lines are those
-- with ids above :after_row (0 when the run staged all of the source's
-- lines): a re-ingest applying the mapping by difference
-- (org_mapping_diff.sql) staged a few lines after a million others, and
-- reads only those instead of passing over them all.

-- Lines that name no organization at all.
INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'org_mapping_empty',
       'org mapping line has no org_id, org_external_id or org_name; no membership is made',
       'org_mapping', r.source_user_id, r.file, r.row_number, :now
FROM org_mapping_resolved r
WHERE +r.ingest_run_id = :run_id AND r.mapping_row_id > :after_row AND r.org_key IS NULL;

-- One organization per org_key. The first line that gives a name (in the
-- order the lines were read) names it; a later run can fill in a name but
-- never renames.
--
-- A million lines make a few thousand distinct (org_id, org_external_id,
-- org_name) statements: they are read off org_mapping_rows_orgs in order,
-- each with its first line (a run's lines get ids in the order they are
-- read), and only those first lines go through the priority rule. An
-- organization's first line, and its first line with a name, are each the
-- first line of one of its statements. (The zero-padded id in front of the
-- name makes min() pick the first line's name.)
INSERT INTO organizations (org_key, resolution, workos_org_id, external_id, name, source, source_tenant, ingest_run_id, row_number)
SELECT g.org_key,
       CASE
           WHEN g.org_key LIKE 'id:%' THEN 'org_id'
           WHEN g.org_key LIKE 'ext:%' AND g.first_name IS NOT NULL THEN 'external_id_create'
           WHEN g.org_key LIKE 'ext:%' THEN 'external_id'
           ELSE 'name'
       END,
       g.org_id, g.org_external_id, substr(g.first_name, 14),
       :source, :tenant, :run_id, (SELECT m.row_number FROM org_mapping_rows m WHERE m.id = g.first_id)
FROM (
    SELECT r.org_key, min(r.org_id) AS org_id, min(r.org_external_id) AS org_external_id,
           min(printf('%012d ', r.mapping_row_id) || r.org_name) AS first_name, min(r.mapping_row_id) AS first_id
    FROM (
        SELECT min(id) AS first_id
        FROM org_mapping_rows INDEXED BY org_mapping_rows_orgs
        WHERE ingest_run_id = :run_id
        GROUP BY org_id, org_external_id, org_name
    ) s
    JOIN org_mapping_resolved r ON r.mapping_row_id = s.first_id
    WHERE r.org_key IS NOT NULL
    GROUP BY r.org_key
) g
WHERE true
ON CONFLICT (org_key) DO UPDATE SET
    name = coalesce(organizations.name, excluded.name),
    resolution = CASE WHEN organizations.resolution = 'external_id' AND excluded.resolution = 'external_id_create'
                      THEN 'external_id_create' ELSE organizations.resolution END;

-- Every (user, organization) pair is one membership, whatever the number of
-- lines that say so; a user may belong to several organizations. Lines go
-- in file order, so a pair's first line is the one that inserts it; a
-- membership an earlier run made is kept and takes this run's line.
INSERT INTO memberships (user_id, organization_id, source, ingest_run_id, row_number)
SELECT u.id, o.id, :source, :run_id, r.row_number
FROM org_mapping_resolved r
JOIN users u ON u.source = r.source AND u.source_tenant = r.source_tenant AND u.source_id = r.source_user_id
            AND (:any_missing = 0 OR u.change <> 'missing')
JOIN organizations o ON o.org_key = r.org_key
WHERE +r.ingest_run_id = :run_id AND r.mapping_row_id > :after_row
ORDER BY r.mapping_row_id
ON CONFLICT (user_id, organization_id) DO UPDATE SET
    ingest_run_id = excluded.ingest_run_id,
    row_number = CASE WHEN memberships.ingest_run_id = excluded.ingest_run_id
                      THEN min(memberships.row_number, excluded.row_number) ELSE excluded.row_number END;

-- Lines whose user is not in the export (or was skipped, or is missing:
-- staged from an earlier export, not in this one). :any_missing is 0 when
-- the source has no missing user: the test of a user's change then reads
-- no user's row (a million rows on a first ingest). Finding them
-- takes a user lookup per line, so it is skipped when it cannot find any:
-- when every line with an organization made a membership of its own, every
-- such line's user was found. (The two counts are constant terms, which
-- SQLite tests once before the scan. A re-ingest by difference has few
-- lines, and looks their users up rather than count every membership.)
INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'org_mapping_unknown_user',
       CASE WHEN EXISTS (SELECT 1 FROM skipped_users s WHERE s.source = :source AND s.source_tenant = :tenant AND s.source_id = r.source_user_id)
            THEN 'org mapping names user ' || r.source_user_id || ', who was skipped (see skipped_users); no membership is made'
            ELSE 'org mapping names user ' || r.source_user_id || ', who is not in the export; no membership is made' END,
       'org_mapping', r.source_user_id, r.file, r.row_number, :now
FROM org_mapping_resolved r
WHERE (:after_row > 0
       OR (SELECT count(*) FROM org_mapping_rows WHERE +ingest_run_id = :run_id AND org_key IS NOT NULL)
          > (SELECT count(*) FROM memberships WHERE ingest_run_id = :run_id))
  AND +r.ingest_run_id = :run_id AND r.mapping_row_id > :after_row AND r.org_key IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.source = r.source AND u.source_tenant = r.source_tenant AND u.source_id = r.source_user_id
                  AND (:any_missing = 0 OR u.change <> 'missing'));
