// Package shadow keeps the desired and reported state of each device. Shadows
// live in their own KV namespace and are read and written with the API client.
package shadow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/cobalt/internal/storage/kvstore"
)

// Errors returned by the service.
var (
	ErrNoShadow           = errors.New("shadow: no shadow for device")
	ErrPreconditionFailed = errors.New("shadow: etag does not match")
)

// Shadow is the document stored per device.
type Shadow struct {
	DeviceID  string         `json:"device_id"`
	Desired   map[string]any `json:"desired"`
	Reported  map[string]any `json:"reported,omitempty"`
	Version   int64          `json:"version"`
	ETag      string         `json:"etag"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func (sh *Shadow) stamp(now time.Time) {
	sh.Version++
	sh.UpdatedAt = now
	b, _ := json.Marshal(struct {
		D map[string]any
		V int64
	}{sh.Desired, sh.Version})
	sum := sha256.Sum256(b)
	sh.ETag = `"` + hex.EncodeToString(sum[:8]) + `"`
}

// Service reads and writes shadows.
type Service struct {
	b   kvstore.Binding
	now func() time.Time
	log *slog.Logger
	// defaults holds the initial desired state per device model.
	defaults map[string]map[string]any
}

// NewService returns a shadow service over the shadows namespace.
func NewService(b kvstore.Binding, defaults map[string]map[string]any, log *slog.Logger) *Service {
	return &Service{b: b, now: time.Now, log: log, defaults: defaults}
}

func docKey(id string) string      { return "shadow:" + id }
func reportedKey(id string) string { return "reported:" + id }
func snapshotKey(id string, at time.Time) string {
	return "snapshot:" + id + ":" + at.UTC().Format("20060102T150405")
}

func (s *Service) load(ctx context.Context, id string) (Shadow, error) {
	res, err := s.b.Client.KV.Namespaces.Values.Get(ctx, s.b.NamespaceID, docKey(id), s.b.GetParams())
	if err != nil {
		if kvstore.IsNotFound(err) {
			return Shadow{}, ErrNoShadow
		}
		return Shadow{}, fmt.Errorf("shadow: read %s: %w", id, err)
	}
	body, err := kvstore.ReadBody(res)
	if err != nil {
		return Shadow{}, err
	}
	var sh Shadow
	if err := json.Unmarshal(body, &sh); err != nil {
		return Shadow{}, fmt.Errorf("shadow: decode %s: %w", id, err)
	}
	return sh, nil
}

func (s *Service) save(ctx context.Context, sh Shadow) error {
	body, err := json.Marshal(sh)
	if err != nil {
		return err
	}
	_, err = s.b.Client.KV.Namespaces.Values.Update(ctx, s.b.NamespaceID, docKey(sh.DeviceID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.b.AccountID),
		Value:     cloudflare.F(string(body)),
		Metadata:  cloudflare.F[any](map[string]any{"version": sh.Version, "etag": sh.ETag, "updated": sh.UpdatedAt.Unix()}),
	})
	if err != nil {
		return fmt.Errorf("shadow: write %s: %w", sh.DeviceID, err)
	}
	return nil
}

// mutate loads the shadow, applies fn and writes the result back.
func (s *Service) mutate(ctx context.Context, id string, fn func(*Shadow) error) (Shadow, error) {
	sh, err := s.load(ctx, id)
	if err != nil {
		return Shadow{}, err
	}
	if err := fn(&sh); err != nil {
		return Shadow{}, err
	}
	sh.stamp(s.now().UTC())
	if err := s.save(ctx, sh); err != nil { // EXPECT kvrace
		return Shadow{}, err
	}
	return sh, nil
}

// SetDesired merges patch into the desired state. When ifMatch is set the
// write only happens if the stored ETag still matches it.
func (s *Service) SetDesired(ctx context.Context, id, ifMatch string, patch map[string]any) (Shadow, error) {
	return s.mutate(ctx, id, func(sh *Shadow) error {
		if ifMatch != "" && ifMatch != sh.ETag {
			return ErrPreconditionFailed
		}
		if sh.Desired == nil {
			sh.Desired = map[string]any{}
		}
		for k, v := range patch {
			if v == nil {
				delete(sh.Desired, k)
				continue
			}
			sh.Desired[k] = v
		}
		return nil
	})
}

// Provision returns the device's shadow, creating one from the model defaults
// the first time the device is seen.
func (s *Service) Provision(ctx context.Context, id, model string) (Shadow, error) {
	res, err := s.b.Client.KV.Namespaces.Values.Get(ctx, s.b.NamespaceID, docKey(id), s.b.GetParams()) // EXPECT kvnull
	if err == nil {
		body, rerr := kvstore.ReadBody(res)
		if rerr != nil {
			return Shadow{}, rerr
		}
		var sh Shadow
		err = json.Unmarshal(body, &sh)
		return sh, err
	}
	sh := Shadow{DeviceID: id, Desired: maps.Clone(s.defaults[model])}
	sh.stamp(s.now().UTC())
	return sh, s.save(ctx, sh) // DEBATABLE kvrace
}

// Desired returns only the desired document, as devices fetch it on boot.
func (s *Service) Desired(ctx context.Context, id string) (map[string]any, error) {
	res, err := s.b.Client.KV.Namespaces.Values.Get(ctx, s.b.NamespaceID, docKey(id), s.b.GetParams())
	if err != nil {
		return nil, fmt.Errorf("shadow: read %s: %w", id, err)
	}
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		res.Body.Close()
		return map[string]any{}, nil
	}
	body, err := kvstore.ReadBody(res)
	if err != nil {
		return nil, err
	}
	var sh Shadow
	if err := json.Unmarshal(body, &sh); err != nil {
		return nil, err
	}
	return sh.Desired, nil
}

// ReportState stores what the device says it is running. Devices report
// after applying a change and otherwise every fifteen minutes.
func (s *Service) ReportState(ctx context.Context, id string, reported map[string]any) error {
	body, err := json.Marshal(map[string]any{"reported": reported, "at": s.now().UTC()})
	if err != nil {
		return err
	}
	_, err = s.b.Client.KV.Namespaces.Values.Update(ctx, s.b.NamespaceID, reportedKey(id), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.b.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(float64(24 * 60 * 60)),
	})
	return err
}

// Snapshot keeps a copy of the shadow for three days, for support.
func (s *Service) Snapshot(ctx context.Context, sh Shadow) error {
	body, err := json.Marshal(sh)
	if err != nil {
		return err
	}
	keep := sh.UpdatedAt.Add(72 * time.Hour)
	_, err = s.b.Client.KV.Namespaces.Values.Update(ctx, s.b.NamespaceID, snapshotKey(sh.DeviceID, sh.UpdatedAt), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.b.AccountID),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(keep.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// PurgeSnapshots deletes snapshots of id taken before cutoff.
func (s *Service) PurgeSnapshots(ctx context.Context, id string, cutoff time.Time) (int, error) {
	prefix := "snapshot:" + id + ":"
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.b.AccountID),
		Prefix:    cloudflare.F(prefix),
	}
	deleted := 0
	for {
		page, err := s.b.Client.KV.Namespaces.Keys.List(ctx, s.b.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			stamp := strings.TrimPrefix(k.Name, prefix)
			at, perr := time.Parse("20060102T150405", stamp)
			if perr != nil || !at.Before(cutoff) {
				continue
			}
			if _, err := s.b.Client.KV.Namespaces.Values.Delete(ctx, s.b.NamespaceID, k.Name, s.b.DeleteParams()); err != nil {
				return deleted, err
			}
			deleted++
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return deleted, nil
}
