// Package driverauth signs drivers into the mobile app: phone + PIN login,
// short sessions, long-lived refresh tokens, and a PKCE flow for the
// in-cab tablet.
package driverauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

var now = time.Now

var (
	ErrBadCredentials = errors.New("driverauth: bad phone or PIN")
	ErrLockedOut      = errors.New("driverauth: too many failed attempts")
	ErrInvalidToken   = errors.New("driverauth: invalid or expired token")
)

const (
	maxFailures   = 5
	lockoutWindow = 15 * time.Minute
	pkceTTL       = 10 * time.Minute
	codeLifetime  = 2 * time.Minute
)

// Session is a signed-in driver on one device.
type Session struct {
	ID       string    `json:"id"`
	Driver   string    `json:"driver"`
	Device   string    `json:"device"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Refresh is a long-lived token bound to a device.
type Refresh struct {
	Driver string    `json:"driver"`
	Device string    `json:"device"`
	Issued time.Time `json:"issued"`
}

// Tokens is what the app receives after login or refresh.
type Tokens struct {
	Session string `json:"session"`
	Refresh string `json:"refresh"`
	Expires int64  `json:"expires"`
}

// Auth is the driver sign-in service.
type Auth struct {
	kv         kvstore.Store
	sessionTTL time.Duration
	refreshTTL time.Duration
}

// New builds the service.
func New(rw kvstore.ReadWriter, sessionTTL, refreshTTL time.Duration) *Auth {
	return &Auth{kv: kvstore.New(rw), sessionTTL: sessionTTL, refreshTTL: refreshTTL}
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashPIN(driver, pin string) string {
	sum := sha256.Sum256([]byte(driver + ":" + pin))
	return hex.EncodeToString(sum[:])
}

// Login checks the PIN and issues tokens.
func (a *Auth) Login(ctx context.Context, phone, pin, device string) (*Tokens, error) {
	failures, err := a.failures(ctx, phone)
	if err != nil {
		return nil, err
	}
	if failures >= maxFailures {
		return nil, ErrLockedOut
	}
	driver, err := a.kv.Get(ctx, keys.Join("drv-phone", phone))
	if err != nil {
		if kvstore.IsNotFound(err) {
			return nil, errors.Join(ErrBadCredentials, a.noteFailure(ctx, phone, failures))
		}
		return nil, err
	}
	want, err := a.kv.Get(ctx, keys.Join("drv-pin", string(driver)))
	if err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrBadCredentials
		}
		return nil, err
	}
	got := hashPIN(string(driver), pin)
	if subtle.ConstantTimeCompare(want, []byte(got)) != 1 {
		return nil, errors.Join(ErrBadCredentials, a.noteFailure(ctx, phone, failures))
	}
	return a.issue(ctx, keys.Driver(driver), device)
}

func (a *Auth) failures(ctx context.Context, phone string) (int, error) {
	v, err := a.kv.Get(ctx, keys.Join("login-attempts", phone))
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}

func (a *Auth) noteFailure(ctx context.Context, phone string, seen int) error {
	return a.kv.Put(ctx, keys.Join("login-attempts", phone), []byte(strconv.Itoa(seen+1)), kvstore.PutOptions{ // EXPECT kvcounter
		TTL: kvstore.SecondsOf(lockoutWindow),
	})
}

// issue mints a session and a refresh token for a driver's device.
func (a *Auth) issue(ctx context.Context, driver keys.Driver, device string) (*Tokens, error) {
	sess := Session{ID: randomID(24), Driver: string(driver), Device: device, Created: now().UTC()}
	sess.LastSeen = sess.Created
	err := a.kv.Write(driver.Session(sess.ID)).JSON(sess).TTL(a.sessionTTL).Do(ctx) // DEBATABLE kvsession
	if err != nil {
		return nil, err
	}
	refreshID := randomID(32)
	err = a.kv.Write(driver.Refresh(refreshID)).
		JSON(Refresh{Driver: string(driver), Device: device, Issued: sess.Created}).
		TTL(a.refreshTTL).
		Do(ctx)
	if err != nil {
		return nil, err
	}
	return &Tokens{
		Session: string(driver) + "." + sess.ID,
		Refresh: refreshID,
		Expires: sess.Created.Add(a.sessionTTL).Unix(),
	}, nil
}

// Session returns the session for a driver and session ID.
func (a *Auth) Session(ctx context.Context, driver keys.Driver, id string) (*Session, error) {
	raw, err := a.kv.Get(ctx, driver.Session(id)) // EXPECT kvnull
	if err != nil && !kvstore.IsNotFound(err) {
		return nil, err
	}
	sess := &Session{ID: id, Driver: string(driver)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, sess); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// Touch records activity on a session and pushes its expiry out, so drivers
// on a long route are not signed out mid-shift.
func (a *Auth) Touch(ctx context.Context, driver keys.Driver, id string) error {
	var sess Session
	if err := kvstore.GetJSON(ctx, a.kv, driver.Session(id), &sess); err != nil {
		if kvstore.IsNotFound(err) {
			return ErrInvalidToken
		}
		return err
	}
	sess.LastSeen = now().UTC()
	return a.kv.Write(driver.Session(id)).JSON(sess).TTL(a.sessionTTL).Do(ctx) // EXPECT kvsession
}

// Refresh exchanges a refresh token for a new pair, rotating the refresh
// token.
func (a *Auth) Refresh(ctx context.Context, refreshID, device string) (*Tokens, error) {
	key := keys.Driver("").Refresh(refreshID)
	var r Refresh
	if err := kvstore.GetJSON(ctx, a.kv, key, &r); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrInvalidToken
		}
		return nil, err
	}
	if r.Device != device {
		return nil, ErrInvalidToken
	}
	t, err := a.issue(ctx, keys.Driver(r.Driver), device)
	if err != nil {
		return nil, err
	}
	if err := a.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return t, nil
}
