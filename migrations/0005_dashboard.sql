-- Reserved slot (0005_dashboard); replaced by its feature's tables.
SELECT 1;
