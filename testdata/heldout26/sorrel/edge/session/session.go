//go:build js && wasm

// Package session signs drivers in on their handhelds and keeps their
// sessions in KV.
package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

const jsNull = "<null>"

// maxFailures is how many wrong secrets lock a driver out for a while.
const maxFailures = 5

var (
	ErrNoSession = errors.New("session: not found")
	ErrLocked    = errors.New("session: too many failed sign-ins")
)

// Session is a signed-in handheld.
type Session struct {
	ID       string       `json:"id"`
	DriverID string       `json:"driver_id"`
	DepotID  string       `json:"depot_id"`
	Vehicle  string       `json:"vehicle,omitempty"`
	Shift    domain.Shift `json:"shift"`
	Device   string       `json:"device,omitempty"`
	Issued   time.Time    `json:"issued"`
	LastSeen time.Time    `json:"last_seen"`
}

// failures tracks wrong secrets for one driver.
type failures struct {
	Driver string    `json:"driver"`
	Count  int       `json:"count"`
	First  time.Time `json:"first"`
	ks     keyspace.Space
}

func (f failures) Key() string        { return f.ks.LoginFailures(f.Driver) }
func (f failures) TTL() time.Duration { return 15 * time.Minute }

// Authenticator checks a driver's secret against the HR system.
type Authenticator interface {
	Check(ctx context.Context, driverID, secret string) (domain.Driver, error)
}

// Manager creates, looks up and ends sessions.
type Manager struct {
	ns        *kv.Namespace
	store     kvstore.Store
	ks        keyspace.Space
	auth      Authenticator
	idle      time.Duration
	deviceTTL time.Duration
}

// Option configures a Manager.
type Option interface{ apply(*Manager) }

type idleOption time.Duration

func (o idleOption) apply(m *Manager) { m.idle = time.Duration(o) }

type deviceTTLOption time.Duration

func (o deviceTTLOption) apply(m *Manager) { m.deviceTTL = time.Duration(o) }

// IdleTimeout sets how long a session survives without requests.
func IdleTimeout(d time.Duration) Option { return idleOption(d) }

// DeviceBinding sets how long a handheld stays bound to its last driver.
func DeviceBinding(d time.Duration) Option { return deviceTTLOption(d) }

// NewManager returns a manager over ns. Call SetStore before serving.
func NewManager(ns *kv.Namespace, ks keyspace.Space, auth Authenticator, opts ...Option) *Manager {
	m := &Manager{ns: ns, ks: ks, auth: auth, idle: 2 * time.Hour, deviceTTL: 14 * 24 * time.Hour}
	for _, o := range opts {
		o.apply(m)
	}
	return m
}

