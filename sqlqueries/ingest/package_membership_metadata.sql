-- name: package_membership_metadata
-- description: Gives memberships the metadata the package's memberships
--   file carried, collected in temp.pkg_membership_metadata.
-- binds: positional, by the Go code that prepares it

UPDATE memberships SET metadata = mm.metadata
FROM pkg_membership_metadata mm
JOIN users u ON u.source = ? AND u.source_tenant = ? AND u.source_id = mm.source_user_id
JOIN organizations o ON o.org_key = mm.org_key
WHERE memberships.user_id = u.id AND memberships.organization_id = o.id;
