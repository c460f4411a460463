package sqlstore

import "github.com/iic-project/iic/internal/store"

type sources struct{ s *sqlStore }

func (s *sqlStore) Sources() store.Sources { return sources{s} }
