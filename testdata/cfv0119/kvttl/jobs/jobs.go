// Package jobs is the program's own package of deferred work, whose
// records the program's code builds.
package jobs

// Snooze is a snooze deferred by the program, its lifetime as text.
type Snooze struct {
	Guild, User string
	For         string
}
