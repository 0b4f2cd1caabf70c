// Package keyspace builds the storage keys used across the courier. Every key
// starts with a deployment prefix taken from configuration so that staging and
// production can share a namespace during migrations.
package keyspace

import (
	"time"
)

// Space builds keys under one deployment prefix.
type Space struct {
	prefix string
}

// New returns a key space rooted at prefix (for example "prod:").
func New(prefix string) Space { return Space{prefix: prefix} }

// Prefix returns the deployment prefix.
func (s Space) Prefix() string { return s.prefix }

func (s Space) k(parts ...string) string {
	out := s.prefix
	for i, p := range parts {
		if i > 0 {
			out += ":"
		}
		out += p
	}
	return out
}

// Drivers: handheld sessions, device bindings, sign-in failures and the
// refresh tokens kept by the identity service.
func (s Space) Session(id string) string           { return s.k("sess", id) }
func (s Space) Device(id string) string            { return s.k("device", id) }
func (s Space) LoginFailures(driver string) string { return s.k("login-attempts", driver) }
func (s Space) Revoked(jti string) string          { return s.k("revoked", jti) }
func (s Space) RefreshPrefix(driver string) string { return s.k("refresh", driver) + ":" }
func (s Space) DriverLast(driver string) string    { return s.k("driver-last", driver) }
func (s Space) Assignment(driver string) string    { return s.k("assign", driver) }

// Parcels: records, scan history, delivery PINs and tracking links.
func (s Space) Parcel(id string) string          { return s.k("parcel", id) }
func (s Space) History(parcel string) string     { return s.k("hist", parcel) }
func (s Space) Event(id string) string           { return s.k("audit", "scan", id) }
func (s Space) PIN(parcel string) string         { return s.k("pin", parcel) }
func (s Space) PINAttempts(parcel string) string { return s.k("pin-attempts", parcel) }
func (s Space) PINNotice(parcel string) string   { return s.k("pin-notice", parcel) }
func (s Space) Track(token string) string        { return s.k("trk", token) }
func (s Space) TrackView(parcel string) string   { return s.k("trk-view", parcel) }
func (s Space) Views(token string) string        { return s.k("views", token) }
func (s Space) Visits(token string) string       { return s.k("visits", token) }
func (s Space) ETAOverride(parcel string) string { return s.k("eta", parcel) }
func (s Space) CarrierHold(parcel string) string { return s.k("carrier-hold", parcel) }

// Depots and routes.
func (s Space) HoldPrefix() string                { return s.k("hold") + ":" }
func (s Space) Board(depot string) string         { return s.k("board", depot) }
func (s Space) Forecast(depot string) string      { return s.k("forecast", depot) }
func (s Space) Claim(route string) string         { return s.k("claim", route) }
func (s Space) Route(id string) string            { return s.k("route", id) }
func (s Space) RoutePrefix(depot string) string   { return s.k("route", depot) + ":" }
func (s Space) RoutePlan(route string) string     { return s.k("plan", route) }
func (s Space) Lock(name string) string           { return s.k("lock", name) }
func (s Space) Webhook(carrier, id string) string { return s.k("wh", carrier, id) }

// Hold is a drop-off reservation counter for one depot hour.
func (s Space) Hold(depot string, hour time.Time) string {
	return s.k("hold", depot, hour.UTC().Format("2006010215"))
}

// Nightly manifests and job bookkeeping.
func (s Space) Manifest(depot, date string) string       { return s.k("manifest", date, depot) }
func (s Space) ManifestEntry(date, parcel string) string { return s.k("mline", date, parcel) }
func (s Space) ManifestNotes(date string) string         { return s.k("mnotes", date) }
func (s Space) ManifestProgress(date string) string      { return s.k("mprogress", date) }
func (s Space) Heartbeat() string                        { return s.k("heartbeat") }
func (s Space) Checkpoint(job string) string             { return s.k("checkpoint", job) }

// Entry helpers return a key together with the lifetime its record is written
// with, so callers cannot pair a key with the wrong TTL.

// SessionEntry is a driver session key and its default lifetime.
func (s Space) SessionEntry(id string) (string, time.Duration) {
	return s.Session(id), 12 * time.Hour
}

// PINEntry is a delivery PIN key and its lifetime (two delivery days).
func (s Space) PINEntry(parcel string) (string, time.Duration) {
	return s.PIN(parcel), 48 * time.Hour
}

// WebhookEntry is a webhook dedupe key and how long carriers may retry.
func (s Space) WebhookEntry(carrier, id string) (string, time.Duration) {
	return s.Webhook(carrier, id), 24 * time.Hour
}

// RevokedEntry is a revocation marker, kept as long as a refresh token lives.
func (s Space) RevokedEntry(jti string) (string, time.Duration) {
	return s.Revoked(jti), 30 * 24 * time.Hour
}
