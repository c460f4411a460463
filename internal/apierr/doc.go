// Package apierr is the product's error-code table (error-codes.tsv, generated
// into codes_gen.go) and the Error value every wire surface encodes.
//
// Services return *Error values built from a Def (apierr.IIC1216.New()); the
// HTTP layer writes them as {"error_code","error_msg","request_id"} with the
// Def's status. Any other error that reaches the HTTP layer is logged and
// answered with IIC1260 (500), never with its text.
//
// Regenerate the table after editing error-codes.tsv: go generate ./internal/apierr
package apierr

//go:generate go run ./gen error-codes.tsv codes_gen.go
