-- name: droppable_indexes
-- description: The indexes of table ?1 a bulk first ingest drops and
--   builds again at the end. An index led by the integer primary key
--   stays, and so does one whose columns are all the same for every row
--   of the run (source, source_tenant, ingest_run_id): rows appended in
--   id order extend both at their edge, which costs less than a rebuild.

SELECT m.name, m.sql FROM sqlite_schema m
WHERE m.type = 'index' AND m.tbl_name = ?1 AND m.sql IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM pragma_index_info(m.name) i JOIN pragma_table_info(?1) c ON c.name = i.name
                  WHERE i.seqno = 0 AND c.pk = 1 AND c.type = 'INTEGER')
  AND EXISTS (SELECT 1 FROM pragma_index_info(m.name) i WHERE i.name NOT IN ('source', 'source_tenant', 'ingest_run_id'));
