package sqlstore

import "github.com/iic-project/iic/internal/store"

type devices struct{ s *sqlStore }

func (s *sqlStore) Devices() store.Devices { return devices{s} }
