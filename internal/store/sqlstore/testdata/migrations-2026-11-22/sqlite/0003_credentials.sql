-- Reserved: filled in by the identity-store work. A step must not be empty.
SELECT 1;
