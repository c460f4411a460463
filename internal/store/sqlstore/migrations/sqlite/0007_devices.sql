-- Reserved: MFA devices and portal sessions. A step must not be empty.
SELECT 1;
