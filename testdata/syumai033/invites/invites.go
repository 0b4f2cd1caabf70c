// Package invites holds the records of an invitation flow.
package invites

// Member is one member of an organisation, added when an invitation is
// accepted.
type Member struct {
	Email, Role string
}
