// Package firmware tracks staged firmware rollouts per release.
package firmware

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/fleetline/dotterel/internal/kvv4"
)

// Rollout is the state of one release's rollout.
type Rollout struct {
	Release   string    `json:"release"`
	Percent   int       `json:"percent"`
	Paused    bool      `json:"paused"`
	Completed []string  `json:"completed"`
	Updated   time.Time `json:"updated"`
}

// Tracker keeps rollout state in KV.
type Tracker struct {
	b *kvv4.Bucket
}

// NewTracker returns a Tracker on b.
func NewTracker(b *kvv4.Bucket) *Tracker { return &Tracker{b: b} }

func (t *Tracker) load(ctx context.Context, release string) (Rollout, bool, error) {
	raw, found, err := t.b.Get(ctx, "rollout/"+release)
	if err != nil || !found {
		return Rollout{Release: release}, false, err
	}
	var r Rollout
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Rollout{}, false, fmt.Errorf("decode rollout %s: %w", release, err)
	}
	return r, true, nil
}

func (t *Tracker) save(ctx context.Context, r Rollout) error {
	r.Updated = time.Now().UTC()
	raw, _ := json.Marshal(r)
	return t.b.Put(ctx, "rollout/"+r.Release, string(raw), 0)
}

// Advance moves the release to pct percent of the fleet.
func (t *Tracker) Advance(ctx context.Context, release string, pct int) error {
	r, _, err := t.load(ctx, release)
	if err != nil {
		return err
	}
	if r.Paused {
		return fmt.Errorf("advance %s: rollout paused", release)
	}
	r.Percent = pct
	return t.save(ctx, r) // EXPECT kvrace
}

// MarkDone records that device finished installing release.
func (t *Tracker) MarkDone(ctx context.Context, release, device string) error {
	r, _, err := t.load(ctx, release)
	if err != nil {
		return err
	}
	r.Completed = append(r.Completed, device)
	return t.save(ctx, r) // EXPECT kvrace
}

// Pause stops a rollout, starting from a fresh record if the current one
// cannot be read.
func (t *Tracker) Pause(ctx context.Context, release string) error {
	c := t.b.Client()
	resp, err := c.KV.Namespaces.Values.Get(ctx, t.b.NS, "rollout/"+release, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.b.Account)}) // EXPECT kvnull
	r := Rollout{Release: release}
	if err == nil {
		_ = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
	}
	r.Paused = true
	return t.save(ctx, r) // EXPECT kvrace
}

// Publish writes the manifest of a new release once, when it is cut.
func (t *Tracker) Publish(ctx context.Context, release string, manifest []byte, notes string) error {
	c := t.b.Client()
	_, err := c.KV.Namespaces.Values.Update(ctx, t.b.NS, "manifest/"+release, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.b.Account),
		Value:     cloudflare.F(string(manifest)),
		Metadata:  cloudflare.F[any](map[string]string{"notes": notes, "cut": time.Now().UTC().Format(time.RFC3339)}),
	})
	return err
}

// PublishLegacy writes the manifest together with the legacy banner that
// old devices display from metadata.
func (t *Tracker) PublishLegacy(ctx context.Context, release string, manifest []byte) error {
	c := t.b.Client()
	_, err := c.KV.Namespaces.Values.Update(ctx, t.b.NS, "manifest-legacy/"+release, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.b.Account),
		Value:     cloudflare.F(string(manifest)),
		Metadata:  cloudflare.F[any](map[string]string{"banner": legacyBanner}), // EXPECT kvlimits
	})
	return err
}

// Canary stores the canary assignment for an hour.
func (t *Tracker) Canary(ctx context.Context, release string, devices []string) error {
	c := t.b.Client()
	_, err := c.KV.Namespaces.Values.Update(ctx, t.b.NS, "canary/"+release, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(t.b.Account),
		Value:         cloudflare.F(strings.Join(devices, ",")),
		ExpirationTTL: cloudflare.F(float64(time.Hour)), // EXPECT kvttl
	})
	return err
}

