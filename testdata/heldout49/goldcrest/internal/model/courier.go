package model

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"
)

// Session is a courier app session.
type Session struct {
	ID        string    `json:"id"`
	CourierID string    `json:"courier"`
	DepotID   string    `json:"depot"`
	Vehicle   string    `json:"vehicle,omitempty"`
	IssuedAt  time.Time `json:"iat"`
	LastSeen  time.Time `json:"seen"`
	ExpiresAt time.Time `json:"exp"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (s Session) MarshalBinary() ([]byte, error) { return json.Marshal(s) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *Session) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, s) }

// Break is a pause within a shift.
type Break struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitempty"`
}

// Shift is a courier's working shift.
type Shift struct {
	CourierID string    `json:"courier"`
	DepotID   string    `json:"depot"`
	Start     time.Time `json:"start"`
	EndsAt    time.Time `json:"ends_at"`
	Breaks    []Break   `json:"breaks,omitempty"`
	Closed    bool      `json:"closed"`
	Rev       int       `json:"rev"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (s Shift) MarshalBinary() ([]byte, error) { return json.Marshal(s) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *Shift) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, s) }

// OnBreak reports whether the last break is still open.
func (s *Shift) OnBreak() bool {
	return len(s.Breaks) > 0 && s.Breaks[len(s.Breaks)-1].End.IsZero()
}

// HandoverCode is the one-time code a recipient reads out to the courier.
// It is stored as 8 bytes: the code and the unix expiry, big endian.
type HandoverCode struct {
	Code      uint32
	ExpiresAt time.Time
}

var errShortCode = errors.New("model: short handover code")

// MarshalBinary implements encoding.BinaryMarshaler.
func (h HandoverCode) MarshalBinary() ([]byte, error) {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b[:4], h.Code)
	binary.BigEndian.PutUint32(b[4:], uint32(h.ExpiresAt.Unix()))
	return b, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (h *HandoverCode) UnmarshalBinary(b []byte) error {
	if len(b) < 8 {
		return errShortCode
	}
	h.Code = binary.BigEndian.Uint32(b[:4])
	h.ExpiresAt = time.Unix(int64(binary.BigEndian.Uint32(b[4:])), 0).UTC()
	return nil
}

// NewID returns a random URL-safe identifier of n random bytes.
func NewID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
