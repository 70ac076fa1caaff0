-- Reserved slot (0006_audit_chain); replaced by its feature's tables.
SELECT 1;
