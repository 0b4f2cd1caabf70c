package kvrace

import (
	"errors"

	"kvlint.test/syumai033/binding"
)

// An adapter that opens its binding per call: the get and the put reach
// the namespace its binding names, through a per-request view that
// embeds it.

type learnerScope struct {
	*binding.Store
	user string
}

func (s learnerScope) appendHistory(line string) error {
	key := "u:" + s.user + ":history"
	old, err := s.Get(key)
	if err != nil && !errors.Is(err, binding.ErrNotFound) {
		return err
	}
	return s.Put(key, old+line+"\n") // want `read-modify-write on one KV key`
}

// Quiet: two adapters over different bindings.
func copyHistory(from, to *binding.Store, user string) error {
	key := "u:" + user + ":history"
	old, err := from.Get(key)
	if err != nil {
		return err
	}
	return to.Put(key, old+"(copied)\n")
}

// The get made on the namespace the adapter opens, the put through the
// adapter: one binding.
func appendNote(s *binding.Store, user, line string) error {
	key := "u:" + user + ":notes"
	old, err := s.Namespace().GetString(key, nil)
	if err != nil {
		return err
	}
	return s.Put(key, old+line+"\n") // want `read-modify-write on one KV key`
}

// Quiet: the namespace of another adapter.
func copyNote(from, to *binding.Store, user string) error {
	key := "u:" + user + ":notes"
	old, err := from.Namespace().GetString(key, nil)
	if err != nil {
		return err
	}
	return to.Put(key, old+"(copied)\n")
}
