// Package rollout manages staged firmware rollouts. The edge Worker that
// serves /firmware/latest reads "rollout:<model>" and buckets each device by
// a hash of its id against Percent.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/fleet/internal/repo"
)

// Plan is a rollout plan for one hardware model.
type Plan struct {
	Model     string    `json:"model"`
	Firmware  string    `json:"firmware"`
	Percent   int       `json:"percent"`
	Cohorts   []string  `json:"cohorts,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// rampHold is how long each ramp step is held before the next one.
const rampHold = 10 * time.Minute

// releaseNotice is shown by the device UI while an update is pending.
const releaseNotice = "This update contains important security fixes and stability improvements for your device. " +
	"During installation the device will restart up to three times; do not remove power while the status LED is blinking amber. " +
	"Sensor readings collected during the update are buffered locally and uploaded once the device is back online, so no data is lost. " +
	"If the device does not come back online within thirty minutes, hold the reset button for ten seconds to roll back to the previous firmware image. " +
	"Scheduled automations are paused for the duration of the update and resume automatically afterwards. " +
	"Devices on battery power postpone the update until they are connected to mains power or the battery is above sixty percent. " +
	"Gateways relay the update to their attached sensors after they have updated themselves; sensors may therefore update up to a day later. " +
	"Release notes, checksums and the list of resolved issues are available in the operator console under Firmware > Releases. " +
	"Contact support with the device serial number if the update fails repeatedly. " +
	"Updates are signed; a device refuses any image whose signature does not match the key burned in at manufacture."

// Service reads and writes rollout plans.
type Service struct {
	plans     *repo.Repo[Plan]
	client    *cloudflare.Client
	accountID string
	ns        string
}

// NewService returns a Service. plans must be backed by the same namespace as
// ns.
func NewService(plans *repo.Repo[Plan], client *cloudflare.Client, accountID, ns string) *Service {
	return &Service{plans: plans, client: client, accountID: accountID, ns: ns}
}

func planKey(model string) string { return "rollout:" + model }

// SetPercent changes the rollout percentage of model.
func (s *Service) SetPercent(ctx context.Context, model string, pct int) error {
	if pct < 0 || pct > 100 {
		return errors.New("rollout: percent out of range")
	}
	return s.plans.Update(ctx, model, func(p *Plan) error {
		p.Percent = pct
		p.UpdatedAt = time.Now()
		return nil
	})
}

// AddCohort adds a named cohort (beta testers, internal devices) that always
// receives the new firmware.
func (s *Service) AddCohort(ctx context.Context, model, cohort string) error {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, planKey(model), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var p Plan
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		return err
	}
	if slices.Contains(p.Cohorts, cohort) {
		return nil
	}
	p.Cohorts = append(p.Cohorts, cohort)
	b, _ := json.Marshal(p)
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, planKey(model), kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.accountID), Value: cloudflare.F(string(b))}) // EXPECT kvrace
	return err
}

// Current returns the plan for model, creating an empty plan for models that
// have never had a rollout.
func (s *Service) Current(ctx context.Context, model string) (Plan, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, planKey(model), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)}) // EXPECT kvnull
	if err != nil {
		p := Plan{Model: model, UpdatedAt: time.Now()}
		b, _ := json.Marshal(p)
		_, werr := s.client.KV.Namespaces.Values.Update(ctx, s.ns, planKey(model), kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Value:     cloudflare.F(string(b)),
		})
		return p, werr
	}
	defer res.Body.Close()
	var p Plan
	err = json.NewDecoder(res.Body).Decode(&p)
	return p, err
}

// Publish starts a new rollout of firmware for model at pct percent.
func (s *Service) Publish(ctx context.Context, model, firmware string, pct int) error {
	p := Plan{Model: model, Firmware: firmware, Percent: pct, UpdatedAt: time.Now()}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, planKey(model), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F[any](map[string]string{"firmware": firmware, "notice": releaseNotice}), // EXPECT kvlimits
	})
	return err
}

// Ramp walks the rollout of firmware through steps, holding each step for
// rampHold so the crash-rate alerts have time to fire.
func (s *Service) Ramp(ctx context.Context, model, firmware string, steps []int) error {
	for _, pct := range steps {
		p := Plan{Model: model, Firmware: firmware, Percent: pct, UpdatedAt: time.Now()}
		if err := s.plans.Save(ctx, model, p); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(rampHold):
		}
	}
	return nil
}
