// Package rollout moves experiments through their staged rollout and
// publishes definitions to the CONFIG namespace the edge reads.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvrest"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/pipeline"
	"github.com/exptrack/redstart/internal/retry"
	"github.com/exptrack/redstart/internal/uow"
)

// bucketSlots is the size of the precomputed bucket table per experiment.
const bucketSlots = 16384

// ErrBusy is returned while another step of the same rollout runs.
var ErrBusy = errors.New("rollout: another step is in progress")

// releaseNotes travels with each published definition so that support can
// see from a key listing which terms the experiment ran under.
const releaseNotes = `Experiments published by redstart are served from the edge and are
visible to every visitor that matches the targeting rules of the experiment. By
publishing, the tenant confirms that each variant has been reviewed for
accessibility, that copy changes were approved by the content owner, and that no
variant collects personal data beyond what the tenant's privacy notice already
covers. Exposure data is kept for 400 days and then aggregated. Subjects can be
removed from an experiment at any time through the holdout API; removal takes
effect at the edge within one minute. Rollouts advance only through the steps
configured on the experiment, and a paused rollout keeps serving its current
traffic share until it is resumed or stopped. Stopping an experiment serves the
control variant to everyone. Kill switches override every other setting and are
meant for incidents only; every use is recorded in the audit log with the name
of the operator. For questions about these terms contact the experimentation
platform team.`

// Catalog is the backend's database of experiments.
type Catalog interface {
	Experiment(ctx context.Context, tenant, id string) (*model.Experiment, error)
	Experiments(ctx context.Context, tenant string) ([]model.Experiment, error)
}

// Service runs rollouts against one CONFIG namespace.
type Service struct {
	KV      *kvrest.Client
	NS      string
	Catalog Catalog
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Advance moves a rollout to its next step and republishes the experiment.
func (s *Service) Advance(ctx context.Context, tenant, exp, actor string) (*model.RolloutPlan, error) {
	if err := s.lock(ctx, tenant, exp); err != nil {
		return nil, err
	}
	defer s.KV.Delete(ctx, s.NS, keys.RolloutLock(tenant, exp))

	env := &pipeline.Envelope{Tenant: tenant, Key: keys.Rollout(tenant, exp)}
	env.SetAttr("experiment", exp)
	env.SetAttr("actor", actor)
	err := pipeline.Run(ctx, env,
		s.loadPlan,
		s.nextStep,
		s.savePlan,
		s.publish,
		s.markActive,
	)
	if err != nil {
		return nil, err
	}
	plan, _ := env.Result.(*model.RolloutPlan)
	return plan, nil
}

func (s *Service) lock(ctx context.Context, tenant, exp string) error {
	key := keys.RolloutLock(tenant, exp)
	if _, err := s.KV.Get(ctx, s.NS, key); err == nil {
		return ErrBusy
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.NS, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:  cloudflare.F(s.KV.AccountID),
		Value:      cloudflare.F(strconv.FormatInt(s.now().Unix(), 10)),
		Expiration: cloudflare.F(float64(time.Now().Unix() + 45)), // EXPECT kvttl
	})
	return err
}

func (s *Service) loadPlan(ctx context.Context, env *pipeline.Envelope) error {
	raw, err := s.KV.Get(ctx, s.NS, env.Key)
	if err != nil {
		return fmt.Errorf("rollout: plan %s: %w", env.Key, err)
	}
	env.Raw, env.Found = string(raw), true
	return nil
}

func (s *Service) nextStep(_ context.Context, env *pipeline.Envelope) error {
	var plan model.RolloutPlan
	if err := json.Unmarshal([]byte(env.Raw), &plan); err != nil {
		return err
	}
	if plan.Paused {
		return retry.Permanent(fmt.Errorf("rollout: %s is paused", plan.Experiment))
	}
	if plan.Current+1 >= len(plan.Steps) {
		env.Result = &plan
		return pipeline.ErrHalt
	}
	plan.Current++
	plan.History = append(plan.History, model.RolloutEvent{
		At: s.now().UTC(), Actor: env.Attr("actor"), Action: "advance", Percent: plan.Percent(),
	})
	b, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	env.Value = string(b)
	env.Result = &plan
	if !plan.EndsAt.IsZero() {
		env.TTL = time.Until(plan.EndsAt)
	}
	return nil
}

func (s *Service) savePlan(ctx context.Context, env *pipeline.Envelope) error {
	return s.KV.Put(ctx, s.NS, env.Key, []byte(env.Value), 0) // EXPECT kvrace
}

// publish writes the definition from the catalog with the new traffic share.
func (s *Service) publish(ctx context.Context, env *pipeline.Envelope) error {
	plan := env.Result.(*model.RolloutPlan)
	e, err := s.Catalog.Experiment(ctx, env.Tenant, env.Attr("experiment"))
	if err != nil {
		return err
	}
	e.Percent = plan.Percent()
	e.UpdatedAt = s.now().UTC()
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return retry.Do(ctx, retry.Patient, func(ctx context.Context) error {
		_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.NS, keys.Experiment(e.Tenant, e.ID), kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.KV.AccountID),
			Value:     cloudflare.F(string(body)),
			Metadata: cloudflare.F[any](map[string]any{
				"percent": e.Percent,
				"status":  e.Status,
				"terms":   releaseNotes, // EXPECT kvlimits
			}),
		})
		if err != nil && !kvrest.IsThrottled(err) {
			return retry.Permanent(err)
		}
		return err
	})
}

