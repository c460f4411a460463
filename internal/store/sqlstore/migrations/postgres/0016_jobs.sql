-- Reserved for the durable job runner (issue 9), which lands this step with its
-- jobs table; this placeholder keeps the numbering contiguous until then.
SELECT 1;
