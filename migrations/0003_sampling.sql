-- Reserved slot (0003_sampling); replaced by its feature's tables.
SELECT 1;