// markActive leaves a marker that lives as long as the rollout window.
func (s *Service) markActive(ctx context.Context, env *pipeline.Envelope) error {
	if env.TTL == 0 {
		return nil
	}
	u := uow.New()
	u.Put("rollout-active:"+env.Tenant+":"+env.Attr("experiment"), env.Value, env.TTL) // EXPECT kvttl
	u.Delete(keys.RolloutLock(env.Tenant, env.Attr("experiment")))
	return s.KV.Commit(ctx, s.NS, u)
}

// Pause stops a rollout at its current step.
func (s *Service) Pause(ctx context.Context, tenant, exp, actor string) error {
	key := keys.Rollout(tenant, exp)
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		raw, err := s.KV.Get(ctx, s.NS, key)
		if err != nil {
			return err
		}
		var plan model.RolloutPlan
		if err := json.Unmarshal(raw, &plan); err != nil {
			return retry.Permanent(err)
		}
		plan.Paused = true
		plan.History = append(plan.History, model.RolloutEvent{At: s.now().UTC(), Actor: actor, Action: "pause", Percent: plan.Percent()})
		b, _ := json.Marshal(plan)
		return s.KV.Put(ctx, s.NS, key, b, 0) // EXPECT kvrace
	})
}

// Schedule creates the rollout plan of a new experiment and adds the
// experiment to its tenant's index.
func (s *Service) Schedule(ctx context.Context, e *model.Experiment, steps []int) error {
	plan := model.RolloutPlan{Tenant: e.Tenant, Experiment: e.ID, Steps: steps, EndsAt: e.EndsAt}
	planBody, _ := json.Marshal(plan)
	u := uow.New()
	u.Put(keys.Rollout(e.Tenant, e.ID), string(planBody), 0)

	indexKey := keys.ExperimentIndex(e.Tenant)
	var ids []string
	raw, err := s.KV.Get(ctx, s.NS, indexKey)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	if !slices.Contains(ids, e.ID) {
		ids = append(ids, e.ID)
	}
	idx, _ := json.Marshal(ids)
	u.Put(indexKey, string(idx), 0) // EXPECT kvrace
	if !e.EndsAt.IsZero() {
		_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.NS, "ends:"+e.Tenant+":"+e.ID, kv.NamespaceValueUpdateParams{
			AccountID:  cloudflare.F(s.KV.AccountID),
			Value:      cloudflare.F(e.EndsAt.UTC().Format(time.RFC3339)),
			Expiration: cloudflare.F(float64(e.EndsAt.Add(24 * time.Hour).UnixMilli())), // EXPECT kvttl
		})
		if err != nil {
			return err
		}
	}
	return s.KV.Commit(ctx, s.NS, u)
}

// RebuildIndexes rewrites every tenant's experiment index from the catalog.
func (s *Service) RebuildIndexes(ctx context.Context, tenants []string) error {
	for _, tenant := range tenants {
		exps, err := s.Catalog.Experiments(ctx, tenant)
		if err != nil {
			return err
		}
		var ids []string
		for _, e := range exps {
			ids = append(ids, e.ID)
			idx, _ := json.Marshal(ids)
			if err := s.KV.Put(ctx, s.NS, keys.ExperimentIndex(tenant), idx, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}
	return nil
}

// PublishBuckets writes the bucket table that maps hash slots to variants,
// so that SDKs in other languages assign exactly as the edge does.
func (s *Service) PublishBuckets(ctx context.Context, e *model.Experiment) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, bucketSlots)
	total := 0
	for _, v := range e.Variants {
		total += v.Weight
	}
	if total == 0 {
		return fmt.Errorf("rollout: %s has no weight", e.ID)
	}
	for slot := 0; slot < bucketSlots; slot++ {
		n, variant := slot*total/bucketSlots, e.Variants[len(e.Variants)-1].Name
		for _, v := range e.Variants {
			if n < v.Weight {
				variant = v.Name
				break
			}
			n -= v.Weight
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("bucket:%s:%s:%05d", e.Tenant, e.ID, slot)),
			Value: cloudflare.F(variant),
		})
	}
	_, err := s.KV.API.KV.Namespaces.BulkUpdate(ctx, s.NS, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.KV.AccountID), Body: body}) // EXPECT kvlimits
	return err
}

// PublishAll republishes every experiment of a tenant from the catalog in
// one bulk write per 10,000 keys.
func (s *Service) PublishAll(ctx context.Context, tenant string) (int, error) {
	exps, err := s.Catalog.Experiments(ctx, tenant)
	if err != nil {
		return 0, err
	}
	u := uow.New()
	ids := make([]string, 0, len(exps))
	for _, e := range exps {
		b, err := json.Marshal(e)
		if err != nil {
			return 0, err
		}
		u.PutWithMeta(keys.Experiment(tenant, e.ID), string(b), 0, map[string]any{"status": e.Status, "percent": e.Percent})
		ids = append(ids, e.ID)
	}
	idx, _ := json.Marshal(ids)
	u.Put(keys.ExperimentIndex(tenant), string(idx), 0)
	u.Put("published-at:"+tenant, s.now().UTC().Format(time.RFC3339), 0)
	return len(exps), s.KV.Commit(ctx, s.NS, u)
}
