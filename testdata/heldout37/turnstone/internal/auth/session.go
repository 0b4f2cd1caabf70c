// Package auth implements magic-link sign-in and reader sessions.
package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/gob"
	"strings"
	"time"
)

// Session is a signed-in reader.
type Session struct {
	ID        string
	UserHash  string
	Email     string
	LastPath  string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
}

// sessionWire has Session's fields without its methods, so gob does not recurse.
type sessionWire Session

func (s Session) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(sessionWire(s))
	return buf.Bytes(), err
}

func (s *Session) UnmarshalBinary(b []byte) error {
	return gob.NewDecoder(bytes.NewReader(b)).Decode((*sessionWire)(s))
}

// Cookie is the value stored in the reader's cookie.
func (s Session) Cookie() string { return s.UserHash + "." + s.ID }

// sessionCodec stores sessions as base64 of their binary form.
type sessionCodec struct{}

func (sessionCodec) Encode(s Session) (string, error) {
	b, err := s.MarshalBinary()
	return base64.RawStdEncoding.EncodeToString(b), err
}

func (sessionCodec) Decode(v string) (Session, error) {
	var s Session
	b, err := base64.RawStdEncoding.DecodeString(v)
	if err == nil {
		err = s.UnmarshalBinary(b)
	}
	return s, err
}

// UserHash is the stable, non-reversible id of an address used in keys.
func UserHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

func newID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
