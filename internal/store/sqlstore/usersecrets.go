package sqlstore

import "github.com/iic-project/iic/internal/store"

type userSecrets struct{ s *sqlStore }

func (s *sqlStore) Users() store.Users             { return users{s} }
func (s *sqlStore) UserSecrets() store.UserSecrets { return userSecrets{s} }
