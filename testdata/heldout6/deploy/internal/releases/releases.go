// Package releases stores immutable release manifests and the mutable
// "current release" pointer per application and environment.
package releases

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

// ErrNoPrevious is returned by Rollback when there is nothing to roll back to.
var ErrNoPrevious = errors.New("releases: no previous release")

// Manifest describes one built release.
type Manifest struct {
	App       string    `json:"app"`
	Version   string    `json:"version"`
	Build     int       `json:"build"`
	Commit    string    `json:"commit"`
	Artifacts []string  `json:"artifacts"`
	CreatedAt time.Time `json:"created_at"`
}

// Pointer says which version of an app is live in an environment.
type Pointer struct {
	App        string    `json:"app"`
	Env        string    `json:"env"`
	Version    string    `json:"version"`
	PromotedBy string    `json:"promoted_by"`
	At         time.Time `json:"at"`
}

// Service manages manifests and pointers.
type Service struct {
	st      store.Store
	clock   clock.Clock
	history int
}

// New returns a Service keeping history entries per environment.
func New(st store.Store, c clock.Clock, history int) *Service {
	return &Service{st: st, clock: clock.Or(c), history: history}
}

func manifestKey(app, version string) string { return "manifest/" + app + "/" + version }
func currentKey(app, env string) string      { return "current/" + app + "/" + env }
func historyKey(app, env string) string      { return "history/" + app + "/" + env }
func notesKey(app, version string) string    { return "notes/" + app + "/" + version }
func previewKey(app, version string) string  { return "preview/" + app + "/" + version }

// nextBuild hands out the next build number for app.
func (s *Service) nextBuild(ctx context.Context, app string) (int, error) {
	key := "seq/" + app
	n := 0
	raw, err := s.st.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
			return 0, fmt.Errorf("build sequence for %s: %w", app, err)
		}
	}
	n++
	if err := s.st.Put(ctx, key, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// Publish stores a new manifest.
func (s *Service) Publish(ctx context.Context, m Manifest) (Manifest, error) {
	if m.App == "" || m.Version == "" {
		return m, errors.New("releases: app and version are required")
	}
	build, err := s.nextBuild(ctx, m.App)
	if err != nil {
		return m, err
	}
	m.Build = build
	m.CreatedAt = s.clock.Now().UTC()
	err = store.PutJSON(ctx, s.st, manifestKey(m.App, m.Version), m,
		store.WithMetadata(map[string]any{"build": build, "commit": m.Commit}))
	return m, err
}

// Current returns the live pointer for app in env.
func (s *Service) Current(ctx context.Context, app, env string) (Pointer, error) {
	return store.GetJSON[Pointer](ctx, s.st, currentKey(app, env))
}

// Resolved is what deploy agents fetch: the live pointer joined with its manifest.
type Resolved struct {
	Pointer  Pointer  `json:"pointer"`
	Manifest Manifest `json:"manifest"`
}

// Resolve returns the live release of app in env, served from a short-lived
// cached copy when one exists.
func (s *Service) Resolve(ctx context.Context, app, env string) (Resolved, error) {
	key := "resolved/" + app + "/" + env
	if r, err := store.GetJSON[Resolved](ctx, s.st, key); err == nil {
		return r, nil
	}
	p, err := s.Current(ctx, app, env)
	if err != nil {
		return Resolved{}, err
	}
	m, err := store.GetJSON[Manifest](ctx, s.st, manifestKey(app, p.Version))
	if err != nil {
		return Resolved{}, err
	}
	r := Resolved{Pointer: p, Manifest: m}
	return r, store.PutJSON(ctx, s.st, key, r, store.WithTTL(5*time.Minute))
}

// Promote makes version the live release of app in env.
func (s *Service) Promote(ctx context.Context, app, env, version, actor string) (Pointer, error) {
	if _, err := store.GetJSON[Manifest](ctx, s.st, manifestKey(app, version)); err != nil {
		return Pointer{}, fmt.Errorf("promote %s@%s: %w", app, version, err)
	}
	p := Pointer{App: app, Env: env, Version: version, PromotedBy: actor, At: s.clock.Now().UTC()}
	if err := store.PutJSON(ctx, s.st, currentKey(app, env), p); err != nil {
		return p, err
	}
	// Agents pick the new release up without waiting for the cached copy to lapse.
	if err := s.st.Delete(ctx, "resolved/"+app+"/"+env); err != nil {
		return p, err
	}
	return p, s.appendHistory(ctx, p)
}

func (s *Service) appendHistory(ctx context.Context, p Pointer) error {
	key := historyKey(p.App, p.Env)
	hist, err := store.GetJSON[[]Pointer](ctx, s.st, key)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	hist = append(hist, p)
	if len(hist) > s.history {
		hist = hist[len(hist)-s.history:]
	}
	return store.PutJSON(ctx, s.st, key, hist) // EXPECT kvrace
}

// Preview publishes a temporary pointer reviewers can open from the PR.
func (s *Service) Preview(ctx context.Context, app, version, actor string) (Pointer, error) {
	now := s.clock.Now().UTC()
	p := Pointer{App: app, Env: "preview", Version: version, PromotedBy: actor, At: now}
	err := store.PutJSON(ctx, s.st, previewKey(app, version), p,
		store.WithExpireAt(now.Add(20*time.Second))) // EXPECT kvttl
	return p, err
}

// AddNote appends one line to the release notes of app@version.
func (s *Service) AddNote(ctx context.Context, app, version, line string) error {
	key := notesKey(app, version)
	old, err := s.st.Get(ctx, key)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	notes := string(old) + strings.TrimSpace(line) + "\n"
	return s.st.Put(ctx, key, []byte(notes)) // EXPECT kvrace
}

// Versions returns one page of manifests for app; pass the returned cursor
// back to continue.
func (s *Service) Versions(ctx context.Context, app, cursor string, limit int) ([]string, string, error) {
	prefix := "manifest/" + app + "/"
	page, err := s.st.List(ctx, store.ListRequest{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out, page.Cursor, nil
}
