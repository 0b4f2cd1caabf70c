// Package classroom manages classroom invite links and rosters. Teachers
// create invite links; learners redeem them to join a class.
package classroom

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lingofox/jacana/internal/calendar"
	"github.com/lingofox/jacana/internal/kvstore"
	"github.com/lingofox/jacana/internal/pick"
)

// Invite is a classroom invite link.
type Invite struct {
	Code      string    `json:"code"`
	ClassID   string    `json:"class_id"`
	Teacher   string    `json:"teacher"`
	MaxUses   int       `json:"max_uses"`
	Uses      int       `json:"uses"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrInviteUsedUp is returned when an invite has no uses left.
var ErrInviteUsedUp = errors.New("classroom: invite has no uses left")

// Service manages invites and rosters.
type Service struct {
	KV  *kvstore.Store
	Loc *time.Location
}

func inviteKey(code string) string  { return "invite:" + code }
func rosterKey(class string) string { return fmt.Sprintf("class:%[1]s:members", class) }

func newCode() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateInvite mints a new invite link valid until the end of the week, or
// for a full week when created on a Sunday evening.
func (s *Service) CreateInvite(ctx context.Context, class, teacher string, maxUses int) (Invite, error) {
	now := time.Now()
	eow := calendar.EndOfWeek(now, s.Loc)
	if time.Until(eow) < 12*time.Hour {
		eow = eow.AddDate(0, 0, 7)
	}
	inv := Invite{
		Code:      newCode(),
		ClassID:   class,
		Teacher:   teacher,
		MaxUses:   pick.FirstNonZero(maxUses, 40),
		ExpiresAt: eow,
	}
	raw, _ := json.Marshal(inv)
	ttl := max(time.Until(eow), time.Minute)
	return inv, s.KV.Put(ctx, inviteKey(inv.Code), string(raw), ttl)
}

// Redeem joins learner to the invite's class and counts the use.
func (s *Service) Redeem(ctx context.Context, code, learner string) (string, error) {
	raw, err := s.KV.Get(ctx, inviteKey(code))
	if err != nil {
		return "", err
	}
	var inv Invite
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		return "", err
	}
	if inv.Uses >= inv.MaxUses {
		return "", ErrInviteUsedUp
	}
	inv.Uses++
	upd, _ := json.Marshal(inv)
	if err := s.KV.PutUntil(ctx, inviteKey(code), string(upd), inv.ExpiresAt); err != nil { // EXPECT kvcounter|kvrace
		return "", err
	}
	return inv.ClassID, s.join(ctx, inv.ClassID, learner)
}

func (s *Service) join(ctx context.Context, class, learner string) error {
	var members []string
	raw, err := s.KV.Get(ctx, rosterKey(class))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal([]byte(raw), &members); err != nil {
			return err
		}
	}
	if slices.Contains(members, learner) {
		return nil
	}
	members = append(members, learner)
	out, _ := json.Marshal(members)
	return s.KV.Put(ctx, rosterKey(class), string(out), 0) // EXPECT kvrace
}

// Roster returns a class's members.
func (s *Service) Roster(ctx context.Context, class string) ([]string, error) {
	raw, err := s.KV.Get(ctx, rosterKey(class))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var members []string
	return members, json.Unmarshal([]byte(raw), &members)
}

// ReplaceRoster writes the roster exported from the school's SIS; the SIS is
// the source of truth, so nothing is read first.
func (s *Service) ReplaceRoster(ctx context.Context, class string, learners []string) error {
	slices.Sort(learners)
	out, _ := json.Marshal(slices.Compact(learners))
	return s.KV.Put(ctx, rosterKey(class), string(out), 0)
}

// Revoke withdraws an invite link before it expires.
func (s *Service) Revoke(ctx context.Context, code string) error {
	return s.KV.Delete(ctx, inviteKey(code)) // DEBATABLE kvsession
}

// Settings are a class's display settings.
type Settings struct {
	Theme    string `json:"theme"`
	Language string `json:"language"`
	Public   bool   `json:"public"`
}

// SettingsFor returns a class's settings, falling back to defaults.
func (s *Service) SettingsFor(ctx context.Context, class string) Settings {
	def := Settings{Theme: "meadow", Language: "en"}
	raw, err := s.KV.Get(ctx, "class:"+class+":settings")
	if err != nil {
		return def
	}
	var st Settings
	if json.Unmarshal([]byte(raw), &st) != nil {
		return def
	}
	return st
}

// SetTheme changes one field of a class's settings.
func (s *Service) SetTheme(ctx context.Context, class, theme string) error {
	key := "class:" + class + ":settings"
	st := Settings{Theme: "meadow", Language: "en"}
	if raw, err := s.KV.Get(ctx, key); err == nil { // EXPECT kvnull
		_ = json.Unmarshal([]byte(raw), &st)
	}
	st.Theme = theme
	raw, _ := json.Marshal(st)
	return s.KV.Put(ctx, key, string(raw), 0) // EXPECT kvrace
}