// SetStore injects the store used for bookkeeping writes.
func (m *Manager) SetStore(st kvstore.Store) { m.store = st }

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("session: entropy: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// Login checks the secret and opens a session for the handheld.
func (m *Manager) Login(ctx context.Context, driverID, secret, deviceID string) (*Session, error) {
	f, err := kvstore.Load[failures](ctx, m.store, m.ks.LoginFailures(driverID))
	if err != nil && !kvstore.IsMissing(err) {
		return nil, err
	}
	if f.Count >= maxFailures {
		return nil, ErrLocked
	}
	drv, err := m.auth.Check(ctx, driverID, secret)
	if err != nil {
		f.Driver, f.ks = driverID, m.ks
		if f.First.IsZero() {
			f.First = time.Now()
		}
		f.Count++
		if serr := kvstore.Save(ctx, m.store, f); serr != nil { // EXPECT kvcounter
			return nil, serr
		}
		return nil, err
	}
	return m.create(ctx, drv, deviceID)
}

func (m *Manager) create(ctx context.Context, drv domain.Driver, deviceID string) (*Session, error) {
	id := newID()
	key, ttl := m.ks.SessionEntry(id)
	ttl = min(ttl, drv.Shift.SessionTTL()+time.Hour)
	now := time.Now()
	s := &Session{ID: id, DriverID: drv.ID, DepotID: drv.DepotID, Vehicle: drv.Vehicle, Shift: drv.Shift, Device: deviceID, Issued: now, LastSeen: now}
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := m.ns.PutString(key, string(raw), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil {
		return nil, fmt.Errorf("session: store: %w", err)
	}
	if deviceID != "" {
		if err := m.bindDevice(deviceID, drv.ID); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// bindDevice remembers which driver last used a handheld, for lost-device
// reports.
func (m *Manager) bindDevice(deviceID, driverID string) error {
	return m.ns.PutString(m.ks.Device(deviceID), driverID, &kv.PutOptions{ExpirationTTL: int(m.deviceTTL)}) // EXPECT kvttl
}

// Lookup loads a session by id.
func (m *Manager) Lookup(ctx context.Context, id string) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	raw, err := m.ns.GetString(m.ks.Session(id), nil)
	if err != nil {
		return nil, err
	}
	if raw == jsNull {
		return nil, ErrNoSession
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("session: decode: %w", err)
	}
	return &s, nil
}

// Touch extends an active session so drivers are not signed out mid-route.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	s.LastSeen = time.Now()
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, m.ks.Session(s.ID), raw, kvstore.WithTTL(m.idle)) // EXPECT kvsession
}

// SwitchVehicle records a van swap during the shift.
func (m *Manager) SwitchVehicle(ctx context.Context, id, vehicle string) (*Session, error) {
	s, err := m.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	s.Vehicle = vehicle
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	key, ttl := m.ks.SessionEntry(id)
	if err := m.ns.PutString(key, string(raw), &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s, nil
}

// Logout ends a session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return m.ns.Delete(m.ks.Session(id)) // EXPECT kvsession
}

// Func is a handler that runs with the caller's session.
type Func func(w http.ResponseWriter, r *http.Request, s *Session)

// Require authenticates the bearer token, refreshes the session and calls fn.
func (m *Manager) Require(fn Func) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := httpx.Bearer(r)
		if !ok {
			httpx.Error(w, http.StatusUnauthorized, "missing token")
			return
		}
		s, err := m.Lookup(r.Context(), tok)
		if errors.Is(err, ErrNoSession) {
			httpx.Error(w, http.StatusUnauthorized, "signed out")
			return
		} else if err != nil {
			httpx.Error(w, http.StatusServiceUnavailable, "session store unavailable")
			return
		}
		if err := m.Touch(r.Context(), s); err != nil {
			log.Printf("session touch %s: %v", s.DriverID, err)
		}
		if err := m.store.Put(r.Context(), m.ks.Heartbeat(), []byte(time.Now().UTC().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
			log.Printf("heartbeat: %v", err)
		}
		fn(w, r, s)
	})
}

// Handler serves the handheld sign-in API.
type Handler struct{ m *Manager }

// NewHandler returns the sign-in API over m.
func NewHandler(m *Manager) *Handler { return &Handler{m: m} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v1/session/login":
		h.login(w, r)
	case "/v1/session/logout":
		h.m.Require(h.logout).ServeHTTP(w, r)
	case "/v1/session/vehicle":
		h.m.Require(h.vehicle).ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var body struct{ Driver, Secret, Device string }
	if err := httpx.Decode(r, 4<<10, &body); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	s, err := h.m.Login(r.Context(), body.Driver, body.Secret, body.Device)
	if errors.Is(err, ErrLocked) {
		httpx.Error(w, http.StatusTooManyRequests, "locked, try later")
		return
	} else if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "sign-in failed")
		return
	}
	httpx.JSON(w, http.StatusCreated, map[string]any{"token": s.ID, "shift": s.Shift})
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, s *Session) {
	if err := h.m.Logout(r.Context(), s.ID); err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) vehicle(w http.ResponseWriter, r *http.Request, s *Session) {
	var body struct{ Vehicle string }
	if err := httpx.Decode(r, 1<<10, &body); err != nil || body.Vehicle == "" {
		httpx.Error(w, http.StatusBadRequest, "vehicle required")
		return
	}
	updated, err := h.m.SwitchVehicle(r.Context(), s.ID, body.Vehicle)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	httpx.JSON(w, http.StatusOK, updated)
}
