package idstore

import "github.com/iic-project/iic/internal/api/httpx"

func (a *API) sourceOps() []httpx.Op {
	return nil
}
