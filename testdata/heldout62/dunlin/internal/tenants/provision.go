// Package tenants provisions tenant accounts with Temporal.
package tenants

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

// Tenant is what signup hands to ProvisionWorkflow.
type Tenant struct {
	ID   string `json:"id"`
	Plan string `json:"plan"`
}

// defaultSettings are written for every new tenant.
var defaultSettings = map[string]string{
	"preview-ttl-hours": "72",
	"webhook-version":   "2025-06-01",
	"build-concurrency": "2",
}

// Activities are registered with worker.RegisterActivity.
type Activities struct {
	kv *kvstore.Namespace
}

func NewActivities(kv *kvstore.Namespace) *Activities { return &Activities{kv: kv} }

// ProvisionWorkflow runs after signup.
func ProvisionWorkflow(ctx workflow.Context, t Tenant) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 20 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 10},
	})
	var a *Activities
	if err := workflow.ExecuteActivity(ctx, a.EnsurePlan, t.ID, t.Plan).Get(ctx, nil); err != nil {
		return err
	}
	return workflow.ExecuteActivity(ctx, a.SeedSettings, t.ID).Get(ctx, nil)
}

// EnsurePlan gives a tenant its signup plan unless billing already set one.
func (a *Activities) EnsurePlan(ctx context.Context, tenant, plan string) error {
	key := "plan:" + tenant
	if _, err := a.kv.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	body, _ := json.Marshal(map[string]any{"plan": plan, "since": time.Now().UTC()})
	return a.kv.Put(ctx, key, body) // DEBATABLE kvrace
}

// SeedSettings writes the default settings of a new tenant in one bulk
// request.
func (a *Activities) SeedSettings(ctx context.Context, tenant string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(defaultSettings))
	for k, v := range defaultSettings {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "settings:" + tenant + ":" + k, Value: v})
	}
	return a.kv.PutMany(ctx, pairs)
}
