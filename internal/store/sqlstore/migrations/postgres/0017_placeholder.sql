-- Placeholder: step 0017 belongs to another branch. This file exists only so
-- that the steps stay consecutive on this branch; delete it when the real
-- step 0017 is merged.
SELECT 1;
