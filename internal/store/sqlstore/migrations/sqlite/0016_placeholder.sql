-- Placeholder: step 0016 belongs to another branch. This file exists only so
-- that the steps stay consecutive on this branch; delete it when the real
-- step 0016 is merged.
SELECT 1;
