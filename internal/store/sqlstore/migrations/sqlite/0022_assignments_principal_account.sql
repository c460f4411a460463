-- A principal's assignments in one account, in seq order: the per-principal
-- range that ListByPrincipals reads when the list names an account (without
-- it, each principal's whole range is read and filtered by account).
CREATE INDEX account_assignments_principal_account ON account_assignments (instance_id, principal_id, account_id, seq);
