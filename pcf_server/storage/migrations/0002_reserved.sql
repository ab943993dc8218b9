-- Placeholder: migration number 0002 belongs to another change being made in parallel
-- (issue 3). It exists only so that the loader's 1..n check passes on this branch;
-- when the branches merge, the real 0002 replaces this file.
SELECT 1;
