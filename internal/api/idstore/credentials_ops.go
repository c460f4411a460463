package idstore

import "github.com/iic-project/iic/internal/api/httpx"

func (a *API) credentialOps() []httpx.Op {
	return nil
}
