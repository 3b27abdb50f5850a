-- name: record_warning
-- description: A row done with a caveat, for `mig sql "select code, message
--   from warnings where source = 'import'"`.
INSERT INTO warnings (source, code, message, entity, source_id, context, created_at)
VALUES ('import', :code, :message, :entity, :source_id, :context, :now);
