package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"example.com/flagship/internal/apikeys"
	"example.com/flagship/internal/console"
	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Bundle is what an SDK downloads: every flag of one environment.
type Bundle struct {
	Env     string       `json:"env"`
	Version int          `json:"version"`
	Flags   []flags.Flag `json:"flags"`
}

type bundleOptions struct {
	TTL    time.Duration
	Loader func(ctx context.Context, env string) ([]flags.Flag, int, error)
}

var defaultBundleOptions = bundleOptions{
	TTL: 45 * time.Second, // EXPECT kvttl
}

// BundleOption overrides one bundle setting.
type BundleOption func(*bundleOptions)

// WithBundleLoader sets where bundles are built from on a cache miss.
func WithBundleLoader(fn func(ctx context.Context, env string) ([]flags.Flag, int, error)) BundleOption {
	return func(o *bundleOptions) { o.Loader = fn }
}

type bundleCache struct {
	ops  Ops
	opts bundleOptions
}

func newBundleCache(ops Ops, opts ...BundleOption) *bundleCache {
	o := defaultBundleOptions
	for _, fn := range opts {
		fn(&o)
	}
	return &bundleCache{ops: ops, opts: o}
}

// get returns the cached bundle for env, building and caching it on a miss.
func (c *bundleCache) get(ctx context.Context, env string) (Bundle, error) {
	key := kvkey.Key("bundle").Child(env).String()
	bundle := Bundle{Env: env}
	b, err := c.ops.Get(ctx, key)
	if err == nil && json.Unmarshal(b, &bundle) == nil {
		return bundle, nil
	}
	cacheable := err == nil || errors.Is(err, storage.ErrNotFound)
	if bundle.Flags, bundle.Version, err = c.opts.Loader(ctx, env); err != nil {
		return Bundle{}, err
	}
	if out, err := json.Marshal(bundle); err == nil && cacheable {
		_ = c.ops.Put(ctx, key, out, c.opts.TTL)
	}
	return bundle, nil
}

func (s *Server) sdkKey(r *http.Request) (apikeys.Record, error) {
	rec, err := s.d.Keys.Verify(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if errors.Is(err, apikeys.ErrUnknownKey) || errors.Is(err, apikeys.ErrRevoked) || errors.Is(err, apikeys.ErrMalformed) {
		return rec, errStatus(http.StatusUnauthorized, err.Error())
	}
	return rec, err
}

func (s *Server) handleBundle(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.sdkKey(r)
	if err != nil {
		return err
	}
	if _, err := s.d.Quotas.Charge(r.Context(), rec.ID, 1); errors.Is(err, apikeys.ErrQuotaExceeded) {
		return errStatus(http.StatusPaymentRequired, err.Error())
	}
	bundle, err := s.bundles.get(r.Context(), rec.Env)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bundle)
}

// handleEvaluate evaluates one flag server-side for thin clients.
func (s *Server) handleEvaluate(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.sdkKey(r)
	if err != nil {
		return err
	}
	var req struct{ Flag, User string }
	if err := readJSON(r, &req); err != nil {
		return err
	}
	bundle, err := s.bundles.get(r.Context(), rec.Env)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(bundle.Flags, func(f flags.Flag) bool { return f.Key == req.Flag })
	if i < 0 {
		return errStatus(http.StatusNotFound, "unknown flag "+req.Flag)
	}
	s.d.Usage.Observe(req.Flag)
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := s.d.Ops.Put(r.Context(), "edge/last-evaluation", stamp, 0); err != nil { // EXPECT kvhotkey
		s.d.Log.Debug("last-evaluation stamp failed", "err", err)
	}
	variant := bundle.Flags[i].Evaluate(req.User, time.Now())
	return writeJSON(w, http.StatusOK, map[string]string{"flag": req.Flag, "variant": variant})
}

// handleLogin runs both sign-in steps: password (returns a challenge) and
// code (returns a session cookie).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var req struct{ User, Password, Challenge, Code string }
	if err := readJSON(r, &req); err != nil {
		return err
	}
	if req.Challenge == "" {
		ch, code, err := s.d.Auth.Begin(r.Context(), req.User, req.Password)
		if errors.Is(err, console.ErrBadCredentials) || errors.Is(err, console.ErrLockedOut) {
			return errStatus(http.StatusUnauthorized, err.Error())
		}
		if err != nil {
			return err
		}
		s.d.Log.Info("sign-in code issued", "user", req.User, "challenge", ch, "code_len", len(code))
		return writeJSON(w, http.StatusAccepted, map[string]string{"challenge": ch})
	}
	sess, err := s.d.Auth.Complete(r.Context(), req.Challenge, req.Code)
	if errors.Is(err, console.ErrBadCode) {
		return errStatus(http.StatusUnauthorized, err.Error())
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "fs_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.d.Sessions.TTL().Seconds())})
	return writeJSON(w, http.StatusOK, map[string]string{"user": sess.User})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	sess, _ := SessionFrom(r.Context())
	if err := s.d.Sessions.Logout(r.Context(), sess.ID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "fs_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handlePrefs stores the operator's console preferences under their own key.
func (s *Server) handlePrefs(w http.ResponseWriter, r *http.Request) error {
	sess, _ := SessionFrom(r.Context())
	var prefs struct{ Theme, DefaultEnv string }
	if err := readJSON(r, &prefs); err != nil {
		return err
	}
	b, _ := json.Marshal(prefs)
	if err := s.d.Ops.Put(r.Context(), kvkey.Key("prefs").Child(kvkey.Hash(sess.User)).String(), b, 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Project is a tenant's settings.
type Project struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Origins []string `json:"origins"` // CORS origins allowed to fetch client bundles
}

func (s *Server) handleProject(w http.ResponseWriter, r *http.Request) error {
	b, err := s.d.Ops.Get(r.Context(), kvkey.Projects.Child(r.PathValue("id")).String())
	if err != nil {
		return err
	}
	if len(b) == 0 { // EXPECT kvnull
		return errStatus(http.StatusNotFound, "no such project")
	}
	var p Project
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) handleAddOrigin(w http.ResponseWriter, r *http.Request) error {
	var req struct{ Origin string }
	if err := readJSON(r, &req); err != nil {
		return err
	}
	u, err := url.Parse(req.Origin)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return errStatus(http.StatusBadRequest, "origin must be an https URL")
	}
	key := kvkey.Projects.Child(r.PathValue("id")).String()
	b, err := s.d.Ops.Get(r.Context(), key)
	if err != nil {
		return err
	}
	var p Project
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if origin := "https://" + u.Host; !slices.Contains(p.Origins, origin) {
		p.Origins = append(p.Origins, origin)
		out, _ := json.Marshal(p)
		if err := s.d.Ops.Put(r.Context(), key, out, 0); err != nil { // EXPECT kvrace
			return err
		}
	}
	return writeJSON(w, http.StatusOK, p)
}
