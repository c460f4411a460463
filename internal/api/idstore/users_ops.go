package idstore

import "github.com/iic-project/iic/internal/api/httpx"

func (a *API) userOps() []httpx.Op {
	return nil
}
