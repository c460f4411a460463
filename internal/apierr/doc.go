// Package apierr is the product's error-code table (error-codes.tsv, generated
// into codes_gen.go) and the Error value every surface renders.
//
// Services return *Error values built from a Def (apierr.IIC1216.New()). Each
// row has a Kind (the table's kind column: NotFound, Conflict, Invalid,
// FailedPrecondition, Limit, ...) that says what went wrong independently of a
// wire format, and an Error may carry details: the unique key that clashed
// (WithKey) and the resource it is about (About).
//
// Surfaces render errors in their own dialect: the admin surfaces write the
// product's envelope {"error_code","error_msg","request_id"} with the row's
// status and ignore the details; SCIM maps the Kind and details to RFC 7644's
// status and scimType. Any other error that reaches a surface is logged and
// answered as an internal error (IIC1260 in the envelope), never with its text.
//
// Regenerate the table after editing error-codes.tsv: go generate ./internal/apierr
package apierr

//go:generate go run ./gen error-codes.tsv codes_gen.go
