package kvrace

import (
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