// Hold blocks new installs of release for a short maintenance window.
func (t *Tracker) Hold(ctx context.Context, release string) error {
	c := t.b.Client()
	_, err := c.KV.Namespaces.Values.Update(ctx, t.b.NS, "hold/"+release, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.b.Account),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// Embargo blocks installs of release until a fixed time, at least a minute out.
func (t *Tracker) Embargo(ctx context.Context, release string, until time.Time) error {
	if d := time.Until(until); d < time.Minute {
		until = time.Now().Add(time.Minute)
	}
	c := t.b.Client()
	_, err := c.KV.Namespaces.Values.Update(ctx, t.b.NS, "embargo/"+release, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.b.Account),
		Value:      cloudflare.F(until.UTC().Format(time.RFC3339)),
		Expiration: cloudflare.F(float64(until.Unix())),
	})
	return err
}

// Waves raises the rollout through its planned percentages, recording the
// current wave as each one starts.
func (t *Tracker) Waves(ctx context.Context, release string, plan []int, soak func(context.Context, int) error) error {
	for _, pct := range plan {
		if err := t.b.Put(ctx, "rollout/"+release+"/wave", fmt.Sprint(pct), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if err := soak(ctx, pct); err != nil {
			return fmt.Errorf("wave %d%%: %w", pct, err)
		}
	}
	return nil
}

// Targets records the per-device install target for a wave; each device
// has its own key.
func (t *Tracker) Targets(ctx context.Context, release string, devices []string) error {
	for _, d := range devices {
		if err := t.b.Put(ctx, "target/"+d, release, 7*24*3600); err != nil {
			return err
		}
	}
	return nil
}

// Installed lists every device that reported release installed.
func (t *Tracker) Installed(ctx context.Context, release string) ([]string, error) {
	c := t.b.Client()
	iter := c.KV.Namespaces.Keys.ListAutoPaging(ctx, t.b.NS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.b.Account),
		Prefix:    cloudflare.F("installed/" + release + "/"),
	})
	var out []string
	for iter.Next() {
		out = append(out, strings.TrimPrefix(iter.Current().Name, "installed/"+release+"/"))
	}
	return out, iter.Err()
}

// InstalledSample returns up to max installed devices for the dashboard.
func (t *Tracker) InstalledSample(ctx context.Context, release string, max int) ([]string, error) {
	c := t.b.Client()
	iter := c.KV.Namespaces.Keys.ListAutoPaging(ctx, t.b.NS, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.b.Account),
		Prefix:    cloudflare.F("installed/" + release + "/"),
	})
	var out []string
	for iter.Next() && len(out) < max {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// Targeted returns the releases targeted at devices under a prefix, one
// page at a time for the admin UI.
func (t *Tracker) Targeted(ctx context.Context, cursor string) (map[string]string, string, error) {
	page, err := t.b.Keys(ctx, "target/", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make(map[string]string, len(page.Result))
	for _, k := range page.Result {
		v, found, err := t.b.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		if found {
			out[strings.TrimPrefix(k.Name, "target/")] = v
		}
	}
	return out, page.ResultInfo.Cursor, nil
}

const legacyBanner = `Firmware update available. This release contains important security and reliability fixes for your device. ` +
	`Please keep the device powered and connected to the network while the update is installed. The update usually takes ` +
	`between five and fifteen minutes, during which the device will restart up to three times and will not report ` +
	`telemetry. Do not unplug the device or remove its battery while the status light is blinking amber. If the update ` +
	`fails, the device will automatically roll back to the previous firmware and retry the installation during the next ` +
	`maintenance window configured for your fleet. For details on what changed in this release, including fixed issues ` +
	`and known limitations, visit the release notes page in the fleet console or contact your account representative. ` +
	`Devices that remain offline for more than thirty days will receive the update the next time they check in, provided ` +
	`the release has not been superseded by a newer one in the meantime. Thank you for keeping your fleet up to date. ` +
	`Questions about scheduling can be sent to the fleet operations team through the support portal.`
