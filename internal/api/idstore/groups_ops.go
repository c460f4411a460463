package idstore

import "github.com/iic-project/iic/internal/api/httpx"

func (a *API) groupOps() []httpx.Op {
	return nil
}
