package kvrace

import (
	"context"
	"encoding/json"

	"kvlint.test/syumai033/scoped"
)

type waitlist struct {
	Parties []string `json:"parties"`
}

// A list read through an option and written back as JSON through a
// pooled buffer, in one tenant's scope.
func queueParty(st scoped.Store, venue, party string) error {
	s := st.Scope("venue:" + venue)
	var wl waitlist
	if opt, err := s.Lookup("waitlist"); err != nil {
		return err
	} else if raw, ok := opt.Get(); ok {
		if err := json.Unmarshal([]byte(raw), &wl); err != nil {
			return err
		}
	}
	wl.Parties = append(wl.Parties, party)
	return s.PutJSON("waitlist", wl) // want `read-modify-write on one KV key`
}

// Quiet: a fresh list, written through the pooled buffer.
func clearParties(st scoped.Store, venue string) error {
	return st.Scope("venue:"+venue).PutJSON("waitlist", waitlist{})
}

type hosts struct{ store scoped.Store }

// A record read by a generic helper given the store a service holds,
// then written back through the store.
func (h *hosts) seen(id string) error {
	key := "host:" + id
	found, err := scoped.GetJSON[waitlist](context.Background(), h.store, key)
	if err != nil {
		return err
	}
	wl, _ := found.Get()
	wl.Parties = append(wl.Parties, "seen")
	return h.store.PutJSON(key, wl) // want `read-modify-write on one KV key`
}

// Quiet: read from one host's key, written to another's.
func (h *hosts) copyTo(from, to string) error {
	found, err := scoped.GetJSON[waitlist](context.Background(), h.store, "host:"+from)
	if err != nil {
		return err
	}
	wl, _ := found.Get()
	return h.store.PutJSON("host:"+to, wl)
}

func newHosts(st scoped.Store) *hosts { return &hosts{store: st} }

func hostsOf(binding string) (*hosts, error) {
	st, err := scoped.Open(binding)
	return newHosts(st.Scope("hosts")), err
}

// A list read and written back through one scope whose prefix is grown
// over its ids: the same scope, the same key.
func queueUpcoming(st scoped.Store, tutor, booking string) error {
	s := st.Under("tutor", tutor)
	var wl waitlist
	if opt, err := s.Lookup("upcoming"); err != nil {
		return err
	} else if raw, ok := opt.Get(); ok {
		if err := json.Unmarshal([]byte(raw), &wl); err != nil {
			return err
		}
	}
	wl.Parties = append(wl.Parties, booking)
	return s.PutJSON("upcoming", wl) // want `read-modify-write on one KV key`
}

// Quiet: read in one tutor's scope, written in another's.
func copyUpcoming(st scoped.Store, from, to string) error {
	src, dst := st.Under("tutor", from), st.Under("tutor", to)
	var wl waitlist
	if opt, err := src.Lookup("upcoming"); err != nil {
		return err
	} else if raw, ok := opt.Get(); ok {
		if err := json.Unmarshal([]byte(raw), &wl); err != nil {
			return err
		}
	}
	return dst.PutJSON("upcoming", wl)
}

// Quiet: a cache fill. What the get decodes reaches the write only when
// the decode failed; on success the function returns.
func trending(st scoped.Store, fetch func() []string) ([]string, error) {
	var rows []string
	if raw, err := st.Get("trending"); err == nil && json.Unmarshal([]byte(raw), &rows) == nil {
		return rows, nil
	}
	rows = append(rows, fetch()...)
	return rows, st.PutJSON("trending", rows)
}

// A record read by a generic helper given a scope whose prefix grows
// over its ids, and written back through that scope.
func (h *hosts) mark(tutor string) error {
	s := h.store.Under("tutor", tutor)
	found, err := scoped.GetJSON[waitlist](context.Background(), s, "marks")
	if err != nil {
		return err
	}
	wl, _ := found.Get()
	wl.Parties = append(wl.Parties, "marked")
	return s.PutJSON("marks", wl) // want `read-modify-write on one KV key`
}

type job struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

func (j job) Key() string { return j.ID }

// A record loaded by its id and saved by its own key, in a deferred
// write, through one scope.
func runJob(st scoped.Store, id string) error {
	jobs := st.Scope("jobs")
	j, err := scoped.Load[job](jobs, id)
	if err != nil {
		return err
	}
	defer func() {
		j.State = "done"
		_ = scoped.Save(jobs, j) // want `read-modify-write on one KV key`
	}()
	return nil
}

// Quiet: loaded from one scope, saved into another of the same namespace.
func archiveJob(st scoped.Store, id string) error {
	j, err := scoped.Load[job](st.Scope("jobs"), id)
	if err != nil {
		return err
	}
	j.State = "archived"
	return scoped.Save(st.Scope("archive"), j)
}
