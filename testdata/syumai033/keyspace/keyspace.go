// Package keyspace builds keys in a package of its own, as services do:
// the callers see calls, not the constant text.
package keyspace

// Session is the key of a session.
func Session(id string) string { return "session:" + id }

// Verify is the key of a pending email verification.
func Verify(email string) string { return "verify:" + email }

// Event is the key of a published event.
func Event(id string) string { return "event:" + id }
