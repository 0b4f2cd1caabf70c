// Package rollout drives firmware rollouts: it publishes manifests, pushes
// batches of devices and records progress for the operator console.
package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"golang.org/x/sync/errgroup"

	"example.com/fleet/internal/cfkvutil"
	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore"
)

// Phase of a rollout.
type Phase int

const (
	Pending Phase = iota
	Canary
	Waves
	Complete
	Halted
)

func (p Phase) String() string {
	return [...]string{"pending", "canary", "waves", "complete", "halted"}[p]
}

// Manifest describes one firmware build.
type Manifest struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	URL     string `json:"url"`
	Channel string `json:"channel"`
}

// Progress is what the console polls.
type Progress struct {
	RolloutID string    `json:"rollout_id"`
	Phase     string    `json:"phase"`
	Pushed    int       `json:"pushed"`
	Total     int       `json:"total"`
	Updated   time.Time `json:"updated"`
}

// Pusher delivers a firmware offer to one device (MQTT in production).
type Pusher interface {
	Offer(ctx context.Context, deviceID string, m Manifest) error
}

type Service struct {
	store   kvstore.Store
	api     cfkvutil.Target
	pusher  Pusher
	workers int
	log     *slog.Logger
}

func NewService(store kvstore.Store, api cfkvutil.Target, pusher Pusher, workers int, log *slog.Logger) *Service {
	return &Service{store: store, api: api, pusher: pusher, workers: workers, log: log}
}

// Publish stores the manifest for a channel. The previous manifest is logged
// so the audit trail shows what was replaced.
func (s *Service) Publish(ctx context.Context, m Manifest) error {
	key := keys.New("fw").Add(m.Channel, "manifest").String()
	if prev, err := s.store.Get(ctx, key); err == nil {
		s.log.Info("replacing manifest", "channel", m.Channel, "previous", string(prev))
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, b)
}

// PublishRoot rewrites the top-level firmware index that lists channels.
func (s *Service) PublishRoot(ctx context.Context, channels []string) error {
	b, err := json.Marshal(map[string]any{"channels": channels, "updated": time.Now().UTC()})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.FirmwareRoot, b) // EXPECT kvlimits
}

// Start marks the canary wave as active. The marker is refreshed by every
// batch; if the controller dies the marker lapses and the console shows the
// rollout as stalled.
func (s *Service) Start(ctx context.Context, id string) error {
	return kvstore.Write(s.store).Key("ro", id, "wave").TTL(45*time.Second).Put(ctx, []byte(Canary.String())) // EXPECT kvttl
}

// PushBatch offers the manifest to each device with bounded concurrency and
// keeps the progress record current for the console.
func (s *Service) PushBatch(ctx context.Context, id string, m Manifest, devices []string) error {
	progressKey := keys.Rollout + id + ":progress"
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers)
	for i, dev := range devices {
		g.Go(func() error {
			if err := s.pusher.Offer(gctx, dev, m); err != nil {
				return s.recordFailure(gctx, id, dev)
			}
			status := []byte(`{"state":"offered","version":"` + m.Version + `"}`)
			if err := s.store.Put(gctx, keys.Rollout+id+":dev:"+dev, status, kvstore.WithTTL(7*24*time.Hour)); err != nil {
				return err
			}
			p, _ := json.Marshal(Progress{RolloutID: id, Phase: Waves.String(), Pushed: i + 1, Total: len(devices), Updated: time.Now()})
			return s.store.Put(gctx, progressKey, p) // EXPECT kvhotkey
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return s.addDone(ctx, id, len(devices))
}

// recordFailure appends the device to the rollout's failure list so the
// operator can retry them.
func (s *Service) recordFailure(ctx context.Context, id, dev string) error {
	key := keys.Rollout + id + ":failed"
	var failed []string
	res, err := s.api.Client.KV.Namespaces.Values.Get(ctx, s.api.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.api.AccountID)})
	switch {
	case err == nil:
		body, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if err := json.Unmarshal(body, &failed); err != nil {
			return fmt.Errorf("rollout %s: failed list: %w", id, err)
		}
	case !cfkvutil.IsNotFound(err):
		return err
	}
	failed = append(failed, dev)
	b, _ := json.Marshal(failed)
	_, err = s.api.Client.KV.Namespaces.Values.Update(ctx, s.api.NamespaceID, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.api.AccountID), Value: cloudflare.F(string(b)), Metadata: cloudflare.F("{}")}) // EXPECT kvrace
	return err
}

// addDone bumps the number of devices that have been offered the build.
func (s *Service) addDone(ctx context.Context, id string, n int) error {
	key := keys.Rollout + id + ":done"
	done := 0
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		if done, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("rollout %s: done counter: %w", id, err)
		}
	} else if !cfkvutil.IsMissing(err) {
		return err
	}
	done += n
	_, err = s.api.Client.KV.Namespaces.Values.Update(ctx, s.api.NamespaceID, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.api.AccountID), Value: cloudflare.F(strconv.Itoa(done)), Metadata: cloudflare.F("{}")}) // EXPECT kvcounter
	return err
}
