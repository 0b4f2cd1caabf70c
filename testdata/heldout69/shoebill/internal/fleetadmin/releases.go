package fleetadmin

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

// releaseNotice is attached to every published manifest so that the
// console can show it without fetching the manifest itself.
const releaseNotice = "Shoebill device firmware is provided under the Shoebill Fleet Services Agreement. By installing this release the operator confirms that the target devices are covered by an active support contract, that the site has been notified of the maintenance window in which devices may reboot, and that no safety-critical process depends on the device during the update. Firmware images are signed with the Shoebill release key; devices reject images whose signature does not verify against the pinned trust anchor. Downgrades below the minimum secure version are refused by the bootloader. Telemetry collection continues during the update and resumes within five minutes after reboot. If a device fails to report within thirty minutes of the scheduled start, the rollout planner pauses the wave and notifies the on-call engineer. Rollback images are retained for fourteen days. Release notes, known issues and the list of fixed vulnerabilities are available on the operator console under Firmware, Releases. Contact fleet-support@shoebill.example for questions about this release or to request an exception to the rollout policy."

// rootCAPEM is the release-signing trust anchor pinned in device firmware.
const rootCAPEM = "-----BEGIN CERTIFICATE-----\nUvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaGglfIPk5VlDPk4C47bIkpr\nJIoekk6P0K4uGpSSozBfGIy2EJAPnjR/rohtxlB3lex0XEw/yy6yxz4Uk0yGfuBX\nunJJm/oSHoNrKsFXJu59awr2qxPDjpLK4NFQV7FZmH+UzHQR1xfxRXmyqhAPu7NP\npZP+rtJySLdi46tYBfB2WiucHX4PN8RJIb0/ZWTq338UKnJmjEfiI9Fu3YxHtGr8\nW67iYfU7JhUtJjuoOwN81JYuQ0gBJWuIXpyQUfMgsNuD856nrb0NdObex/PfrsyP\nZGVmZBp7omYPMBH8NXApHFeZDRoAkSaJGfJdnQYS3zWdYCaiQPRYml15Hx3ZfP76\nd3p7TxUkGr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseA\nVKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4\nMlY0e5/85pzXAHrop1jMpBXVqR7oY8i2wDN64y1vyqJVFs3y\n-----END CERTIFICATE-----\n"

const (
	manifestTTL      = 30 * 24 * time.Hour
	firmwareSlotSize = 32 << 20
	seedCount        = 12_000
	gcPageBudget     = 50
)

// Manifest describes one firmware release for one device model.
type Manifest struct {
	Model     string    `json:"model"`
	Channel   string    `json:"channel"`
	Version   string    `json:"version"`
	ImageURL  string    `json:"image_url"`
	SHA256    string    `json:"sha256"`
	Published time.Time `json:"published"`
}

// Releases publishes firmware manifests for the edge Worker to serve.
type Releases struct {
	KV  *kvstore.Store
	Log *slog.Logger
}

// Register wires the release handlers.
func (r *Releases) Register(s common.Service) error {
	if err := s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "firmware.published", Route: "/releases/published"}, r.OnPublished); err != nil {
		return err
	}
	return s.AddBindingInvocationHandler("releases-gc", r.GC)
}

// OnPublished caches the manifest of a new release for the edge.
func (r *Releases) OnPublished(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var m Manifest
	if err := e.Struct(&m); err != nil {
		return false, nil
	}
	raw, _ := json.Marshal(m)
	_, err = r.KV.API.WriteWorkersKVEntries(ctx, r.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: r.KV.NS,
		KVs: []*cloudflare.WorkersKVPair{
			{
				Key:           fleet.ManifestKey(m.Model, m.Channel),
				Value:         string(raw),
				ExpirationTTL: int(manifestTTL.Seconds()),
				Metadata:      map[string]string{"version": m.Version, "sha256": m.SHA256},
			},
			{
				Key:      fleet.ManifestKey(m.Model, m.Channel) + ":notice",
				Value:    m.Version,
				Metadata: map[string]string{"notice": releaseNotice}, // EXPECT kvlimits
			},
		},
	})
	if err != nil {
		return true, err
	}
	return false, nil
}

// PinTrustAnchor records which trust anchor signed the current channel so
// that the edge can refuse manifests signed by a retired key.
func (r *Releases) PinTrustAnchor(ctx context.Context, channel string) error {
	return r.KV.Put(ctx, "trust:"+rootCAPEM, []byte(channel)) // EXPECT kvlimits
}

// ReserveSlot writes a blank image placeholder that the build system
// overwrites once the signed image is ready.
func (r *Releases) ReserveSlot(ctx context.Context, model, version string) error {
	blank := make([]byte, firmwareSlotSize)
	return r.KV.Put(ctx, fmt.Sprintf("image:%s/%s", model, version), blank) // EXPECT kvlimits
}

// SeedFactory pre-registers serial numbers of a production batch.
func (r *Releases) SeedFactory(ctx context.Context, batch string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, seedCount)
	for i := range seedCount {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   fmt.Sprintf("serial:%s-%05d", batch, i),
			Value: batch,
		})
	}
	_, err := r.KV.API.WriteWorkersKVEntries(ctx, r.KV.RC, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: r.KV.NS, KVs: pairs}) // EXPECT kvlimits
	return err
}

// ImportSerials registers serial numbers from the ERP export.
func (r *Releases) ImportSerials(ctx context.Context, batch string, serials []string) error {
	pairs := make([]*kvstore.Pair, 0, len(serials))
	for _, sn := range serials {
		pairs = append(pairs, &kvstore.Pair{Key: "serial:" + sn, Value: batch})
	}
	return r.KV.PutMany(ctx, pairs)
}

// Manifest returns the manifest for a model and channel, from KV when it
// is cached there and from the release service otherwise.
func (r *Releases) Manifest(ctx context.Context, model, channel string, fetch func(context.Context) (Manifest, error)) (Manifest, error) {
	return kvstore.ReadThrough(ctx, r.KV, fleet.ManifestKey(model, channel), 10*time.Minute, fetch)
}

// GC drops cached manifests of retired models. It runs from a daily cron
// binding and stops after gcPageBudget pages.
func (r *Releases) GC(ctx context.Context, in *common.BindingEvent) ([]byte, error) {
	retired := map[string]bool{}
	_ = json.Unmarshal(in.Data, &retired)
	cursor := ""
	var stale []string
	for page := 0; page < gcPageBudget; page++ {
		keys, next, err := r.KV.Page(ctx, fleet.PrefixManifest, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			model, _, _ := strings.Cut(k.Name[len(fleet.PrefixManifest):], "/")
			if retired[model] {
				stale = append(stale, k.Name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(stale) > 0 {
		if _, err := r.KV.API.DeleteWorkersKVEntries(ctx, r.KV.RC, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: r.KV.NS, Keys: stale}); err != nil {
			return nil, err
		}
	}
	return []byte(fmt.Sprint(len(stale))), nil
}
