package kvsession

import (
	"net/http"

	"kvlint.test/syumai033/units"
)

// A delete staged in a unit of work is the delete.
func logoutStaged(s *units.Store, w http.ResponseWriter, r *http.Request) { // want logoutStaged:"kvsession"
	c, err := r.Cookie("session")
	if err != nil {
		return
	}
	uow := s.Begin()
	uow.Delete("session:" + c.Value) // want `session revoked or consumed by a KV delete`
	if err := uow.Commit(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
