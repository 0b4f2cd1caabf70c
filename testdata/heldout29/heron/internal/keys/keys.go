// Package keys builds storage keys. Every key the services write is built
// here so that the layout of the namespaces can be read in one place.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"example.com/heron/internal/domain"
)

// segment makes a user-supplied string safe to embed in a key: separators
// and whitespace are replaced so a value cannot forge another key's shape.
var segment = strings.NewReplacer(
	":", "_",
	"/", "_",
	" ", "-",
	"\t", "-",
	"\n", "",
)

// Segment normalises one key segment.
func Segment(s string) string {
	return segment.Replace(strings.ToLower(strings.TrimSpace(s)))
}

// Ticket is the key of a ticket record.
func Ticket(id domain.TicketID) string {
	return "ticket:" + Segment(string(id))
}

// Slot is the key of a slot definition.
func Slot(id domain.SlotID) string {
	return "slot:" + Segment(string(id))
}

// SlotCapacity returns the key holding the remaining places of an exhibit's
// slot starting at start, e.g. "cap:impressionists:1735725600".
func SlotCapacity(exhibitID string, start time.Time) string {
	b := make([]byte, 0, 48)
	b = append(b, "cap:"...)
	b = fmt.Appendf(b, "%s:", Segment(exhibitID))
	b = strconv.AppendInt(b, start.Unix(), 10)
	return string(b)
}

// SlotPass is the key of an entry pass handed to a visitor at the gate.
func SlotPass(slot domain.SlotID, ticket domain.TicketID) string {
	b := make([]byte, 0, 64)
	b = append(b, "pass:"...)
	b = append(b, Segment(string(slot))...)
	b = append(b, ':')
	b = append(b, Segment(string(ticket))...)
	return string(b)
}

// Scan is the key of one scan event. Scans are written once each and never
// rewritten; the timestamp makes repeated scans of a ticket distinct keys.
func Scan(ticket domain.TicketID, scanner string, at time.Time) string {
	b := make([]byte, 0, 80)
	b = fmt.Appendf(b, "scan:%s:%s:", Segment(string(ticket)), Segment(scanner))
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	return string(b)
}

// Day formats t as the calendar-day part of a key.
func Day(t time.Time) string {
	return t.UTC().Format("2006-01-02")
}

// Hashed returns a fixed-length key for an arbitrary secret so that tokens
// never appear in key listings.
func Hashed(prefix, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return prefix + hex.EncodeToString(sum[:])
}

var audioTmpl = template.Must(template.New("audio").Parse(
	`audio/{{.Lang}}/{{.ExhibitID}}/{{.TrackID}}`))

// AudioObject renders the key of an audio-guide file.
func AudioObject(lang, exhibitID, trackID string) (string, error) {
	var buf strings.Builder
	err := audioTmpl.Execute(&buf, struct{ Lang, ExhibitID, TrackID string }{
		Lang:      Segment(lang),
		ExhibitID: Segment(exhibitID),
		TrackID:   Segment(trackID),
	})
	if err != nil {
		return "", fmt.Errorf("keys: audio object: %w", err)
	}
	return buf.String(), nil
}

// MemberScoped prefixes a member-owned record so all of a member's records
// can be listed with one prefix, e.g. "m:abc123:sess:…".
func MemberScoped(memberID, kind, id string) string {
	return "m:" + Segment(memberID) + ":" + kind + ":" + id
}

// MemberPrefix is the list prefix for MemberScoped keys of one kind.
func MemberPrefix(memberID, kind string) string {
	return "m:" + Segment(memberID) + ":" + kind + ":"
}
