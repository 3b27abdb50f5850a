-- What the importer cannot send, and why. In WorkOS a role belongs to an
-- organization membership: a membership carries the roles given in its
-- organization and those given without one (staged_memberships.role_slugs).
-- A role assignment no membership carries is never sent;
-- role_assignments_not_sent lists them, with why, for the import plan and
-- summary, `mig errors` and the check rule that reports them. Its
-- condition is the converse of staged_memberships' and must stay so.

-- +goose Up
CREATE VIEW role_assignments_not_sent AS
SELECT a.*,
       CASE a.reason
           WHEN 'user_without_organization' THEN
               'the user belongs to no organization, and in WorkOS a role belongs to an organization membership'
           ELSE 'the user is not a member of the organization the role is given in'
       END AS message
FROM (
    SELECT ra.id, ra.user_id, u.email, u.source_id AS user_source_id, ra.role_slug,
           ra.organization_id, o.org_key, ra.source, ra.row_number,
           CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ra.user_id)
                THEN 'user_not_in_organization' ELSE 'user_without_organization' END AS reason
    FROM role_assignments ra
    JOIN users u ON u.id = ra.user_id
    LEFT JOIN organizations o ON o.id = ra.organization_id
    WHERE NOT EXISTS (SELECT 1 FROM memberships m
                      WHERE m.user_id = ra.user_id
                        AND (ra.organization_id IS NULL OR m.organization_id = ra.organization_id))
) a;

-- +goose Down
DROP VIEW role_assignments_not_sent;
