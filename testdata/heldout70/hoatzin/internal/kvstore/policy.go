package kvstore

import "time"

// Policy holds the lifetimes of the records the backend keeps in KV. The
// values come from NewPolicy, which differs between prod and dev builds.
type Policy struct {
	Session  time.Duration
	Ticket   time.Duration
	Presence time.Duration
	Profile  time.Duration
	Board    time.Duration
}
