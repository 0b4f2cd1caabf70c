package kvrace

import (
	"strings"
	"time"

	"kvlint.test/syumai033/units"
)

// A unit of work's Put is the write: the key and value are chosen at the
// call, and Commit only makes it later.
func addTag(s *units.Store, id, tag string) error {
	uow := s.Begin()
	tags, err := s.Get("tags/" + id)
	if err != nil {
		return err
	}
	uow.Put("tags/"+id, tags+","+tag, time.Hour) // want `read-modify-write on one KV key`
	return uow.Commit()
}

// Quiet: the value written does not come from the one read.
func rename(s *units.Store, id, name string) error {
	uow := s.Begin()
	old, err := s.Get("name/" + id)
	if err != nil {
		return err
	}
	uow.Put("name/"+id, strings.TrimSpace(name), 0)
	uow.Put("previous-name/"+id, old, 0)
	return uow.Commit()
}
