// Package jobs keeps each job's lifetime in a field of an unnamed struct,
// which main reads for the put it makes.
package jobs

import "time"

type Job struct {
	Name  string
	Limit struct{ TTL time.Duration }
}

// Nightly is the nightly job, whose records live half a minute: below
// KV's minimum, though the put is made in main.
func Nightly() Job {
	var j Job
	j.Name = "nightly"
	j.Limit.TTL = 30 * time.Second // kvttl
	return j
}
