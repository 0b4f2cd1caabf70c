// Package push keeps users' push-notification device registrations and
// sends notifications to them, within a per-user daily allowance.
package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/relay/internal/kvrest"
)

// Device is one registered handset.
type Device struct {
	UserID     string    `json:"user_id"`
	DeviceID   string    `json:"device_id"`
	Platform   string    `json:"platform"` // apns, fcm
	Address    string    `json:"address"`  // provider registration id
	Registered time.Time `json:"registered"`
}

// Prefs are a user's notification preferences.
type Prefs struct {
	Sound       bool `json:"sound"`
	Previews    bool `json:"previews"`
	MentionOnly bool `json:"mention_only"`
}

// DefaultPrefs are written the first time a user registers a device.
func DefaultPrefs() Prefs { return Prefs{Sound: true, Previews: true} }

// Notification is what the fan-out worker asks us to deliver.
type Notification struct {
	Title, Body string
	ChannelID   string
	Mention     bool
}

// Sender delivers to one device.
type Sender interface {
	Send(ctx context.Context, d Device, n Notification) error
}

// ErrOverQuota is returned when the user has had their daily allowance.
var ErrOverQuota = errors.New("push: daily allowance used")

// Service is the push registry.
type Service struct {
	kv         *kvrest.Client
	sender     Sender
	deviceTTL  time.Duration
	dailyLimit int
	now        func() time.Time
}

// New returns a push service.
func New(kv *kvrest.Client, sender Sender, deviceTTL time.Duration, dailyLimit int) *Service {
	return &Service{kv: kv, sender: sender, deviceTTL: deviceTTL, dailyLimit: dailyLimit, now: time.Now}
}

func deviceKey(user, device string) string { return "push:dev:" + user + ":" + device }
func prefsKey(user string) string          { return "push:prefs:" + user }
func muteKey(user string) string           { return "push:mute:" + user }

// Register records a device; registering it again refreshes its address
// and lifetime.
func (s *Service) Register(ctx context.Context, d Device) error {
	if d.UserID == "" || d.DeviceID == "" || d.Address == "" {
		return fmt.Errorf("push: incomplete registration")
	}
	d.Registered = s.now().UTC()
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := s.kv.Put(ctx, deviceKey(d.UserID, d.DeviceID), b, s.deviceTTL); err != nil {
		return err
	}
	return s.ensurePrefs(ctx, d.UserID)
}

func (s *Service) ensurePrefs(ctx context.Context, user string) error {
	key := prefsKey(user)
	if _, err := s.kv.Get(ctx, key); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(DefaultPrefs())
		return s.kv.Put(ctx, key, b, 0) // DEBATABLE kvrace
	}
	return nil
}

// Prefs returns the user's preferences, or the defaults.
func (s *Service) Prefs(ctx context.Context, user string) (Prefs, error) {
	b, err := s.kv.Get(ctx, prefsKey(user))
	if errors.Is(err, kvrest.ErrNotFound) {
		return DefaultPrefs(), nil
	}
	if err != nil {
		return Prefs{}, err
	}
	var p Prefs
	return p, json.Unmarshal(b, &p)
}

// Unregister forgets a device (signed out on the handset, or the provider
// reported the address dead).
func (s *Service) Unregister(ctx context.Context, user, device string) error {
	return s.kv.Delete(ctx, deviceKey(user, device)) // DEBATABLE kvsession
}

// Mute silences all notifications for user until t.
func (s *Service) Mute(ctx context.Context, user string, until time.Time) error {
	if !until.After(s.now()) {
		return s.kv.Delete(ctx, muteKey(user))
	}
	return s.kv.PutUntil(ctx, muteKey(user), []byte("1"),
		until.UnixMilli()) // EXPECT kvttl
}

// Devices lists the user's registered devices.
func (s *Service) Devices(ctx context.Context, user string) ([]Device, error) {
	keys, err := s.kv.Keys(ctx, "push:dev:"+user+":", 4)
	if err != nil {
		return nil, err
	}
	var out []Device
	for start := 0; start < len(keys); start += kvrest.MaxBulkGet {
		vals, err := s.kv.BulkGet(ctx, keys[start:min(start+kvrest.MaxBulkGet, len(keys))])
		if err != nil {
			return out, err
		}
		for _, v := range vals {
			var d Device
			if json.Unmarshal([]byte(v), &d) == nil {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// allow takes one notification from the user's daily allowance.
func (s *Service) allow(ctx context.Context, user string) error {
	key := strings.Join([]string{"push", "quota", user, s.now().UTC().Format("20060102")}, ":")
	used := 0
	b, err := s.kv.Get(ctx, key)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(string(b)); err != nil {
			return fmt.Errorf("push: quota %s: %w", key, err)
		}
	}
	if used >= s.dailyLimit {
		return ErrOverQuota
	}
	return s.kv.Put(ctx, key, []byte(strconv.Itoa(used+1)), 36*time.Hour) // EXPECT kvcounter
}

// Notify delivers n to all of user's devices, honouring mute and prefs.
func (s *Service) Notify(ctx context.Context, user string, n Notification) error {
	if _, err := s.kv.Get(ctx, muteKey(user)); err == nil {
		return nil
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	prefs, err := s.Prefs(ctx, user)
	if err != nil || (prefs.MentionOnly && !n.Mention) {
		return err
	}
	if err := s.allow(ctx, user); err != nil {
		return err
	}
	if !prefs.Previews {
		n.Body = "New message"
	}
	devices, err := s.Devices(ctx, user)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range devices {
		if err := s.sender.Send(ctx, d, n); err != nil {
			errs = append(errs, fmt.Errorf("%s/%s: %w", d.Platform, d.DeviceID, err))
		}
	}
	return errors.Join(errs...)
}
