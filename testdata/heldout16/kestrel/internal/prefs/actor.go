package prefs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/kestrel/internal/kvtag"
	"example.com/kestrel/internal/store"
)

// ErrStopped is returned after Close.
var ErrStopped = errors.New("prefs: service stopped")

// Service serialises preference changes through one goroutine so two tabs
// saving at once do not interleave.
type Service struct {
	st      store.Store
	mailbox chan func()
	quit    chan struct{}
	now     func() time.Time
}

// NewService starts the owning goroutine.
func NewService(st store.Store) *Service {
	s := &Service{st: st, mailbox: make(chan func()), quit: make(chan struct{}), now: time.Now}
	go s.loop()
	return s
}

func (s *Service) loop() {
	for {
		select {
		case f := <-s.mailbox:
			f()
		case <-s.quit:
			return
		}
	}
}

// Close stops the goroutine.
func (s *Service) Close() { close(s.quit) }

// do runs f on the owning goroutine and waits for it.
func (s *Service) do(ctx context.Context, f func()) error {
	done := make(chan struct{})
	select {
	case s.mailbox <- func() { defer close(done); f() }:
	case <-s.quit:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	<-done
	return nil
}

// GetRequest names the user.
type GetRequest struct {
	UserID string `json:"user_id"`
}

// Bind reads the user set by the session middleware.
func (r *GetRequest) Bind(req *http.Request) error {
	r.UserID = req.Header.Get("X-Kestrel-User")
	return nil
}

// Get returns the user's preferences, or defaults.
func (s *Service) Get(ctx context.Context, req GetRequest) (Prefs, error) {
	return load(ctx, s.st, req.UserID)
}

// Patch applies a partial update.
func (s *Service) Patch(ctx context.Context, p Patch) (out Prefs, err error) {
	derr := s.do(ctx, func() {
		var cur Prefs
		if cur, err = load(ctx, s.st, p.UserID); err != nil {
			return
		}
		out = p.apply(cur)
		out.Updated = s.now().UTC()
		key, ttl, kerr := kvtag.Key(out)
		if kerr != nil {
			err = kerr
			return
		}
		body, _ := json.Marshal(out)
		err = s.st.Put(ctx, key, string(body), ttl) // EXPECT kvrace
	})
	if derr != nil {
		return Prefs{}, derr
	}
	return out, err
}

// Replace stores the full preferences document sent by the settings page.
func (s *Service) Replace(ctx context.Context, p Prefs) (Prefs, error) {
	p.Updated = s.now().UTC()
	var err error
	if derr := s.do(ctx, func() { err = save(ctx, s.st, p) }); derr != nil {
		return Prefs{}, derr
	}
	return p, err
}

// Ensure writes defaults for a user who has none, so the settings page and
// the notification sender read the same document.
func (s *Service) Ensure(ctx context.Context, userID string) error {
	key, _, err := kvtag.Key(Prefs{UserID: userID})
	if err != nil {
		return err
	}
	if _, err := s.st.Get(ctx, key); err != nil { // EXPECT kvnull
		return save(ctx, s.st, Defaults(userID)) // EXPECT kvrace
	}
	return nil
}
