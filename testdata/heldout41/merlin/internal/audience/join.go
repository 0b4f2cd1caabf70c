//go:build js && wasm

// Package audience handles join codes, audience devices and the answer
// limits applied to them.
package audience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"merlin/internal/bus"
	"merlin/internal/cache"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
)

var codeRE = regexp.MustCompile(`^[A-Z0-9]{4,12}$`)

// Quiz is the part of a quiz definition the audience needs.
type Quiz struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	HostID    string            `json:"host_id"`
	StartsAt  time.Time         `json:"starts_at"`
	EndsAt    time.Time         `json:"ends_at"`
	Questions []string          `json:"questions"`
	Answers   map[string]string `json:"answers"`
}

// Member is the record behind an audience token.
type Member struct {
	QuizID   string    `json:"quiz_id"`
	DeviceID string    `json:"device_id"`
	Nick     string    `json:"nick"`
	Joined   time.Time `json:"joined"`
}

// Service serves the audience endpoints.
type Service struct {
	codes   kvstore.Store
	store   kvstore.Store
	keys    keys.KeyScheme
	cfg     *config.Holder
	bus     *bus.Bus
	quizzes cache.Cache[string, Quiz]
	origin  func(ctx context.Context, quizID string) (Quiz, error)
}

// New returns the audience service. codes is the store of the CODES binding.
func New(codes, store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder, b *bus.Bus,
	quizzes cache.Cache[string, Quiz], origin func(ctx context.Context, quizID string) (Quiz, error)) *Service {
	return &Service{codes: codes, store: store, keys: ks, cfg: cfg, bus: b, quizzes: quizzes, origin: origin}
}

// ClaimCodeCmd is the body of POST /host/quizzes/{id}/code.
type ClaimCodeCmd struct {
	Code string `json:"code"`
}

func (c ClaimCodeCmd) Validate() error {
	if !codeRE.MatchString(strings.ToUpper(c.Code)) {
		return errors.New("code: 4 to 12 letters or digits")
	}
	return nil
}

// JoinCmd is the body of POST /join.
type JoinCmd struct {
	Code     string `json:"code"`
	Nick     string `json:"nick"`
	DeviceID string `json:"device_id"`
}

func (c JoinCmd) Validate() error {
	var errs []error
	if c.Code == "" {
		errs = append(errs, errors.New("code: required"))
	}
	if n := len([]rune(c.Nick)); n < 1 || n > 24 {
		errs = append(errs, errors.New("nick: 1 to 24 characters"))
	}
	if len(c.DeviceID) < 16 {
		errs = append(errs, errors.New("device_id: too short"))
	}
	return errors.Join(errs...)
}

// RenameCmd is the body of PATCH /me.
type RenameCmd struct {
	Nick string `json:"nick"`
}

func (c RenameCmd) Validate() error {
	if n := len([]rune(c.Nick)); n < 1 || n > 24 {
		return errors.New("nick: 1 to 24 characters")
	}
	return nil
}

// Quiz returns a quiz definition, reading through the configured cache.
func (s *Service) Quiz(ctx context.Context, quizID string) (Quiz, error) {
	if hit, err := s.quizzes.Get(ctx, s.keys.QuizDef(quizID)); err == nil {
		if q, ok := hit.Get(); ok {
			return q, nil
		}
	}
	q, err := s.origin(ctx, quizID)
	if err != nil {
		return Quiz{}, err
	}
	// Definitions change while the host edits them; keep the edge copy short.
	if err := s.quizzes.Set(ctx, s.keys.QuizDef(quizID), q, 20*time.Second); err != nil {
		return Quiz{}, err
	}
	return q, nil
}

// ClaimCode reserves a vanity join code for a quiz.
func (s *Service) ClaimCode(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[ClaimCodeCmd](r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	quizID := r.PathValue("id")
	q, err := s.Quiz(ctx, quizID)
	if err != nil {
		return err
	}
	key := s.keys.JoinCode(cmd.Code)
	taken, err := s.codes.Get(ctx, key).Unwrap()
	if err != nil {
		return err
	}
	if owner, ok := taken.Get(); ok && owner != quizID {
		return httpx.Errorf(http.StatusConflict, "code %s is taken", cmd.Code)
	}
	ttl := max(time.Until(q.EndsAt)+s.cfg.Load().JoinCodeTTL, time.Hour)
	if err := s.codes.Put(ctx, key, quizID, ttl); err != nil { // EXPECT kvrace
		return err
	}
	return httpx.JSON(w, http.StatusCreated, map[string]string{"code": strings.ToUpper(cmd.Code)})
}

// NewCode assigns a random join code for quizzes without a vanity code.
func (s *Service) NewCode(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	quizID := r.PathValue("id")
	code := strings.ToUpper(keys.NewID()[:8])
	if err := s.codes.Put(ctx, s.keys.JoinCode(code), quizID, s.cfg.Load().JoinCodeTTL); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, map[string]string{"code": code})
}

// Join exchanges a join code for an audience token.
func (s *Service) Join(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[JoinCmd](r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cfg := s.cfg.Load()
	found, err := s.codes.Get(ctx, s.keys.JoinCode(cmd.Code)).Unwrap()
	if err != nil {
		return err
	}
	quizID, ok := found.Get()
	if !ok {
		return httpx.Errorf(http.StatusNotFound, "no quiz with code %s", cmd.Code)
	}
	now := time.Now()
	token := keys.NewID()
	m := Member{QuizID: quizID, DeviceID: cmd.DeviceID, Nick: cmd.Nick, Joined: now}
	if err := s.store.PutJSON(ctx, s.keys.Audience(token), m, cfg.JoinCodeTTL); err != nil {
		return err
	}
	if err := s.bus.Publish(ctx, events.AudienceJoined{QuizID: quizID, DeviceID: cmd.DeviceID, Nick: cmd.Nick, At: now}); err != nil {
		return err
	}
	// The lobby screen shows the most recent arrival.
	if err := s.store.Put(ctx, "lobby:"+quizID+":latest", cmd.Nick, cfg.JoinCodeTTL); err != nil { // DEBATABLE kvhotkey
		return err
	}
	return httpx.JSON(w, http.StatusCreated, map[string]string{"token": token, "quiz": quizID})
}

// Member resolves the audience token in the Authorization header.
func (s *Service) Member(r *http.Request) (Member, string, error) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if len(token) != 32 {
		return Member{}, "", httpx.Errorf(http.StatusUnauthorized, "missing audience token")
	}
	found, err := kvstore.GetJSON[Member](r.Context(), s.store, s.keys.Audience(token)).Unwrap()
	if err != nil {
		return Member{}, "", err
	}
	m, ok := found.Get()
	if !ok {
		return Member{}, "", httpx.Errorf(http.StatusUnauthorized, "unknown audience token")
	}
	return m, token, nil
}

// Rename changes the nickname shown on the leaderboard.
func (s *Service) Rename(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[RenameCmd](r)
	if err != nil {
		return err
	}
	m, token, err := s.Member(r)
	if err != nil {
		return err
	}
	m.Nick = cmd.Nick
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	cfg := s.cfg.Load()
	if err := s.store.Put(r.Context(), s.keys.Audience(token), string(body), cfg.JoinCodeTTL); err != nil { // EXPECT kvsession|kvrace
		return fmt.Errorf("rename: %w", err)
	}
	return httpx.JSON(w, http.StatusOK, m)
}
