// Package keys builds pukeko's KV key names. Every key type appends its text
// form with AppendText so that hot paths can build keys without allocating.
package keys

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"strings"
	"time"
)

// ListID names a mailing list.
type ListID string

// CampaignID names one send of one newsletter issue.
type CampaignID string

// String renders any key type.
func String(k encoding.TextAppender) string {
	b, err := k.AppendText(make([]byte, 0, 96))
	if err != nil {
		panic("keys: " + err.Error())
	}
	return string(b)
}

// EmailHash is the lower-case hex SHA-256 of a normalised address. Addresses
// never appear in key names.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:16])
}

// Subscriber is the record of one address on one list.
type Subscriber struct {
	List  ListID
	Email string
}

func (k Subscriber) AppendText(b []byte) ([]byte, error) {
	b = append(b, "sub:"...)
	b = append(b, k.List...)
	b = append(b, ':')
	return append(b, EmailHash(k.Email)...), nil
}

// SubscriberPrefix is the listing prefix of every subscriber of list.
func SubscriberPrefix(list ListID) string { return "sub:" + string(list) + ":" }

// OptIn is a pending double opt-in confirmation token.
type OptIn struct{ Token string }

func (k OptIn) AppendText(b []byte) ([]byte, error) {
	return append(append(b, "optin:"...), k.Token...), nil
}

// Pref is a preference-centre link token.
type Pref struct{ Token string }

func (k Pref) AppendText(b []byte) ([]byte, error) {
	return append(append(b, "pref:"...), k.Token...), nil
}

// Quota is one sender's send counter for one UTC day.
type Quota struct {
	Sender string
	Day    time.Time
}

func (k Quota) AppendText(b []byte) ([]byte, error) {
	b = append(b, "quota:"...)
	b = append(b, k.Sender...)
	b = append(b, ':')
	return k.Day.UTC().AppendFormat(b, "20060102"), nil
}

// Bounce holds the bounce tally of one address.
type Bounce struct{ Email string }

func (k Bounce) AppendText(b []byte) ([]byte, error) {
	return append(append(b, "bounce:"...), EmailHash(k.Email)...), nil
}

// Session is an admin dashboard session.
type Session struct{ ID string }

func (k Session) AppendText(b []byte) ([]byte, error) {
	return append(append(b, "sess:admin:"...), k.ID...), nil
}

// Sketch is a probabilistic summary of one campaign (unique opens, clicks).
type Sketch struct {
	Campaign CampaignID
	Kind     string
}

func (k Sketch) AppendText(b []byte) ([]byte, error) {
	b = append(b, "sketch:"...)
	b = append(b, k.Kind...)
	b = append(b, ':')
	return append(b, k.Campaign...), nil
}

// CampaignStats is the rolled-up statistics document of a campaign.
type CampaignStats struct{ Campaign CampaignID }

func (k CampaignStats) AppendText(b []byte) ([]byte, error) {
	return append(append(b, "stats:"...), k.Campaign...), nil
}

// Event is one raw tracking event awaiting roll-up.
type Event struct {
	Campaign CampaignID
	ID       string
}

func (k Event) AppendText(b []byte) ([]byte, error) {
	b = append(b, "evt:"...)
	b = append(b, k.Campaign...)
	b = append(b, ':')
	return append(b, k.ID...), nil
}

// EventPrefix lists the raw events of one campaign.
func EventPrefix(c CampaignID) string { return "evt:" + string(c) + ":" }
