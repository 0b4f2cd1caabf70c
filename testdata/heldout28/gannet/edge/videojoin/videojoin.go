// Package videojoin issues the links patients and clinicians use to join
// a video visit, and checks them when the video room asks.
package videojoin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"time"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

var (
	timeNow  = time.Now
	newToken = randomToken
)

func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return keys.Opaque(b[:])
}

// Errors of the join flow.
var (
	ErrTooEarly = errors.New("videojoin: the visit has not opened yet")
	ErrUsed     = errors.New("videojoin: link already used")
	ErrNoPIN    = errors.New("videojoin: no host PIN set for this visit")
	ErrBadPIN   = errors.New("videojoin: wrong host PIN")
)

type linkStore interface {
	PutSeconds(ctx context.Context, key string, value []byte, secs ttl.Seconds) error
	Load(ctx context.Context, key string, into any) (bool, error)
	Put(ctx context.Context, key string, value []byte) error
}

type pinReader interface {
	Text(ctx context.Context, key string) (string, error)
}

// Service issues and redeems join links.
type Service struct {
	links linkStore
	pins  pinReader
}

// New wires the service.
func New(links linkStore, pins pinReader) *Service { return &Service{links: links, pins: pins} }

func (s *Service) token(appt domain.Appointment, role string) (string, []byte, error) {
	tok := newToken()
	b, err := json.Marshal(domain.JoinToken{
		Token:     tok,
		VisitID:   appt.ID,
		Role:      role,
		NotBefore: appt.StartsAt.Add(-ttl.JoinEarly),
	})
	return tok, b, err
}

// IssuePatient returns the link e-mailed to the patient. It stays valid
// until the grace period after the scheduled end of the visit.
func (s *Service) IssuePatient(ctx context.Context, appt domain.Appointment) (string, error) {
	tok, b, err := s.token(appt, "patient")
	if err != nil {
		return "", err
	}
	left := time.Until(appt.EndsAt.Add(ttl.JoinGrace))
	return tok, s.links.PutSeconds(ctx, keys.JoinLink(tok), b, ttl.Of(left)) // EXPECT kvttl
}

// IssueHost returns the clinician's link. Hosts may reopen a room that ran
// over, so the link lives at least a minute even when issued late.
func (s *Service) IssueHost(ctx context.Context, appt domain.Appointment) (string, error) {
	tok, b, err := s.token(appt, "host")
	if err != nil {
		return "", err
	}
	life := max(time.Until(appt.EndsAt.Add(ttl.JoinGrace)), ttl.Floor)
	return tok, s.links.PutSeconds(ctx, keys.JoinLink(tok), b, ttl.Of(life))
}

// markUsed records that a join token has been spent.
func markUsed(ctx context.Context, kv interface {
	Put(context.Context, string, []byte) error
}, key string, jt domain.JoinToken) error {
	b, err := json.Marshal(jt)
	if err != nil {
		return err
	}
	return kv.Put(ctx, key, b)
}

// Redeem admits the holder of tok once.
func (s *Service) Redeem(ctx context.Context, tok string) (domain.JoinToken, error) {
	key := keys.JoinLink(tok)
	var jt domain.JoinToken
	found, err := s.links.Load(ctx, key, &jt)
	if err != nil {
		return domain.JoinToken{}, err
	}
	if !found {
		return domain.JoinToken{}, domain.ErrExpired
	}
	now := timeNow()
	if now.Before(jt.NotBefore) {
		return domain.JoinToken{}, ErrTooEarly
	}
	if jt.Used {
		return domain.JoinToken{}, ErrUsed
	}
	jt.Used, jt.UsedAt = true, now.UTC()
	if err := markUsed(ctx, s.links, key, jt); err != nil { // EXPECT kvsession
		return domain.JoinToken{}, err
	}
	return jt, nil
}

// CheckHostPIN verifies the PIN a clinician types to open the room from a
// shared device.
func (s *Service) CheckHostPIN(ctx context.Context, visitID, pin string) error {
	want, err := s.pins.Text(ctx, keys.HostPIN(visitID))
	if err != nil {
		return err
	}
	if len(want) == 0 { // EXPECT kvnull
		return ErrNoPIN
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(pin)) != 1 {
		return ErrBadPIN
	}
	return nil
}
