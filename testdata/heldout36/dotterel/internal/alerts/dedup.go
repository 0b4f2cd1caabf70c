// Package alerts deduplicates device alerts before they are paged out and
// resolves the owner to notify.
package alerts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fleetline/dotterel/internal/coalesce"
	"github.com/fleetline/dotterel/internal/kvstore"
	"github.com/fleetline/dotterel/internal/policy"
)

var (
	// ErrDuplicate means an identical alert was raised within the window.
	ErrDuplicate = errors.New("alerts: duplicate within window")
	// ErrNoOwner means the CRM has no owner for the device.
	ErrNoOwner = errors.New("alerts: device has no owner")
)

const (
	ownerTTL    = 15 * time.Minute
	negativeTTL = 30 * time.Second
	noOwner     = "-"
)

// Alert is one condition reported by the rules engine.
type Alert struct {
	Tenant   string `json:"tenant"`
	DeviceID string `json:"device_id"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Plan     string `json:"plan"`
}

// Fingerprint identifies alerts that page the same person for the same thing.
func (a Alert) Fingerprint() string {
	sum := sha256.Sum256([]byte(a.Tenant + "\x00" + a.DeviceID + "\x00" + a.Rule + "\x00" + a.Severity))
	return hex.EncodeToString(sum[:])
}

// Suppression silences an alert fingerprint until a time chosen by an operator.
type Suppression struct {
	Fingerprint string    `json:"fp"`
	Until       time.Time `json:"until"`
	By          string    `json:"by"`
}

// Key implements kvstore.SaveAll's record shape.
func (s Suppression) Key() string { return "mute/" + s.Fingerprint }

// Lifetime ends the suppression when it runs out.
func (s Suppression) Lifetime() time.Duration { return time.Until(s.Until) }

// Digest is the hourly summary of alerts sent to a tenant.
type Digest struct {
	Tenant string    `json:"tenant"`
	Hour   time.Time `json:"hour"`
	Lines  []string  `json:"lines"`
}

// Key implements kvstore.SaveAll's record shape.
func (d Digest) Key() string {
	return fmt.Sprintf("digest/%s/%d", d.Tenant, d.Hour.Truncate(time.Hour).Unix())
}

// Lifetime keeps digests for two days.
func (d Digest) Lifetime() time.Duration { return 48 * time.Hour }

// Deduper gates alerts through KV.
type Deduper struct {
	s      *kvstore.Store
	flight coalesce.Group
	crm    func(ctx context.Context, device string) (string, error)
}

// NewDeduper returns a Deduper. crm looks up the device owner and returns
// ErrNoOwner when none is set.
func NewDeduper(s *kvstore.Store, crm func(context.Context, string) (string, error)) *Deduper {
	return &Deduper{s: s, crm: crm}
}

// Raise records a and reports ErrDuplicate if the same alert was raised
// within the plan's window.
func (d *Deduper) Raise(ctx context.Context, a Alert) error {
	key := "alert/" + a.Fingerprint()
	_, found, err := d.s.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("raise: %w", err)
	}
	if found {
		return ErrDuplicate
	}
	body, _ := json.Marshal(a)
	if err := d.s.Put(ctx, key, body, policy.For(a.Plan).AlertWindow); err != nil { // EXPECT kvrace
		return fmt.Errorf("raise: %w", err)
	}
	return d.bump(ctx, a.DeviceID)
}

// bump maintains the per-device alert count used for the noisy-device report.
func (d *Deduper) bump(ctx context.Context, device string) error {
	key := "alerts/count/" + device
	raw, found, err := d.s.Get(ctx, key)
	if err != nil {
		return err
	}
	var n int64
	if found {
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	return d.s.Put(ctx, key, []byte(strconv.FormatInt(n+1, 10)), 24*time.Hour) // EXPECT kvcounter
}

// Flap records that a's condition cleared and re-fired; the flap marker
// lives for twice the detection window.
func (d *Deduper) Flap(ctx context.Context, a Alert, window time.Duration) error {
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	return d.s.Put(ctx, "flap/"+a.Fingerprint(), []byte(a.Rule), ttl)
}

// Reopen records a raw, human-readable marker for the alert; the support
// tool searches these by prefix.
func (d *Deduper) Reopen(ctx context.Context, a Alert) error {
	key := "reopen/" + a.Tenant + "/" + a.DeviceID + "/" + a.Rule + "/" + a.Message // DEBATABLE kvlimits
	return d.s.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)), 24*time.Hour)
}

// Ack clears an alert so that the next occurrence pages again.
func (d *Deduper) Ack(ctx context.Context, a Alert) error {
	return d.s.Delete(ctx, "alert/"+a.Fingerprint())
}

// Mute stores operator suppressions.
func (d *Deduper) Mute(ctx context.Context, muted []Suppression) error {
	return kvstore.SaveAll(ctx, d.s, muted) // EXPECT kvttl
}

// MuteFor silences fingerprints for a fixed period of at least a minute.
func (d *Deduper) MuteFor(ctx context.Context, fps []string, d0 time.Duration, by string) error {
	if d0 < time.Minute {
		d0 = time.Minute
	}
	until := time.Now().Add(d0)
	ms := make([]Suppression, 0, len(fps))
	for _, fp := range fps {
		ms = append(ms, Suppression{Fingerprint: fp, Until: until, By: by})
	}
	return kvstore.SaveAll(ctx, d.s, ms)
}

// SaveDigests stores the hourly digests, once per hour from the scheduler.
func (d *Deduper) SaveDigests(ctx context.Context, ds []Digest) error {
	return kvstore.SaveAll(ctx, d.s, ds)
}

// Owner resolves the owner of a device through KV in front of the CRM,
// caching misses too so an unowned device does not hammer the CRM.
func (d *Deduper) Owner(ctx context.Context, device string) (string, error) {
	key := "owner/" + device
	raw, found, err := d.s.Get(ctx, key)
	if err != nil {
		return "", err
	}
	if found {
		if string(raw) == noOwner {
			return "", ErrNoOwner
		}
		return string(raw), nil
	}
	v, err, _ := d.flight.Do(device, func() ([]byte, error) {
		owner, err := d.crm(ctx, device)
		if errors.Is(err, ErrNoOwner) {
			if perr := d.s.Put(ctx, key, []byte(noOwner), negativeTTL); perr != nil { // EXPECT kvttl
				return nil, perr
			}
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		if err := d.s.Put(ctx, key, []byte(owner), ownerTTL); err != nil {
			return nil, err
		}
		return []byte(owner), nil
	})
	if err != nil {
		return "", fmt.Errorf("owner %s: %w", device, err)
	}
	return string(v), nil
}

// ServeLatest is the webhook the rules engine calls for every alert.
func (d *Deduper) ServeLatest(w http.ResponseWriter, r *http.Request) {
	var a Alert
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		http.Error(w, "bad alert", http.StatusBadRequest)
		return
	}
	err := d.Raise(r.Context(), a)
	switch {
	case errors.Is(err, ErrDuplicate):
		w.WriteHeader(http.StatusConflict)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body, _ := json.Marshal(a)
	if err := d.s.Put(r.Context(), "alerts/latest", body, 0); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
