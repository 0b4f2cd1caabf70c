// Package enrol issues enrolment tokens and pairing codes and turns them into
// registered devices.
package enrol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"veery/internal/httpx"
	"veery/internal/kvstore"
	"veery/internal/registry"
)

// Errors returned by the service.
var (
	ErrUnknownToken = errors.New("enrol: unknown or expired token")
	ErrSerialTaken  = errors.New("enrol: serial already enrolled")
)

// Token is an enrolment token, printed as a QR code on the installer sheet.
type Token struct {
	ID        string    `json:"id"`
	Fleet     string    `json:"fleet"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Device is the record written when enrolment succeeds.
type Device struct {
	ID         string    `json:"id"`
	Serial     string    `json:"serial"`
	Fleet      string    `json:"fleet"`
	Model      string    `json:"model"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// Service holds the namespaces and lifetimes used for enrolment.
type Service struct {
	KV        *kvstore.Store
	Registry  *registry.Client
	EnrolNS   string
	DevicesNS string
	CacheNS   string
	TokenTTL  time.Duration
}

func tokenKey(id string) string      { return fmt.Sprintf("enrol:token:%s", id) }
func serialKey(serial string) string { return fmt.Sprintf("enrol:serial:%s", serial) }
func deviceKey(id string) string     { return fmt.Sprintf("device:%s", id) }

// Mint creates a new enrolment token for fleet.
func (s Service) Mint(ctx context.Context, fleet, operator string) (Token, error) {
	now := time.Now().UTC()
	t := Token{
		ID:        httpx.RandomID(16),
		Fleet:     fleet,
		CreatedBy: operator,
		CreatedAt: now,
		ExpiresAt: now.Add(s.TokenTTL),
	}
	b, err := json.Marshal(t)
	if err != nil {
		return Token{}, err
	}
	if err := s.KV.PutUntil(ctx, s.EnrolNS, tokenKey(t.ID), b, t.ExpiresAt, map[string]string{"id": t.ID, "fleet": fleet}); err != nil {
		return Token{}, fmt.Errorf("enrol: store token: %w", err)
	}
	return t, nil
}

// Revoke withdraws an unused token.
func (s Service) Revoke(ctx context.Context, tokenID string) error {
	return s.KV.Delete(ctx, s.EnrolNS, tokenKey(tokenID)) // EXPECT kvsession
}

// Redeem turns a token and a device serial into an enrolled device.
func (s Service) Redeem(ctx context.Context, tokenID, serial, model string) (Device, error) {
	var t Token
	if err := s.KV.GetJSON(ctx, s.EnrolNS, tokenKey(tokenID), &t); err != nil {
		if kvstore.IsNotFound(err) {
			return Device{}, ErrUnknownToken
		}
		return Device{}, err
	}
	if time.Now().After(t.ExpiresAt) {
		return Device{}, ErrUnknownToken
	}

	if _, err := s.KV.Get(ctx, s.EnrolNS, serialKey(serial)); err == nil {
		return Device{}, ErrSerialTaken
	} else if !kvstore.IsNotFound(err) {
		return Device{}, err
	}

	d := Device{
		ID:         httpx.RandomID(12),
		Serial:     serial,
		Fleet:      t.Fleet,
		Model:      model,
		EnrolledAt: time.Now().UTC(),
	}
	if err := s.KV.PutForever(ctx, s.EnrolNS, serialKey(serial), []byte(d.ID)); err != nil { // EXPECT kvrace
		return Device{}, err
	}
	if err := s.KV.PutJSON(ctx, s.DevicesNS, deviceKey(d.ID), d, 0); err != nil {
		return Device{}, err
	}
	if err := s.KV.Delete(ctx, s.EnrolNS, tokenKey(tokenID)); err != nil { // EXPECT kvsession
		return Device{}, err
	}
	return d, nil
}

// Lookup returns the registry's record of a device through a read-through
// cache in the cache namespace.
func (s Service) Lookup(ctx context.Context, id string) (registry.Device, error) {
	key := fmt.Sprintf("regcache:device:%s", id)
	var d registry.Device
	err := s.KV.GetJSON(ctx, s.CacheNS, key, &d)
	if err == nil {
		return d, nil
	}
	if !kvstore.IsNotFound(err) {
		return d, err
	}
	d, err = s.Registry.Device(ctx, id)
	if err != nil {
		return d, err
	}
	b, _ := json.Marshal(d)
	if err := s.KV.PutCached(ctx, s.CacheNS, key, b, 10*time.Minute); err != nil {
		return d, err
	}
	return d, nil
}

// Model returns the model recorded for an enrolled device.
func (s Service) Model(ctx context.Context, id string) (string, error) {
	raw, _ := s.KV.Get(ctx, s.DevicesNS, deviceKey(id)) // EXPECT kvnull
	var d Device
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", fmt.Errorf("enrol: device %s: %w", id, err)
	}
	return d.Model, nil
}
