//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sessionTTL        = 8 * time.Hour
	pairingTTLSeconds = 30
	loginWindowSecs   = 600
)

// DeviceSession is the record kept under "sess/<id>" for a signed-in shared
// clinic device.
type DeviceSession struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	ClinicID string    `json:"clinic_id"`
	DeviceID string    `json:"device_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessKey(id string) string { return "sess/" + id }

// StartSession creates a session after the OpenID callback.
func (n *Namespaces) StartSession(userID, clinicID, deviceID string) (*DeviceSession, error) {
	s := &DeviceSession{ID: newID(), UserID: userID, ClinicID: clinicID, DeviceID: deviceID, Created: time.Now().UTC()}
	s.LastSeen = s.Created
	if err := putJSON(n.Sessions, sessKey(s.ID), s, sessionTTL); err != nil {
		return nil, err
	}
	return s, n.addDevice(userID, deviceID)
}

// addDevice keeps the list of devices a user is signed in on.
func (n *Namespaces) addDevice(userID, deviceID string) error {
	var devices []string
	if err := getJSON(n.Sessions, "devices/"+userID, 0, &devices); err != nil && !errors.Is(err, ErrMissing) {
		return err
	}
	devices = append(devices, deviceID)
	return putJSON(n.Sessions, "devices/"+userID, devices, 30*24*time.Hour) // EXPECT kvrace
}

// Session loads the session of the request's cookie.
func (n *Namespaces) Session(r *http.Request) (*DeviceSession, error) {
	c, err := r.Cookie("__Host-sess")
	if err != nil {
		return nil, ErrMissing
	}
	var s DeviceSession
	if err := getJSON(n.Sessions, sessKey(c.Value), 0, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Touch extends the session on activity so that a device stays signed in
// while it is in use.
func (n *Namespaces) Touch(s *DeviceSession) error {
	s.LastSeen = time.Now().UTC()
	raw, _ := json.Marshal(s)
	return n.Sessions.PutString(sessKey(s.ID), string(raw), &kv.PutOptions{ExpirationTTL: int(sessionTTL.Seconds())}) // EXPECT kvsession
}

// EndSession signs the device out.
func (n *Namespaces) EndSession(id string) error {
	return n.Sessions.Delete(sessKey(id)) // EXPECT kvsession
}

// RevokeAll marks every session of a user as revoked after a password
// change; the fetch handler refuses revoked sessions.
func (n *Namespaces) RevokeAll(userID string) error {
	return n.Sessions.PutString("revoked/"+userID, time.Now().UTC().Format(time.RFC3339), // EXPECT kvsession
		&kv.PutOptions{ExpirationTTL: int(sessionTTL.Seconds())})
}

// IsRevoked reports whether the user's sessions were revoked after created.
func (n *Namespaces) IsRevoked(userID string, created time.Time) (bool, error) {
	v, err := n.Sessions.GetString("revoked/"+userID, nil)
	if err != nil {
		return false, err
	}
	if v == jsNull {
		return false, nil
	}
	at, err := time.Parse(time.RFC3339, v)
	return err == nil && at.After(created), nil
}

// IssuePairingCode creates the short code a new device shows to be paired.
func (n *Namespaces) IssuePairingCode(clinicID string) (string, error) {
	code := fmt.Sprintf("%08d", time.Now().UnixNano()%100_000_000)
	err := n.Sessions.PutString("pair/"+code, clinicID, &kv.PutOptions{
		ExpirationTTL: pairingTTLSeconds, // EXPECT kvttl
	})
	return code, err
}

// RedeemPairingCode returns the clinic of a pairing code and consumes it.
func (n *Namespaces) RedeemPairingCode(code string) (string, error) {
	clinic, err := n.Sessions.GetString("pair/"+code, nil)
	if err != nil {
		return "", err
	}
	if clinic == "" { // EXPECT kvnull
		return "", ErrMissing
	}
	if err := n.Sessions.Delete("pair/" + code); err != nil { // EXPECT kvsession
		return "", err
	}
	return clinic, nil
}

// AllowLogin applies the per-IP login throttle.
func (n *Namespaces) AllowLogin(ip string, limit int) (bool, error) {
	key := "ratelimit/login/" + ip
	v, err := n.Sessions.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	count, _ := strconv.Atoi(v)
	if count >= limit {
		return false, nil
	}
	err = n.Sessions.PutString(key, strconv.Itoa(count+1), &kv.PutOptions{ExpirationTTL: loginWindowSecs}) // EXPECT kvcounter
	return err == nil, err
}
