package booking

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewID returns 16 random bytes, hex encoded.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// PortalSession is a logged-in patient on the portal.
type PortalSession struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient"`
	Phone     string    `json:"phone"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
}

// Key of a portal session. The patient ID is part of the key so all sessions
// of a patient can be listed.
func (s PortalSession) Key() string { return "portal:sess:" + s.PatientID + ":" + s.ID }

// TTL of a portal session.
func (s PortalSession) TTL() time.Duration { return 12 * time.Hour }

// OTPChallenge is an SMS one-time code waiting to be entered.
type OTPChallenge struct {
	ID       string    `json:"id"`
	Phone    string    `json:"phone"`
	CodeHash string    `json:"code_hash"`
	Failures int       `json:"failures"`
	Created  time.Time `json:"created"`
}

// Key of a challenge.
func (c OTPChallenge) Key() string { return "portal:otp:" + c.ID }

// TTL: codes are valid for ten minutes.
func (c OTPChallenge) TTL() time.Duration { return 10 * time.Minute }

// CSRFNonce binds a form to a session.
type CSRFNonce struct {
	Value     string `json:"v"`
	SessionID string `json:"sid"`
}

// Key of a nonce.
func (n CSRFNonce) Key() string { return "csrf:" + n.Value }

// TTL of a nonce.
func (n CSRFNonce) TTL() time.Duration { return 2 * time.Hour }
