// Package pairing connects host-stand tablets to a venue. A manager issues a
// six-digit code in the console; the tablet submits it and receives a
// long-lived device token.
package pairing

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"example.com/juniper/internal/httpx"
	"example.com/juniper/internal/kvstore"
)

// Codes are read off the console and typed into the tablet at the host
// stand; nobody waits minutes to do that.
const pairingCodeTTL = 45 * time.Second

const deviceTokenTTL = 180 * 24 * time.Hour

// ErrUnknownCode is returned for unknown or expired codes.
var ErrUnknownCode = errors.New("pairing: unknown or expired code")

type pending struct {
	VenueID  string    `json:"venue"`
	Label    string    `json:"label"`
	IssuedBy string    `json:"by"`
	IssuedAt time.Time `json:"at"`
}

// Device is a paired tablet.
type Device struct {
	Token    string    `json:"token"`
	DeviceID string    `json:"device"`
	VenueID  string    `json:"venue"`
	Label    string    `json:"label"`
	PairedAt time.Time `json:"paired"`
}

// Requests carry their own reply channel; the loop answers each exactly once.
type (
	issueReq struct {
		ctx   context.Context
		p     pending
		reply chan httpx.Result[string]
	}
	redeemReq struct {
		ctx            context.Context
		code, deviceID string
		reply          chan httpx.Result[Device]
	}
)

// Service owns the pairing flow; one goroutine handles every request.
type Service struct {
	store  kvstore.Store
	issue  chan issueReq
	redeem chan redeemReq
	quit   chan struct{}
	now    func() time.Time
}

// Start launches the service loop.
func Start(store kvstore.Store) *Service {
	s := &Service{store: store, issue: make(chan issueReq), redeem: make(chan redeemReq),
		quit: make(chan struct{}), now: time.Now}
	go func() {
		for {
			select {
			case r := <-s.issue:
				code, err := s.handleIssue(r.ctx, r.p)
				r.reply <- httpx.Result[string]{Value: code, Err: err}
			case r := <-s.redeem:
				dev, err := s.handleRedeem(r.ctx, r.code, r.deviceID)
				r.reply <- httpx.Result[Device]{Value: dev, Err: err}
			case <-s.quit:
				return
			}
		}
	}()
	return s
}

// Stop ends the loop.
func (s *Service) Stop() { close(s.quit) }

func send[R any, T any](ctx context.Context, s *Service, ch chan R, req R, reply chan httpx.Result[T]) (T, error) {
	var zero T
	select {
	case ch <- req:
	case <-s.quit:
		return zero, errors.New("pairing: service stopped")
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	res := <-reply
	return res.Value, res.Err
}

// Issue creates a pairing code for venueID.
func (s *Service) Issue(ctx context.Context, venueID, label, by string) (string, error) {
	r := issueReq{ctx: ctx, p: pending{VenueID: venueID, Label: label, IssuedBy: by}, reply: make(chan httpx.Result[string], 1)}
	return send(ctx, s, s.issue, r, r.reply)
}

// Redeem exchanges a code for a device token.
func (s *Service) Redeem(ctx context.Context, code, deviceID string) (Device, error) {
	r := redeemReq{ctx: ctx, code: code, deviceID: deviceID, reply: make(chan httpx.Result[Device], 1)}
	return send(ctx, s, s.redeem, r, r.reply)
}

func codeKey(code string) string { return "pair-code/" + code }

func (s *Service) handleIssue(ctx context.Context, p pending) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	p.IssuedAt = s.now()
	b, _ := json.Marshal(p)
	if err := s.store.Put(ctx, codeKey(code), b, kvstore.WithTTL(pairingCodeTTL)); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

func (s *Service) handleRedeem(ctx context.Context, code, deviceID string) (Device, error) {
	b, err := s.store.Get(ctx, codeKey(code))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Device{}, ErrUnknownCode
	}
	if err != nil {
		return Device{}, err
	}
	var p pending
	if err := json.Unmarshal(b, &p); err != nil {
		return Device{}, err
	}
	tok := make([]byte, 32)
	_, _ = rand.Read(tok)
	dev := Device{Token: base64.RawURLEncoding.EncodeToString(tok), DeviceID: deviceID,
		VenueID: p.VenueID, Label: p.Label, PairedAt: s.now()}
	db, _ := json.Marshal(dev)
	if err := s.store.Put(ctx, "device-token/"+dev.Token, db, kvstore.WithTTL(deviceTokenTTL)); err != nil { // DEBATABLE kvsession
		return Device{}, err
	}
	if err := s.store.Delete(ctx, codeKey(code)); err != nil { // EXPECT kvsession
		return Device{}, err
	}
	return dev, nil
}
