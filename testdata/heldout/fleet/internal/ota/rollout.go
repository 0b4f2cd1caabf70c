// Package ota manages firmware rollouts: manifests, cohorts and the signed
// download tokens devices present to the CDN.
//
// Rollout state is read by the edge Worker that serves /ota, so it is written
// straight to the "ota" KV namespace with the v6 SDK.
package ota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/fleet/internal/storage"
)

// Config for the OTA service.
type Config struct {
	AccountID   string
	NamespaceID string
	// ManifestCacheTTL bounds how long a manifest fetched from origin is served
	// from KV.
	ManifestCacheTTL time.Duration
	// ManifestOrigin is the bucket front-end holding signed manifests.
	ManifestOrigin string
}

// Manifest describes one firmware build.
type Manifest struct {
	Version string    `json:"version"`
	Model   string    `json:"model"`
	URL     string    `json:"url"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	Built   time.Time `json:"built"`
}

// Rollout is the state the edge Worker consults for each device.
type Rollout struct {
	ID      string   `json:"id"`
	Version string   `json:"version"`
	Model   string   `json:"model"`
	Percent int      `json:"percent"`
	Cohort  []string `json:"cohort,omitempty"`
	Paused  bool     `json:"paused"`
}

var ErrUnknownRollout = errors.New("ota: unknown rollout")

type (
	updateFunc func(ctx context.Context, namespaceID, keyName string, params kv.NamespaceValueUpdateParams, opts ...option.RequestOption) (*kv.NamespaceValueUpdateResponse, error)
	getFunc    func(ctx context.Context, namespaceID, keyName string, query kv.NamespaceValueGetParams, opts ...option.RequestOption) (*http.Response, error)
)

// Service is the OTA use-case layer.
type Service struct {
	cfg    Config
	client *cloudflare.Client
	cache  storage.Store
	http   *http.Client
	log    *slog.Logger

	update updateFunc
	get    getFunc
}

// New builds the OTA service. cache is used for manifests fetched from origin.
func New(client *cloudflare.Client, cache storage.Store, cfg Config, log *slog.Logger) *Service {
	if cfg.ManifestCacheTTL == 0 {
		cfg.ManifestCacheTTL = 20 * time.Second // EXPECT kvttl
	}
	return &Service{
		cfg:    cfg,
		client: client,
		cache:  cache,
		http:   &http.Client{Timeout: 15 * time.Second},
		log:    log,
		update: client.KV.Namespaces.Values.Update,
		get:    client.KV.Namespaces.Values.Get,
	}
}

func (s *Service) value(v []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
}

func (s *Service) read(ctx context.Context, key string) ([]byte, error) {
	res, err := s.get(ctx, s.cfg.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Manifest returns a manifest, reading through the KV cache.
func (s *Service) Manifest(ctx context.Context, version string) (Manifest, error) {
	key := "manifest:" + version
	if raw, err := s.cache.Get(ctx, key); err == nil {
		var m Manifest
		if err := json.Unmarshal(raw, &m); err == nil {
			return m, nil
		}
	}
	m, raw, err := s.fetchManifest(ctx, version)
	if err != nil {
		return Manifest{}, err
	}
	if err := s.cache.Set(ctx, key, raw, s.cfg.ManifestCacheTTL); err != nil {
		s.log.WarnContext(ctx, "manifest cache fill failed", "version", version, "err", err)
	}
	return m, nil
}

func (s *Service) fetchManifest(ctx context.Context, version string) (Manifest, []byte, error) {
	u := s.cfg.ManifestOrigin + "/manifests/" + url.PathEscape(version) + ".json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Manifest{}, nil, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return Manifest{}, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Manifest{}, nil, fmt.Errorf("manifest %s: origin returned %s", version, resp.Status)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Manifest{}, nil, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, nil, err
	}
	return m, raw, nil
}

// Start publishes a new rollout. The ID is fresh, so nothing is read first.
func (s *Service) Start(ctx context.Context, r Rollout) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, s.cfg.NamespaceID, url.PathEscape("rollout:"+r.ID), s.value(raw))
	return err
}

// AddToCohort pins devices to a rollout regardless of its percentage.
func (s *Service) AddToCohort(ctx context.Context, rolloutID string, deviceIDs ...string) (Rollout, error) {
	key := "rollout:" + rolloutID
	raw, err := s.read(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return Rollout{}, ErrUnknownRollout
	}
	if err != nil {
		return Rollout{}, err
	}
	var r Rollout
	if err := json.Unmarshal(raw, &r); err != nil {
		return Rollout{}, fmt.Errorf("decode rollout %s: %w", rolloutID, err)
	}
	for _, id := range deviceIDs {
		if !slices.Contains(r.Cohort, id) {
			r.Cohort = append(r.Cohort, id)
		}
	}
	out, _ := json.Marshal(r)
	update := s.client.KV.Namespaces.Values.Update
	if _, err := update(ctx, s.cfg.NamespaceID, url.PathEscape(key), s.value(out)); err != nil { // EXPECT kvrace
		return Rollout{}, err
	}
	return r, nil
}

// Pause sets a short-lived pause flag that the edge Worker honours before it
// looks at the rollout document; the on-call engineer re-arms it while they
// investigate.
func (s *Service) Pause(ctx context.Context, rolloutID, reason string) error {
	params := s.value([]byte(reason))
	params.ExpirationTTL = cloudflare.F(30.0) // EXPECT kvttl
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.cfg.NamespaceID, url.PathEscape("pause:"+rolloutID), params)
	return err
}

// Hold pauses a rollout for a fixed investigation window.
func (s *Service) Hold(ctx context.Context, rolloutID, reason string, window time.Duration) error {
	params := s.value([]byte(reason))
	params.ExpirationTTL = cloudflare.F(max(window, time.Minute).Seconds())
	_, err := s.update(ctx, s.cfg.NamespaceID, url.PathEscape("pause:"+rolloutID), params)
	return err
}

// Announce writes the banner devices show before a rollout window opens.
func (s *Service) Announce(ctx context.Context, rolloutID, text string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.cfg.NamespaceID, url.PathEscape("banner:"+rolloutID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.cfg.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(text)),
		ExpirationTTL: cloudflare.F(60.0),
	})
	return err
}
