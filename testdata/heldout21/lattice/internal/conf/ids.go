// Package conf holds the value objects shared by every Lattice service:
// identifiers for conferences, papers, people and tickets, and the small
// validated types (emails, hostnames, scores) that travel between layers.
package conf

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
)

// ConferenceID is the short code of a conference edition, e.g. "ICSE26".
type ConferenceID string

// PaperID identifies a submission: "<conference>-<year>-<number>".
type PaperID string

// ReviewerID identifies a programme-committee member.
type ReviewerID string

// AuthorID identifies an author account.
type AuthorID string

// AttendeeID identifies a registered attendee.
type AttendeeID string

// TrackID identifies a track inside a conference (research, industry, ...).
type TrackID string

// TicketID identifies a support ticket.
type TicketID string

// EpisodeID identifies a podcast episode or a talk recording.
type EpisodeID string

var (
	conferencePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,11}$`)
	paperPattern      = regexp.MustCompile(`^([A-Z][A-Z0-9]{1,11})-(\d{4})-(\d{1,5})$`)
	hostnamePattern   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// ErrInvalid is wrapped by every constructor in this package.
var ErrInvalid = errors.New("conf: invalid value")

// NewConferenceID validates a conference code.
func NewConferenceID(s string) (ConferenceID, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !conferencePattern.MatchString(s) {
		return "", fmt.Errorf("%w: conference %q", ErrInvalid, s)
	}
	return ConferenceID(s), nil
}

// MakePaperID builds a paper identifier from its parts.
func MakePaperID(c ConferenceID, year, number int) PaperID {
	return PaperID(fmt.Sprintf("%s-%04d-%d", c, year, number))
}

// Conference returns the conference part of the identifier.
func (p PaperID) Conference() ConferenceID {
	m := paperPattern.FindStringSubmatch(string(p))
	if m == nil {
		return ""
	}
	return ConferenceID(m[1])
}

// Email is a normalised, syntactically valid address.
type Email string

// NewEmail parses and normalises an address.
func NewEmail(s string) (Email, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("%w: email %q: %v", ErrInvalid, s, err)
	}
	local, domain, ok := strings.Cut(addr.Address, "@")
	if !ok || local == "" || domain == "" {
		return "", fmt.Errorf("%w: email %q", ErrInvalid, s)
	}
	return Email(local + "@" + strings.ToLower(domain)), nil
}

// Hostname is a lower-case DNS name that an organiser wants to serve the
// conference site from.
type Hostname string

// NewHostname validates a custom domain.
func NewHostname(s string) (Hostname, error) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if len(s) == 0 || len(s) > 253 {
		return "", fmt.Errorf("%w: hostname length", ErrInvalid)
	}
	if !hostnamePattern.MatchString(s) {
		return "", fmt.Errorf("%w: hostname %q", ErrInvalid, s)
	}
	return Hostname(s), nil
}

// String implements fmt.Stringer.
func (a AuthorID) String() string { return string(a) }
