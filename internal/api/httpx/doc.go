// Package httpx is the HTTP plumbing every wire surface shares: the outer
// middleware (request id, body limit, panic recovery, access log, metrics),
// a router that never redirects and answers unknown routes, wrong methods
// and unclean paths with a 404, JSON encoding and decoding, the
// Authenticator interface every surface is mounted with (AK/SK, their
// composition OneOf), and Op: one API operation with its action name,
// guarded by its mount's Authenticator and the authorizer.
//
// Errors reach the wire only through WriteError. A surface with its own
// wire format claims its requests in Dialects, and its ErrorWriter writes
// every error of them; any other request gets the product's envelope: an
// *apierr.Error is written as {"error_code","error_msg","request_id"} with
// its status; anything else is logged and answered with 500 IIC.1260, never
// with its text.
package httpx
