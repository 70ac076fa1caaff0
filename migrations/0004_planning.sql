-- Reserved slot (0004_planning); replaced by its feature's tables.
SELECT 1;
