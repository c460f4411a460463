package sqlstore

import "github.com/iic-project/iic/internal/store"

type groups struct{ s *sqlStore }

func (s *sqlStore) Groups() store.Groups { return groups{s} }
